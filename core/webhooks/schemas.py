"""Marshmallow schemas of the webhook API (:mod:`core.webhooks.api`)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime
from core.webhooks.models import EVENTS


def _d(text: str) -> dict:
    return {"description": text}


class WebhookCreateSchema(RequestSchema):
    url = fields.Str(required=True, validate=validate.Length(min=1, max=2000), metadata=_d(
        "Adresse https:// publique qui recevra les notifications (POST JSON)."))
    events = fields.List(fields.Str(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(min=1),
                         metadata=_d("Événements souscrits : " + ", ".join(f"`{e}`" for e in EVENTS) + "."))
    description = fields.Str(load_default="", validate=validate.Length(max=200),
                             metadata=_d("Libellé libre (par exemple le nom du système destinataire)."))


class WebhookEndpointSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du point de réception."))
    url = fields.Str(required=True, metadata=_d("Adresse qui reçoit les notifications."))
    description = fields.Str(required=True, metadata=_d("Libellé libre."))
    events = fields.List(fields.Str(metadata={"enum": list(EVENTS)}), required=True,
                         metadata=_d("Événements souscrits."))
    active = fields.Bool(required=True, metadata=_d("Faux : plus rien n'est envoyé."))
    created_at = UtcDateTime(required=True, metadata=_d("Date de création."))
    links = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata=_d("Chemins liés (livraisons)."))


class WebhookEndpointCreatedSchema(WebhookEndpointSchema):
    secret = fields.Str(required=True, metadata=_d(
        "Clé de signature HMAC-SHA256, affichée cette seule fois : conservez-la pour vérifier "
        "l'en-tête `X-Livret-Signature`."))


class WebhookEndpointListSchema(ResponseSchema):
    items = fields.List(fields.Nested(WebhookEndpointSchema), required=True)


class WebhookDeliverySchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de la livraison (en-tête `X-Livret-Delivery`)."))
    event = fields.Str(required=True, metadata={"enum": list(EVENTS), **_d("Événement.")})
    payload = fields.Dict(required=True, metadata=_d("Données de l'événement (identifiants et codes seulement)."))
    status = fields.Str(required=True, metadata={"enum": ["pending", "delivered", "failed"], **_d(
        "pending : en attente ou nouvel essai prévu ; delivered : réponse 2xx reçue ; failed : "
        "abandonnée après 5 essais.")})
    attempts = fields.Int(required=True, metadata=_d("Nombre d'essais d'envoi."))
    last_status_code = fields.Int(allow_none=True, metadata=_d("Statut HTTP de la dernière réponse."))
    last_error = fields.Str(allow_none=True, metadata=_d("Erreur du dernier essai."))
    next_attempt_at = UtcDateTime(allow_none=True, metadata=_d("Date du prochain essai (en attente seulement)."))
    created_at = UtcDateTime(required=True, metadata=_d("Date de l'événement."))
    delivered_at = UtcDateTime(allow_none=True, metadata=_d("Date de la livraison réussie."))


class WebhookDeliveryListSchema(ResponseSchema):
    items = fields.List(fields.Nested(WebhookDeliverySchema), required=True)
