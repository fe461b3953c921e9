"""Marshmallow schemas of the annex API (also what the OpenAPI document shows)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class AnnexLinksSchema(ResponseSchema):
    self_ = fields.Method("_self", data_key="self", required=True,
                          metadata={"type": "string", **_d("Chemin de l'annexe dans l'API.")})
    content = fields.Method("_content", required=True,
                            metadata={"type": "string", **_d("Chemin du contenu du fichier (téléchargement).")})
    page = fields.Method("_page", required=True,
                         metadata={"type": "string", **_d("Chemin de la page web des annexes du dossier.")})

    def _self(self, annex):
        return url_for("annexes_api.annex", dossier_id=annex.dossier_id, number=annex.number)

    def _content(self, annex):
        return url_for("annexes_api.content", dossier_id=annex.dossier_id, number=annex.number)

    def _page(self, annex):
        return url_for("annexes.index", dossier_id=annex.dossier_id)


class AnnexSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de l'annexe dans le dossier (jamais réutilisé)."))
    title = fields.Str(required=True, metadata=_d("Titre de l'annexe."))
    role = fields.Str(required=True, metadata=_d("Rôle : « evidence » (pièce justificative), « cv » ou "
                                                 "« deliverable » (livrable d'une épreuve, voir `deliverable`)."))
    deliverable = fields.Str(required=True, allow_none=True, metadata=_d(
        "Code du livrable (E1, E2…) quand l'annexe est le livrable d'une épreuve, sinon null."))
    filename = fields.Str(required=True, metadata=_d("Nom du fichier, nettoyé (pour l'affichage et le "
                                                     "téléchargement seulement)."))
    media_type = fields.Str(required=True, metadata=_d("Type du fichier, lu dans son contenu (par exemple "
                                                       "application/pdf)."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du fichier (hexadécimal)."))
    pages = fields.Int(required=True, allow_none=True, metadata=_d("Nombre de pages (PDF ; 1 pour une image), "
                                                                   "ou null."))
    scan_state = fields.Function(lambda a: a.scan_state.value, required=True, metadata={
        "type": "string", "enum": ["pending", "clean", "infected", "error", "not_scanned"],
        **_d("État de l'analyse antivirus : pending (en attente), clean (aucun virus), infected (virus), "
             "error (analyse impossible), not_scanned (pas d'antivirus configuré).")})
    downloadable = fields.Function(lambda a: _downloadable(a), required=True, metadata={
        "type": "boolean", **_d("Le fichier peut-il être téléchargé (analyse antivirus favorable) ?")})
    competencies = fields.Function(lambda a: a.competency_codes, required=True, metadata={
        "type": "array", "items": {"type": "string"}, **_d("Codes des compétences que la pièce démontre.")})
    created_at = UtcDateTime(required=True, metadata=_d("Date du dépôt (UTC)."))
    removed_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date du retrait, ou null."))
    links = fields.Function(lambda a: AnnexLinksSchema().dump(a), required=True, metadata={
        "type": "object", **_d("Liens : l'annexe, son contenu, la page web.")})


def _downloadable(annex) -> bool:
    from core.annexes.services import downloadable

    return downloadable(annex)


class AnnexListSchema(ResponseSchema):
    items = fields.List(fields.Nested(AnnexSchema), required=True,
                        metadata=_d("Les annexes actives du dossier, par numéro."))
    usage = fields.Int(required=True, metadata=_d("Octets utilisés par les annexes actives."))
    quota = fields.Int(required=True, metadata=_d("Espace total du dossier, en octets."))
    max_file_size = fields.Int(required=True, metadata=_d("Taille maximale d'un fichier, en octets."))
    allowed_types = fields.List(fields.Str(), required=True,
                                metadata=_d("Types de fichiers acceptés (pdf, png, jpeg, odt, docx…)."))


class AnnexUploadSchema(ResponseSchema):
    """The multipart form of an upload (documentation only: the body is read as a stream)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary", **_d(
        "Le fichier (un seul par requête). Son type est lu dans son contenu et doit correspondre à son extension.")})
    title = fields.Str(metadata=_d("Titre (200 caractères au plus) ; par défaut le nom du fichier nettoyé."))
    role = fields.Str(metadata={"enum": ["evidence", "cv"], **_d("Rôle ; « evidence » par défaut.")})
    competencies = fields.List(fields.Str(), metadata=_d(
        "Codes des compétences démontrées : champ répété, ou valeurs séparées par des virgules."))


class AnnexUpdateSchema(RequestSchema):
    title = fields.Str(validate=validate.Length(min=1, max=200), metadata=_d("Nouveau titre."))
    competencies = fields.List(fields.Str(), metadata=_d("Codes des compétences (remplacent la liste actuelle)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].validators[0].error = _("Le titre doit compter de 1 à 200 caractères.")


# -- deliverables of the access route (core.annexes.deliverables) -------------------------------------

SCAN_STATES = ["pending", "clean", "infected", "error", "not_scanned"]


class DeliverableFileSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d(
        "Numéro d'annexe du fichier (son contenu : GET /api/v1/dossiers/{id}/annexes/{number}/content)."))
    filename = fields.Str(required=True, metadata=_d("Nom du fichier, nettoyé."))
    pages = fields.Int(required=True, allow_none=True, metadata=_d("Nombre de pages du PDF, vérifié au dépôt."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du fichier (hexadécimal)."))
    scan_state = fields.Str(required=True, metadata={"enum": SCAN_STATES, **_d("État de l'analyse antivirus.")})


class DossierDeliverableSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du livrable dans la voie d'accès (E1, E2…)."))
    title = fields.Str(required=True, metadata=_d("Intitulé du livrable."))
    evaluations = fields.List(fields.Str(), required=True, metadata=_d("Codes des épreuves qu'il sert."))
    min_pages = fields.Int(required=True, allow_none=True, metadata=_d("Nombre minimal de pages, ou null."))
    max_pages = fields.Int(required=True, allow_none=True, metadata=_d("Nombre maximal de pages, ou null."))
    rule = fields.Str(required=True, metadata=_d("La règle du règlement de certification, citée en cas de refus."))
    complete = fields.Bool(required=True, metadata=_d(
        "Un fichier est déposé et l'antivirus ne l'a ni refusé ni laissé en attente."))
    file = fields.Nested(DeliverableFileSchema, required=True, allow_none=True, metadata=_d(
        "Le fichier déposé (le dernier : un nouveau dépôt remplace le précédent), ou null."))


class DeliverableUploadSchema(ResponseSchema):
    """The multipart form of a deliverable upload (documentation only: the body is read as a stream)."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary", **_d(
        "Le livrable, un seul fichier PDF, dont le nombre de pages doit respecter la règle de l'épreuve.")})
