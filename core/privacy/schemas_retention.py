"""Marshmallow schemas of the retention API (:mod:`core.privacy.api_retention`), in the OpenAPI document."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime
from core.privacy.declarations import DELETE, KEEP, KINDS, PSEUDONYMISE, REMIND


def _d(text: str) -> dict:
    return {"description": text}


class RetentionRuleSchema(ResponseSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS), metadata=_d("Sorte de données."))
    label = fields.Str(required=True, metadata=_d("Ce qui est conservé, en français."))
    months = fields.Int(required=True, allow_none=True, metadata=_d(
        "Durée de conservation en mois qui s'applique aux dossiers de l'organisme ; null : sans limite."))
    default_months = fields.Int(required=True, allow_none=True, metadata=_d(
        "Durée prévue par la certification (sans réglage de l'organisme) ; null : sans limite."))
    minimum = fields.Int(required=True, allow_none=True, metadata=_d("Durée la plus courte que l'organisme peut "
                                                                      "choisir, ou null."))
    maximum = fields.Int(required=True, allow_none=True, metadata=_d("Durée la plus longue que l'organisme peut "
                                                                      "choisir, ou null."))
    adjustable = fields.Bool(required=True, metadata=_d("Vrai si l'organisme peut changer la durée (PUT)."))
    action = fields.Str(required=True, validate=validate.OneOf([DELETE, PSEUDONYMISE, KEEP, REMIND]), metadata=_d(
        "Ce qui se passe à l'échéance : `delete` (suppression), `pseudonymise` (les données personnelles sont "
        "effacées, l'enregistrement reste), `keep` (conservé sans limite), `remind` (courriel de rappel)."))
    action_label = fields.Str(required=True, metadata=_d("La même chose, en français."))
    starts = fields.Str(required=True, metadata=_d("L'événement à partir duquel la durée court, en français."))
    basis = fields.Str(required=True, metadata=_d("Pourquoi : l'obligation légale ou la finalité, en français."))


class RetentionCertificationSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la certification."))
    rules = fields.List(fields.Nested(RetentionRuleSchema), required=True,
                        metadata=_d("Les règles qui s'appliquent aux dossiers de l'organisme pour cette "
                                    "certification."))


class RetentionUpcomingItemSchema(ResponseSchema):
    kind = fields.Str(required=True, metadata=_d("Sorte de données (`draft_reminder`, `draft`, "
                                                 "`dossier_after_decision`, `inadmissible`, `fee_records`)."))
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    reference = fields.Str(required=True, allow_none=True, metadata=_d(
        "Référence du dossier, ou null pour un brouillon jamais déposé."))
    certification = fields.Str(required=True, metadata=_d("Code de la certification du dossier."))
    due_at = UtcDateTime(required=True, metadata=_d("Date d'échéance (UTC) : le passage quotidien suivant "
                                                   "applique la règle."))


class RetentionUpcomingSchema(ResponseSchema):
    start = UtcDateTime(required=True, metadata=_d("Début de la période (maintenant, UTC)."))
    until = UtcDateTime(required=True, metadata=_d("Fin de la période : un mois plus tard (UTC)."))
    items = fields.List(fields.Nested(RetentionUpcomingItemSchema), required=True, metadata=_d(
        "Ce que les règles actuelles feront arriver à échéance pendant la période, par sorte puis par date."))
    due_now = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True, metadata=_d(
        "Par sorte, le nombre d'éléments déjà arrivés à échéance, traités au prochain passage."))


class RetentionReportSchema(ResponseSchema):
    certifications = fields.List(fields.Nested(RetentionCertificationSchema), required=True, metadata=_d(
        "Les certifications que l'organisme délivre (ou dont il a des dossiers), avec leurs règles."))
    platform_rules = fields.List(fields.Nested(RetentionRuleSchema), required=True, metadata=_d(
        "Les règles communes à toute la plateforme (sessions de connexion, compteurs, journal d'audit), que "
        "l'organisme ne modifie pas."))
    upcoming = fields.Nested(RetentionUpcomingSchema, required=True, metadata=_d(
        "Ce qui sera supprimé le mois prochain pour les dossiers de l'organisme."))


class RetentionPeriodUpdateSchema(RequestSchema):
    months = fields.Int(required=True, strict=True, validate=validate.Range(
        min=0, max=100_000, error=_l("La durée doit être un nombre entier de mois entre 0 et 100 000.")),
        metadata=_d("La nouvelle durée en mois, entre les bornes `minimum` et `maximum` de la règle. La durée "
                    "de la certification (`default_months`) supprime le réglage de l'organisme."))
