"""The webhook events in the OpenAPI document.

The document is OpenAPI 3.0 (:data:`core.api.spec.OPENAPI_VERSION`), which has no
top-level ``webhooks`` object (3.1 has): each payload schema is a component
(``components/schemas/<Event>Payload``), the envelope is ``WebhookEvent``, and
the ``x-webhooks`` extension (the 3.1 shape, read by Redoc and others) describes
the ``POST`` each event makes to the endpoint, keyed by event name.
"""
from __future__ import annotations

from typing import Any

from apispec import APISpec

from core.webhooks.models import EVENTS
from core.webhooks.schemas import EVENT_PAYLOADS, WebhookEventSchema

EXTENSION = "x-webhooks"
ENVELOPE = "WebhookEvent"

_HEADERS = (
    ("X-Livret-Event", "Événement, par exemple `fee.paid`."),
    ("X-Livret-Delivery", "Identifiant de la livraison, le même à chaque nouvel essai : ignorez les doublons."),
    ("X-Livret-Timestamp", "Heure Unix de cet essai (aussi `timestamp` dans le corps signé)."),
    ("X-Livret-Signature", "`sha256=` suivi du HMAC-SHA256 (hexadécimal) du corps brut, clé : le secret du "
                           "point de réception."),
)


def component_name(event: str) -> str:
    return EVENT_PAYLOADS[event].schema.__name__.removesuffix("Schema")


def _schema(spec: APISpec, name: str, schema: Any) -> None:
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema)


def add_webhooks(spec: APISpec) -> None:
    """Add the payload components and ``x-webhooks`` to ``spec`` (a :func:`declare_spec_extension`)."""
    _schema(spec, ENVELOPE, WebhookEventSchema)
    hooks: dict[str, Any] = {}
    for event in EVENTS:
        payload = EVENT_PAYLOADS[event]
        name = component_name(event)
        _schema(spec, name, payload.schema)
        body = {"allOf": [{"$ref": f"#/components/schemas/{ENVELOPE}"}, {
            "type": "object", "required": ["event", "data"],
            "properties": {"event": {"type": "string", "enum": [event]},
                           "data": {"$ref": f"#/components/schemas/{name}"}}}]}
        hooks[event] = {"post": {
            "summary": event, "description": payload.when, "tags": ["webhooks"],
            "operationId": "webhook_" + event.replace(".", "_"),
            "parameters": [{"name": header, "in": "header", "required": True, "description": text,
                            "schema": {"type": "string"}} for header, text in _HEADERS],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"2XX": {"description": "Reçu : toute réponse 2xx en moins de 10 s. Sinon, nouvel essai "
                                                 "après 1 min, 5 min, 30 min puis 2 h ; abandon au cinquième."}},
        }}
    spec.options[EXTENSION] = hooks
