"""Marshmallow schemas of the review API (:mod:`core.review.api`); French descriptions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class CorrectionItemSchema(RequestSchema):
    message = fields.Str(required=True, validate=validate.Length(max=2000), metadata=_d(
        "La correction attendue, en français ; elle est envoyée au candidat."))
    section = fields.Str(load_default=None, allow_none=True, metadata=_d("Clé de la section à reprendre, ou null."))
    annex = fields.Int(load_default=None, allow_none=True, metadata=_d(
        "Numéro de l'annexe à reprendre (dans la version déposée), ou null. Une section ou une annexe est requise."))


class DecisionRequestSchema(RequestSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(["admissible", "inadmissible", "corrections"]),
                      metadata=_d("La décision : « admissible » (recevable), « inadmissible » (irrecevable, "
                                  "motifs obligatoires) ou « corrections » (corrections demandées)."))
    reasons = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=4000), metadata=_d(
        "Motifs de l'irrecevabilité (obligatoires pour « inadmissible »), communiqués au candidat."))
    items = fields.List(fields.Nested(CorrectionItemSchema), load_default=None, allow_none=True, metadata=_d(
        "Les corrections demandées (obligatoires pour « corrections »)."))
    password = fields.Str(required=True, load_only=True, metadata=_d(
        "Mot de passe du compte du jeton : il confirme l'identité de la personne qui décide."))


class DecisionLetterSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du document."))
    kind = fields.Str(required=True, metadata=_d("Toujours « admissibility_letter »."))
    title = fields.Str(required=True, metadata=_d("Titre du document."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du PDF scellé."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    links = fields.Dict(required=True, metadata=_d("`content` : chemin de téléchargement du PDF."))


class DecisionSchema(ResponseSchema):
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    decision = fields.Str(required=True, metadata=_d("La décision enregistrée."))
    status = fields.Str(required=True, metadata=_d("Nouveau statut du dossier."))
    status_label = fields.Str(required=True, metadata=_d("Libellé français du statut."))
    version = fields.Int(required=True, metadata=_d("Numéro de la version étudiée."))
    letter = fields.Nested(DecisionLetterSchema, required=True, metadata=_d("La lettre de décision scellée."))


class FieldChangeSchema(ResponseSchema):
    path = fields.Str(required=True, metadata=_d("Chemin du champ dans la section (pointé, indices de listes)."))
    change = fields.Str(required=True, metadata={"enum": ["added", "removed", "changed"],
                                                 **_d("Nature du changement.")})
    before = fields.Raw(required=True, allow_none=True, metadata=_d("Valeur dans l'ancienne version, ou null."))
    after = fields.Raw(required=True, allow_none=True, metadata=_d("Valeur dans la nouvelle version, ou null."))


class SectionDiffSchema(ResponseSchema):
    key = fields.Str(required=True, metadata=_d("Clé de la section."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la section."))
    changes = fields.List(fields.Nested(FieldChangeSchema), required=True, metadata=_d("Les champs changés."))


class AnnexRefSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de l'annexe."))
    title = fields.Str(required=True, metadata=_d("Titre de l'annexe."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du fichier."))


class VersionDiffSchema(ResponseSchema):
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    from_version = fields.Int(required=True, data_key="from", metadata=_d("Version de départ."))
    to_version = fields.Int(required=True, data_key="to", metadata=_d("Version d'arrivée."))
    from_submitted_at = UtcDateTime(required=True, metadata=_d("Dépôt de la version de départ."))
    to_submitted_at = UtcDateTime(required=True, metadata=_d("Dépôt de la version d'arrivée."))
    sections = fields.List(fields.Nested(SectionDiffSchema), required=True, metadata=_d(
        "Les sections qui ont changé, dans l'ordre du dossier (valeurs vides considérées comme absentes)."))
    annexes_added = fields.List(fields.Nested(AnnexRefSchema), required=True, metadata=_d(
        "Annexes présentes dans la version d'arrivée seulement (comparées par empreinte SHA-256)."))
    annexes_removed = fields.List(fields.Nested(AnnexRefSchema), required=True, metadata=_d(
        "Annexes présentes dans la version de départ seulement."))


class NoteRequestSchema(RequestSchema):
    text = fields.Str(required=True, validate=validate.Length(min=1, max=4000, error=_l(
        "La note doit faire entre 1 et 4000 caractères.")), metadata=_d(
        "Le texte de la note (4000 caractères au plus), visible de la seule équipe du certificateur."))


class NoteAuthorSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du compte."))
    first_name = fields.Str(required=True, metadata=_d("Prénom."))
    last_name = fields.Str(required=True, metadata=_d("Nom."))


class NoteSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de la note."))
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    text = fields.Str(required=True, metadata=_d("Le texte de la note."))
    author = fields.Nested(NoteAuthorSchema, required=True, metadata=_d("Qui l'a écrite."))
    created_at = UtcDateTime(required=True, metadata=_d("Date d'écriture (UTC)."))


class NoteListSchema(ResponseSchema):
    items = fields.List(fields.Nested(NoteSchema), required=True, metadata=_d(
        "Les notes du dossier, de la plus récente à la plus ancienne."))
