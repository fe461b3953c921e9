"""Marshmallow schemas of the register of rights requests and of the privacy notices (:mod:`core.privacy.api_register`)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime
from core.privacy.models import RequestKind, RequestStatus
from core.privacy.register import CHANNEL_LABELS, DETAILS_MAX, ENTERED_CHANNELS, LABEL_MAX

KINDS = [k.value for k in RequestKind]
STATUSES = [s.value for s in RequestStatus]


def _d(text: str) -> dict:
    return {"description": text}


class RegisterEntryCreateSchema(RequestSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS), metadata=_d(
        "Type de demande : access (accès), rectification, erasure (effacement), objection (opposition)."))
    subject_email = fields.Str(load_default="", validate=validate.Length(max=254), metadata=_d(
        "Adresse électronique d'un candidat ayant un dossier auprès de l'organisme (pour l'administration de la "
        "plateforme : de tout compte). Ou bien `subject_label`."))
    subject_label = fields.Str(load_default="", validate=validate.Length(max=LABEL_MAX), metadata=_d(
        "La personne, en quelques mots, quand elle n'a pas de compte."))
    channel = fields.Str(required=True, validate=validate.OneOf(ENTERED_CHANNELS), metadata=_d(
        "Comment la demande est arrivée : `email` (courrier électronique), `letter` (courrier postal), `phone` "
        "(téléphone), `in_person` (en personne), `other` (autre)."))
    received_on = fields.Date(load_default=None, metadata=_d(
        "Jour de réception (AAAA-MM-JJ, heure de Paris ; par défaut aujourd'hui), au plus un an en arrière. Le "
        "délai d'un mois court à partir de ce jour."))
    details = fields.Str(load_default="", validate=validate.Length(max=DETAILS_MAX), metadata=_d(
        "Ce que demande la personne."))


class RegisterEntryUpdateSchema(RequestSchema):
    status = fields.Str(required=True, validate=validate.OneOf(["done", "refused"]), metadata=_d(
        "Suite donnée : done (traitée) ou refused (refusée)."))
    response = fields.Str(required=True, validate=validate.Length(min=1, max=DETAILS_MAX), metadata=_d(
        "La réponse apportée à la personne (obligatoire ; un refus est motivé)."))


class RegisterSubjectSchema(ResponseSchema):
    id = fields.Int(allow_none=True, metadata=_d("Compte de la personne, s'il y en a un (null sinon)."))
    label = fields.Str(required=True, metadata=_d("La personne, telle que le registre la nomme (un compte "
                                                  "effacé n'est plus nommé)."))


class RegisterEntrySchema(ResponseSchema):
    id = fields.Int(required=True)
    kind = fields.Str(required=True, metadata={"enum": KINDS, **_d("Type de demande.")})
    kind_label = fields.Str(required=True, metadata=_d("Type de demande, en français."))
    status = fields.Str(required=True, metadata={"enum": STATUSES, **_d("open (à traiter), done, refused.")})
    status_label = fields.Str(required=True, metadata=_d("État, en français."))
    overdue = fields.Bool(required=True, metadata=_d("Vrai : ouverte et son délai d'un mois est dépassé."))
    organisation_id = fields.Int(allow_none=True, metadata=_d("Organisme concerné (null : la plateforme)."))
    subject = fields.Nested(RegisterSubjectSchema, required=True)
    channel = fields.Str(required=True, metadata={"enum": list(CHANNEL_LABELS), **_d("Moyen de réception.")})
    channel_label = fields.Str(required=True)
    details = fields.Str(required=True)
    received_at = UtcDateTime(required=True)
    due_at = UtcDateTime(required=True, metadata=_d("Réponse attendue au plus tard : un mois après la réception."))
    handled_at = UtcDateTime(allow_none=True)
    handled_by_id = fields.Int(allow_none=True)
    response = fields.Str(required=True)
    created_by_id = fields.Int(allow_none=True, metadata=_d("Qui l'a enregistrée (null : la personne elle-même)."))
    links = fields.Dict(keys=fields.Str(), values=fields.Str())


class RegisterEntryListSchema(ResponseSchema):
    items = fields.List(fields.Nested(RegisterEntrySchema), required=True)
    total = fields.Int(required=True, metadata=_d("Nombre de demandes correspondant au filtre."))
    page = fields.Int(required=True)
    pages = fields.Int(required=True)
    counts = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True, metadata=_d(
        "Nombre de demandes par état (open, done, refused) et de demandes en retard (overdue)."))


# -- the privacy notice --------------------------------------------------------------------------

class PrivacyNoticeControllerSchema(ResponseSchema):
    name = fields.Str(required=True)
    role = fields.Str(required=True, metadata=_d("Certificateur ou centre habilité."))
    contact = fields.Str(required=True, metadata=_d("Adresse électronique de contact (peut être vide)."))


class PrivacyNoticeRetentionSchema(ResponseSchema):
    kind = fields.Str(required=True, metadata=_d("Type de données (core.privacy.declarations.KINDS)."))
    label = fields.Str(required=True)
    months = fields.Int(allow_none=True, metadata=_d("Durée en mois (null : conservées sans limite)."))
    action = fields.Str(required=True, metadata={"enum": ["delete", "pseudonymise", "keep", "remind"]})
    starts = fields.Str(required=True, metadata=_d("L'événement à partir duquel la durée court."))
    text = fields.Str(required=True, metadata=_d("La durée en toutes lettres."))
    basis = fields.Str(required=True, metadata=_d("Pourquoi cette durée."))
    variations = fields.List(fields.Str(), required=True, metadata=_d("Organismes ayant choisi une autre durée."))


class PrivacyNoticeActivitySchema(ResponseSchema):
    key = fields.Str(required=True)
    name = fields.Str(required=True)
    purposes = fields.List(fields.Str(), required=True)
    legal_basis = fields.Str(required=True)
    data_subjects = fields.List(fields.Str(), required=True)
    categories = fields.List(fields.Str(), required=True)
    recipients = fields.List(fields.Str(), required=True)
    retention = fields.List(fields.Nested(PrivacyNoticeRetentionSchema), required=True)
    security = fields.List(fields.Str(), required=True)
    certification = fields.Str(allow_none=True, metadata=_d("La certification concernée (null : toute la "
                                                            "plateforme)."))


class PrivacyNoticeRightSchema(ResponseSchema):
    right = fields.Str(required=True)
    text = fields.Str(required=True)


class PrivacyNoticeSchema(ResponseSchema):
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True)
    controllers = fields.List(fields.Nested(PrivacyNoticeControllerSchema), required=True)
    operator = fields.Str(required=True, metadata=_d("Qui héberge et exploite la plateforme (sous-traitant)."))
    contact = fields.Str(required=True, metadata=_d("À qui adresser une demande relative à ses données."))
    activities = fields.List(fields.Nested(PrivacyNoticeActivitySchema), required=True)
    rights = fields.List(fields.Nested(PrivacyNoticeRightSchema), required=True)
    links = fields.Dict(keys=fields.Str(), values=fields.Str())
