"""Marshmallow schemas of the deliberation API (:mod:`core.deliberation.api`); French descriptions."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class DeliberationJurorSchema(ResponseSchema):
    user_id = fields.Int(required=True, metadata=_d("Identifiant du compte du juré."))
    name = fields.Str(required=True, metadata=_d("Prénom et nom."))
    completed = fields.Bool(required=True, metadata=_d("La grille du juré pour ce candidat est terminée."))


class DeliberationRowSchema(ResponseSchema):
    kind = fields.Str(required=True, metadata={"enum": ["criterion", "block", "mark", "score", "proposal", "comment"],
                                               **_d("Nature de la ligne.")})
    code = fields.Str(required=True, metadata=_d("Code du critère, du bloc, de la compétence ou de la note."))
    label = fields.Str(required=True, metadata=_d("Intitulé de la ligne."))
    values = fields.List(fields.Raw(allow_none=True), required=True, metadata=_d(
        "Une valeur par juré ayant terminé sa grille (ordre de `jurors`) : « met » / « not_met », "
        "« validated » / « not_validated », une note, un code de décision ou un texte ; null si non renseigné."))
    mean = fields.Float(required=True, allow_none=True, metadata=_d(
        "Moyenne des jurés pour cette compétence ou cette note (jamais entre compétences) ; null sinon."))
    disagreement = fields.Bool(required=True, metadata=_d("Les jurés ne sont pas d'accord sur cette ligne."))


class DecisionProposalSchema(ResponseSchema):
    outcome = fields.Str(required=True, metadata=_d("Décision calculée par les règles du plugin (code)."))
    outcome_label = fields.Str(required=True, metadata=_d("Libellé de la décision calculée."))
    validated_blocks = fields.List(fields.Str(), required=True, metadata=_d("Blocs validés selon les grilles."))
    acquired_competencies = fields.List(fields.Str(), required=True, metadata=_d("Compétences acquises."))
    reasons = fields.List(fields.Str(), required=True, metadata=_d("Les règles appliquées, en français."))
    extra = fields.Dict(required=True, metadata=_d(
        "Données propres au plugin (par exemple `vae_outcome`, `remaining`, `marks`, `scores`)."))


class JuryDecisionSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de la décision."))
    candidate_id = fields.Int(required=True, metadata=_d("Identifiant du candidat dans la session."))
    outcome = fields.Str(required=True, metadata=_d("Décision enregistrée (code du plugin, ou « absent »)."))
    outcome_label = fields.Str(required=True, metadata=_d("Libellé de la décision."))
    validated_blocks = fields.List(fields.Str(), required=True, metadata=_d("Blocs validés par le jury."))
    acquired_competencies = fields.List(fields.Str(), required=True, metadata=_d("Compétences acquises."))
    marks = fields.Dict(keys=fields.Str(), values=fields.Float(), required=True, metadata=_d(
        "Notes retenues par compétence (notation par notes)."))
    scores = fields.Dict(keys=fields.Str(), values=fields.Float(), required=True, metadata=_d(
        "Autres notes retenues (par exemple l'oral sur 20)."))
    vae_outcome = fields.Str(required=True, allow_none=True, metadata=_d("Issue de l'entretien VAE (code), ou null."))
    vae_outcome_label = fields.Str(required=True, allow_none=True, metadata=_d("Libellé de l'issue VAE, ou null."))
    remaining = fields.Str(required=True, metadata=_d("Ce qui reste à acquérir (validation partielle)."))
    comment = fields.Str(required=True, metadata=_d("Commentaires du jury."))
    computed_outcome = fields.Str(required=True, metadata=_d("Décision que proposaient les règles."))
    retake_until = fields.Date(required=True, allow_none=True, metadata=_d(
        "Dernier jour pour se présenter au rattrapage (échec avec un rattrapage restant), ou null."))
    recorded_by = fields.Str(required=True, allow_none=True, metadata=_d("Juré qui a enregistré la décision."))
    recorded_at = UtcDateTime(required=True, metadata=_d("Date d'enregistrement."))
    sealed_at = UtcDateTime(required=True, allow_none=True, metadata=_d(
        "Date du scellement du procès-verbal qui la porte, ou null."))
    superseded_at = UtcDateTime(required=True, allow_none=True, metadata=_d(
        "Date à laquelle une nouvelle décision l'a remplacée, ou null."))


class DeliberationSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    candidate_id = fields.Int(required=True, metadata=_d("Identifiant du candidat dans la session."))
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    attendance = fields.Str(required=True, metadata={"enum": ["unknown", "present", "absent"],
                                                     **_d("Présence du candidat.")})
    mode = fields.Str(required=True, metadata={"enum": ["criteria", "marks"], **_d("Nature de la grille.")})
    jurors = fields.List(fields.Nested(DeliberationJurorSchema), required=True, metadata=_d(
        "Les jurés de la session ; les colonnes de `rows` sont ceux dont la grille est terminée."))
    rows = fields.List(fields.Nested(DeliberationRowSchema), required=True, metadata=_d(
        "Les grilles terminées côte à côte, ligne par ligne."))
    disagreements = fields.List(fields.Str(), required=True, metadata=_d(
        "Codes des lignes où les jurés sont en désaccord."))
    consolidation = fields.Dict(required=True, metadata=_d(
        "Les grilles consolidées (comptes par critère et par bloc, notes de chaque juré)."))
    proposal = fields.Nested(DecisionProposalSchema, required=True, metadata=_d("La décision calculée par les règles."))
    decision = fields.Nested(JuryDecisionSchema, required=True, allow_none=True, metadata=_d(
        "La décision enregistrée en vigueur, ou null."))
    can_record = fields.Bool(required=True, metadata=_d(
        "Le compte du jeton peut enregistrer la décision maintenant."))
    blocked_by = fields.Str(required=True, allow_none=True, metadata=_d(
        "Pourquoi la décision ne peut pas être enregistrée maintenant (en français), ou null."))


class JuryDecisionRequestSchema(RequestSchema):
    outcome = fields.Str(required=True, validate=validate.Length(min=1, max=40), metadata=_d(
        "Décision du jury : un code des issues de la grille (par exemple « admis », « admission_partielle », "
        "« non_admis » pour RNCP37827 ; « acquise », « non_acquise » pour RS6776) ou « absent »."))
    validated_blocks = fields.List(fields.Str(), load_default=list, metadata=_d(
        "Blocs validés par le jury (certifications à blocs)."))
    marks = fields.Dict(keys=fields.Str(), values=fields.Float(allow_nan=False), load_default=dict, metadata=_d(
        "Notes retenues par compétence (notation par notes), par exemple {\"C1\": 4.5}."))
    scores = fields.Dict(keys=fields.Str(), values=fields.Float(allow_nan=False), load_default=dict, metadata=_d(
        "Autres notes retenues, par exemple {\"ORAL\": 12}."))
    vae_outcome = fields.Str(load_default="", metadata=_d(
        "Issue de l'entretien VAE (obligatoire pour un candidat en VAE quand la certification les déclare)."))
    remaining = fields.Str(load_default="", metadata=_d("Ce qui reste à acquérir (validation partielle)."))
    comment = fields.Str(load_default="", metadata=_d(
        "Commentaires (obligatoires pour certaines décisions, par exemple une admission partielle ou un refus)."))


class SessionDecisionSchema(ResponseSchema):
    candidate_id = fields.Int(required=True, metadata=_d("Identifiant du candidat dans la session."))
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    reference = fields.Str(required=True, allow_none=True, metadata=_d("Référence du dossier."))
    name = fields.Str(required=True, metadata=_d("Prénom et nom du candidat."))
    attendance = fields.Str(required=True, metadata={"enum": ["unknown", "present", "absent"],
                                                     **_d("Présence du candidat.")})
    grids_completed = fields.Int(required=True, metadata=_d("Nombre de grilles terminées."))
    jurors = fields.Int(required=True, metadata=_d("Nombre de jurés de la session."))
    computed_outcome = fields.Str(required=True, metadata=_d("Décision calculée par les règles."))
    decision = fields.Nested(JuryDecisionSchema, required=True, allow_none=True, metadata=_d(
        "Décision enregistrée en vigueur, ou null."))


class SessionDecisionsSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    locked = fields.Str(required=True, allow_none=True, metadata=_d(
        "Pourquoi les décisions ne peuvent pas changer maintenant, ou null."))
    candidates = fields.List(fields.Nested(SessionDecisionSchema), required=True, metadata=_d(
        "Les candidats dans l'ordre de passage."))
