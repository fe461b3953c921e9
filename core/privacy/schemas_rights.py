"""Request and response bodies of the person's rights in the API (:mod:`core.privacy.api_rights`)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime
from core.auth.forms import PASSWORD_MAX
from core.privacy.self_service import DETAILS_MAX, OPEN_KINDS


def _d(text: str) -> dict:
    return {"description": text}


class MyRequestOrganisationSchema(ResponseSchema):
    id = fields.Int(required=True)
    name = fields.Str(required=True)


class MyPrivacyRequestCreateSchema(RequestSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(OPEN_KINDS), metadata=_d(
        "`rectification` : des données déposées (scellées) sont inexactes ; `objection` : vous vous opposez à un "
        "traitement (RGPD, art. 21)."))
    details = fields.Str(required=True, validate=validate.Length(min=1, max=DETAILS_MAX), metadata=_d(
        "Ce qui est inexact et ce qu'il faudrait lire à la place, ou le traitement auquel vous vous opposez et "
        "pourquoi."))
    dossier_id = fields.Int(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1),
                            metadata=_d("Le dossier concerné (l'un des vôtres) : la demande va à son organisme. "
                                        "Obligatoire pour une rectification quand vous avez des dossiers."))


class MyPrivacyRequestSchema(ResponseSchema):
    id = fields.Int(required=True)
    kind = fields.Str(required=True, metadata={"enum": ["access", "rectification", "erasure", "objection"],
                                               **_d("Accès (export), rectification, effacement, opposition.")})
    status = fields.Str(required=True, metadata={"enum": ["open", "done", "refused"],
                                                 **_d("À traiter, traitée, refusée.")})
    organisation = fields.Nested(MyRequestOrganisationSchema, required=True, allow_none=True, metadata=_d(
        "L'organisme qui traite la demande, ou null (la plateforme)."))
    details = fields.Str(required=True, metadata=_d("La demande."))
    received_at = UtcDateTime(required=True)
    due_at = UtcDateTime(required=True, metadata=_d("Date limite de réponse : un mois après la réception "
                                                    "(RGPD, art. 12-3)."))
    handled_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de la réponse, ou null."))
    response = fields.Str(required=True, metadata=_d("La réponse de l'organisme."))


class MyPrivacyRequestListSchema(ResponseSchema):
    items = fields.List(fields.Nested(MyPrivacyRequestSchema), required=True)


class ErasureCreateSchema(RequestSchema):
    password = fields.Str(required=True, load_only=True, validate=validate.Length(min=1, max=PASSWORD_MAX),
                          metadata=_d("Le mot de passe du compte, saisi à nouveau."))


class ErasureLineSchema(ResponseSchema):
    label = fields.Str(required=True, metadata=_d("Ce qui est supprimé ou conservé."))
    detail = fields.Str(required=True, metadata=_d("Précisions."))
    basis = fields.Str(required=True, metadata=_d("Pour ce qui est conservé : pourquoi (obligation légale, "
                                                  "preuve)."))
    until = fields.Date(required=True, allow_none=True, metadata=_d("Conservé jusqu'à cette date, ou null."))
    forever = fields.Bool(required=True, metadata=_d("Conservé sans limite de durée."))


class ErasureBlockerSchema(ResponseSchema):
    session_id = fields.Int(required=True)
    title = fields.Str(required=True)
    status = fields.Str(required=True, metadata={"enum": ["draft", "open", "closed"]})
    ends_on = fields.Date(required=True, metadata=_d("Dernier jour de la session."))
    possible_from = fields.Date(required=True, metadata=_d("Jour à partir duquel la suppression sera possible."))


class ErasurePlanSchema(ResponseSchema):
    allowed = fields.Bool(required=True, metadata=_d("La suppression est-elle possible maintenant ?"))
    reason = fields.Str(required=True, allow_none=True, metadata=_d("Pourquoi elle ne l'est pas, ou null."))
    possible_from = fields.Date(required=True, allow_none=True, metadata=_d(
        "Jour à partir duquel elle le sera (sessions de jury en cours), ou null."))
    blocking_sessions = fields.List(fields.Nested(ErasureBlockerSchema), required=True, attribute="blockers")
    erased = fields.List(fields.Nested(ErasureLineSchema), required=True, metadata=_d("Ce qui sera supprimé."))
    kept = fields.List(fields.Nested(ErasureLineSchema), required=True, metadata=_d(
        "Ce qui sera conservé, pourquoi et jusqu'à quand."))
    consequences = fields.List(fields.Str(), required=True)
    draft_dossier_ids = fields.Method("get_drafts", required=True, metadata={
        "type": "array", "items": {"type": "integer"}, **_d("Brouillons supprimés entièrement.")})
    erased_dossier_ids = fields.Method("get_submitted", required=True, metadata={
        "type": "array", "items": {"type": "integer"}, **_d("Dossiers déposés vidés de leur contenu.")})
    withdrawn_dossier_ids = fields.Method("get_withdrawn", required=True, metadata={
        "type": "array", "items": {"type": "integer"}, **_d("Parmi eux, candidatures retirées (statut `closed`).")})
    name_kept = fields.Bool(required=True, attribute="keep_name", metadata=_d(
        "Le nom reste sur le compte fermé (des documents scellés le portent)."))

    def get_drafts(self, plan) -> list[int]:
        return [d.id for d in plan.drafts]

    def get_submitted(self, plan) -> list[int]:
        return [d.id for d in plan.submitted]

    def get_withdrawn(self, plan) -> list[int]:
        return [d.id for d in plan.withdrawn]


class ErasureDoneSchema(ResponseSchema):
    status = fields.Str(required=True, metadata=_d("Toujours « erased »."))
    message = fields.Str(required=True)
    erased_at = UtcDateTime(required=True)
    drafts_deleted = fields.Int(required=True)
    dossiers_erased = fields.Int(required=True)
    dossiers_withdrawn = fields.Int(required=True)
    annexes_deleted = fields.Int(required=True)
    name_kept = fields.Bool(required=True)
    kept = fields.List(fields.Nested(ErasureLineSchema), required=True, metadata=_d(
        "Ce qui est conservé, pourquoi et jusqu'à quand."))
