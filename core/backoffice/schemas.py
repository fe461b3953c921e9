"""Marshmallow schemas of the back-office API (:mod:`core.backoffice.api`), in the OpenAPI document."""
from __future__ import annotations

from marshmallow import fields

from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class BackofficeCandidateSchema(ResponseSchema):
    last_name = fields.Str(required=True, metadata=_d("Nom du candidat ou de la candidate."))
    first_name = fields.Str(required=True, metadata=_d("Prénom."))
    email = fields.Str(required=True, metadata=_d("Adresse électronique."))


class BackofficeDossierLinksSchema(ResponseSchema):
    html = fields.Str(required=True, metadata=_d("Page du dossier dans le navigateur."))
    api = fields.Str(required=True, metadata=_d("Le dossier dans l'API (GET /dossiers/{id})."))


class BackofficeDossierSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    reference = fields.Str(required=True, metadata=_d("Référence, par exemple RNCP37827-2026-000123."))
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    status = fields.Str(required=True, metadata=_d("Statut (jamais « draft » : les brouillons ne sont pas listés)."))
    status_label = fields.Str(required=True, metadata=_d("Libellé du statut, en français."))
    submitted_at = UtcDateTime(required=True, metadata=_d("Date et heure du dernier dépôt (UTC)."))
    candidate = fields.Nested(BackofficeCandidateSchema, required=True)
    links = fields.Nested(BackofficeDossierLinksSchema, required=True)


class BackofficeDossierPageSchema(ResponseSchema):
    items = fields.List(fields.Nested(BackofficeDossierSchema), required=True,
                        metadata=_d("Au plus 50 dossiers, dans l'ordre demandé."))
    next = fields.Str(required=True, allow_none=True, metadata=_d(
        "Curseur opaque de la page suivante, à renvoyer tel quel dans le paramètre `cursor` avec les mêmes "
        "filtres ; null sur la dernière page."))
    previous = fields.Str(required=True, allow_none=True, metadata=_d(
        "Curseur opaque de la page précédente ; null sur la première page."))
    count = fields.Int(required=True, metadata=_d(
        "Nombre de dossiers correspondant aux filtres, plafonné à 1000 (voir `count_capped`)."))
    count_capped = fields.Bool(required=True, metadata=_d("Vrai si plus de 1000 dossiers correspondent."))
