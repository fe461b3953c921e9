"""Marshmallow schemas of the platform administration API (:mod:`core.platform.api`)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class GrantedCertificationSchema(ResponseSchema):
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    role = fields.Str(required=True, allow_none=True, validate=validate.OneOf(["certifier", "centre"]),
                      metadata=_d("`certifier` ou `centre` (centre habilité) ; null pour une demande."))
    state = fields.Str(required=True, validate=validate.OneOf(["requested", "enabled", "disabled"]),
                       metadata=_d("`requested` : demandée par l'organisme, pas encore accordée ; `enabled` : "
                                   "accordée et délivrée ; `disabled` : accordée, désactivée par l'organisme."))
    requested_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de la demande (UTC), ou null."))
    granted_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de l'accord (UTC), ou null."))


class GrantedCertificationListSchema(ResponseSchema):
    items = fields.List(fields.Nested(GrantedCertificationSchema), required=True)


class PlatformOrganisationSchema(ResponseSchema):
    id = fields.Int(required=True)
    name = fields.Str(required=True)
    certifications = fields.List(fields.Nested(GrantedCertificationSchema), required=True,
                                 metadata=_d("Certifications accordées ou demandées, par code."))


class PlatformOrganisationListSchema(ResponseSchema):
    items = fields.List(fields.Nested(PlatformOrganisationSchema), required=True,
                        metadata=_d("Les organismes, par nom."))


class GrantRequestSchema(RequestSchema):
    role = fields.Str(required=True, validate=validate.OneOf(["certifier", "centre"]),
                      metadata=_d("`certifier` (un seul par certification) ou `centre` (centre habilité)."))
