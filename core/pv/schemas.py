"""Marshmallow schemas of the procès-verbal API (:mod:`core.pv.api`); French descriptions."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class PvSignerSchema(ResponseSchema):
    user_id = fields.Int(required=True, metadata=_d("Identifiant du compte du signataire."))
    name = fields.Str(required=True, metadata=_d("Nom complet du signataire."))
    role = fields.Str(required=True, metadata={"enum": ["juror", "session_manager"],
                                               **_d("« juror » (membre du jury) ou « session_manager » "
                                                    "(responsable de session, sans voix délibérative).")})
    field = fields.Str(required=True, metadata=_d("Nom du champ de signature réservé dans le PDF."))
    signed_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de sa signature, ou null."))
    can_sign_now = fields.Bool(required=True, metadata=_d(
        "Vrai quand c'est son tour : les jurés signent dans n'importe quel ordre, le responsable de session "
        "après tous les jurés."))


class PvSignatureSchema(ResponseSchema):
    user_id = fields.Int(required=True, metadata=_d("Signataire."))
    field = fields.Str(required=True, metadata=_d("Champ de signature rempli."))
    at = fields.Str(required=True, metadata=_d("Date de la signature (ISO 8601, UTC)."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du PDF après cette signature."))


class PvDocumentSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du document à signer."))
    kind = fields.Str(required=True, metadata={"enum": ["pv", "grid"], **_d(
        "« pv » (procès-verbal, Annexe 4) ou « grid » (grille d'évaluation individuelle, Annexe 3).")})
    number = fields.Int(required=True, metadata=_d("Numéro : 1, puis 2, 3… pour un document rectificatif."))
    status = fields.Str(required=True, metadata={"enum": ["signing", "sealing", "sealed", "replaced"], **_d(
        "« signing » (en cours de signature), « sealing » (signé par tous, cachet de l'organisme en cours : "
        "suivre `GET /sessions/{id}/sealing`), « sealed » (signé par tous et scellé : immuable), "
        "« replaced » (remplacé par un document rectificatif).")})
    status_label = fields.Str(required=True, metadata=_d("Libellé français du statut."))
    candidate_id = fields.Int(required=True, allow_none=True, metadata=_d(
        "Pour une grille : l'identifiant du candidat dans la session ; null pour un procès-verbal."))
    dossier_id = fields.Int(required=True, allow_none=True, metadata=_d("Pour une grille : le dossier."))
    replaces_id = fields.Int(required=True, allow_none=True, metadata=_d("Le document remplacé, ou null."))
    correction_reason = fields.Str(required=True, metadata=_d("Motif de la correction (document rectificatif)."))
    sha256 = fields.Str(required=True, metadata=_d(
        "Empreinte SHA-256 des octets que sert `links.content` : le PDF scellé émis une fois le document "
        "scellé, sinon les octets en cours de signature (égale à l'`ETag` et au `Content-Digest` du "
        "téléchargement)."))
    size = fields.Int(required=True, metadata=_d("Taille en octets de ces mêmes octets."))
    created_at = UtcDateTime(required=True, metadata=_d("Génération du document."))
    sealed_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Scellement final, ou null."))
    document_id = fields.Int(required=True, allow_none=True, metadata=_d(
        "Le document scellé émis (vérifiable sur /verifier), une fois scellé."))
    planned = fields.List(fields.Nested(PvSignerSchema), required=True, metadata=_d(
        "Les signataires prévus, dans l'ordre : les jurés, puis (procès-verbal) le responsable de session."))
    signatures = fields.List(fields.Nested(PvSignatureSchema), required=True, metadata=_d(
        "Les signatures apposées, dans l'ordre."))
    waiting_for = fields.List(fields.Int(), required=True, metadata=_d(
        "Les comptes qui peuvent signer maintenant."))
    links = fields.Dict(required=True, metadata=_d("`content` : les octets actuels (ou le PDF scellé) ; "
                                                   "`sign` : signer ; une fois scellé, `document` : le "
                                                   "document émis (`GET /api/v1/documents/{id}`)."))


class PvStageSchema(ResponseSchema):
    key = fields.Str(required=True, metadata={"enum": ["before_session", "deliberation", "end_of_session"], **_d(
        "L'étape du renseignement du PV : avant session, pendant la délibération, fin de session.")})
    number = fields.Int(required=True, metadata=_d("1, 2 ou 3."))
    label = fields.Str(required=True, metadata=_d("L'étape dans les mots du règlement (qui renseigne quelles parties)."))
    complete = fields.Bool(required=True, metadata=_d("Vrai quand les parties de cette étape sont renseignées."))
    missing = fields.List(fields.Str(), required=True, metadata=_d("Ce qui manque, en français."))


class PvQualityCommitteeSchema(ResponseSchema):
    name = fields.Str(required=True, metadata=_d("Le comité qualité du certificateur (donnée de la certification)."))
    email = fields.Str(required=True, metadata=_d("Son adresse."))
    state = fields.Str(required=True, metadata={"enum": ["waiting", "queued", "sent", "failed"], **_d(
        "« waiting » (procès-verbal pas encore scellé), « queued » (envoi en cours), « sent » (transmis), "
        "« failed » (l'envoi a échoué : le renvoyer).")})
    at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de la transmission ou de l'échec."))
    can_resend = fields.Bool(required=True, metadata=_d(
        "Vrai quand le responsable de session peut renvoyer (`POST .../pv/quality-committee`)."))


class PvListSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    session_status = fields.Str(required=True, metadata=_d("Statut de la session : draft, open, closed."))
    correction_in_progress = fields.Bool(required=True, metadata=_d("Une correction est en cours."))
    can_generate = fields.Bool(required=True, metadata=_d(
        "Vrai quand le procès-verbal peut être généré maintenant (voir `missing` sinon)."))
    missing = fields.List(fields.Str(), required=True, metadata=_d(
        "Ce qui manque pour générer le procès-verbal, en français."))
    items = fields.List(fields.Nested(PvDocumentSchema), required=True, metadata=_d(
        "Les procès-verbaux de la session, du plus ancien au plus récent."))
    grids = fields.List(fields.Nested(PvDocumentSchema), required=True, metadata=_d(
        "Les grilles d'évaluation individuelles à signer ou signées."))
    stages = fields.List(fields.Nested(PvStageSchema), required=True, metadata=_d(
        "Le renseignement du PV en trois étapes : avant session (parties 1 et 2, noms des candidats), "
        "pendant la délibération (partie 2, résultats), fin de session (statistiques, parties 3 et 4, "
        "signatures). Le projet (`GET .../pv/draft`) imprime ce qui est déjà renseigné."))
    quality_committee = fields.Nested(PvQualityCommitteeSchema, required=True, allow_none=True, metadata=_d(
        "La transmission du procès-verbal et des grilles scellés au comité qualité du certificateur, ou null "
        "quand la certification n'en prévoit pas."))


class PvGeneratedSchema(ResponseSchema):
    pv = fields.Nested(PvDocumentSchema, required=True, metadata=_d("Le procès-verbal à signer."))
    grids = fields.List(fields.Nested(PvDocumentSchema), required=True, metadata=_d(
        "Les grilles générées avec lui (candidats présents ; pour une correction, ceux dont la décision a changé)."))


class PvSignRequestSchema(RequestSchema):
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=1000), metadata=_d(
        "Mot de passe du compte du jeton : il confirme l'identité du signataire."))


class PvSignAllRequestSchema(RequestSchema):
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=1000), metadata=_d(
        "Mot de passe du compte du jeton : saisi une fois, il confirme l'identité du signataire pour tous "
        "les documents."))
    documents = fields.List(fields.Int(strict=True), validate=validate.Length(min=1, max=500), metadata=_d(
        "Identifiants des documents à signer (voir `GET /sessions/{session_id}/pv`). Par défaut, tous les "
        "documents qui attendent la signature du compte du jeton."))


class PvSigningFailureSchema(ResponseSchema):
    document = fields.Nested(PvDocumentSchema, required=True, metadata=_d(
        "Le document dont la signature a échoué, resté tel qu'il était."))
    code = fields.Str(required=True, metadata=_d("Code de l'erreur (par exemple `sealing_failed`)."))
    reason = fields.Str(required=True, metadata=_d("Pourquoi, en français."))


class PvSignAllSchema(ResponseSchema):
    complete = fields.Bool(required=True, metadata=_d(
        "Vrai quand tous les documents demandés sont signés ; faux quand une signature a échoué en route."))
    signed = fields.List(fields.Nested(PvDocumentSchema), required=True, metadata=_d(
        "Les documents signés par cette demande, dans l'ordre de signature (grilles, puis procès-verbal)."))
    failed = fields.Nested(PvSigningFailureSchema, required=True, allow_none=True, metadata=_d(
        "Le document dont la signature a échoué et la raison, ou null. Les documents suivants n'ont pas "
        "été essayés : ils attendent toujours la signature."))
    not_tried = fields.List(fields.Int(), required=True, metadata=_d(
        "Identifiants des documents demandés qui n'ont pas été essayés après l'échec."))


class PvCorrectionRequestSchema(RequestSchema):
    reason = fields.Str(required=True, validate=validate.Length(max=4000), metadata=_d(
        "Motif de la correction ; il figure sur le procès-verbal rectificatif."))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(max=1000), metadata=_d(
        "Mot de passe du compte du jeton (responsable de session)."))


class PvCorrectionSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    correction_started_at = UtcDateTime(required=True, metadata=_d("Début de la correction."))
    correction_reason = fields.Str(required=True, metadata=_d("Motif de la correction."))


class SealingErrorSchema(ResponseSchema):
    document_id = fields.Int(required=True, metadata=_d("Le document dont le cachet a échoué."))
    kind = fields.Str(required=True, metadata={"enum": ["pv", "grid"], **_d("« pv » ou « grid ».")})
    message = fields.Str(required=True, metadata=_d("La raison, en français ; un nouvel essai est prévu."))
    attempted_at = fields.DateTime(required=True, allow_none=True, metadata=_d("Le dernier essai."))


class SealingProgressSchema(ResponseSchema):
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session."))
    documents = fields.Int(required=True, metadata=_d("Documents à signer de la session (procès-verbal et grilles)."))
    signed = fields.Int(required=True, metadata=_d("Documents signés par toutes les personnes prévues."))
    sealed = fields.Int(required=True, metadata=_d("Parmi eux, ceux qui portent le cachet de l'organisme."))
    waiting = fields.Int(required=True, metadata=_d("Documents signés dont le cachet est en attente ou en cours."))
    done = fields.Bool(required=True, metadata=_d("Vrai quand aucun cachet n'est en attente."))
    errors = fields.List(fields.Nested(SealingErrorSchema), required=True, metadata=_d(
        "Les cachets dont le dernier essai a échoué (ils sont retentés automatiquement)."))
