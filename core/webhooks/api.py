"""Webhook API: the certifier admin registers, lists and deletes endpoints and reads deliveries.

Only a ``certifier_admin`` token may use it (403 otherwise); an endpoint of
another organisation is a 404 on every URL. The logic lives in
:mod:`core.webhooks.services`.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_spec_extension, declare_tag
from core.extensions import db
from core.webhooks import services
from core.webhooks.models import EVENTS, WebhookDelivery, WebhookEndpoint
from core.webhooks.openapi import add_webhooks
from core.webhooks.schemas import (WebhookCreateSchema, WebhookDeliveryListSchema, WebhookEndpointCreatedSchema,
                                   WebhookEndpointListSchema, WebhookEndpointSchema)

blueprint = api_blueprint("webhooks_api", __name__, url_prefix="/webhooks")

declare_tag("webhooks", "Notifications signées (POST JSON, en-tête `X-Livret-Signature`) envoyées aux systèmes de "
                        "l'organisme à chaque changement d'état qu'il suit : " + ", ".join(f"`{e}`" for e in EVENTS)
            + ". Chaque événement et ses données (`data`, identifiants et codes seulement) sont décrits dans "
              "l'extension `x-webhooks` du document OpenAPI et les schémas `WebhookEvent` et `…Payload`.",
            "Webhooks")
declare_spec_extension(add_webhooks)
declare_error_response("WebhookNotFound", code="webhook_not_found",
                       description="Aucun point de réception de l'organisme du jeton ne porte cet identifiant "
                                   "(celui d'un autre organisme est toujours signalé comme absent).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("WebhookForbidden", code="forbidden",
                       description="Seul un compte administrateur de certificateur gère les webhooks.",
                       message="Seul l'administrateur d'un certificateur gère les notifications (webhooks).")
declare_error_response("WebhookInvalid", code="validation_failed",
                       description="Données invalides : adresse non https, privée, réservée ou introuvable, "
                                   "événement inconnu (`details` par champ).",
                       message="L'adresse 10.0.0.5 est privée, réservée ou locale : les notifications ne sont "
                               "envoyées qu'à des serveurs publics.")


def _endpoint(endpoint: WebhookEndpoint, *, secret: bool = False) -> dict[str, Any]:
    data = {"id": endpoint.id, "url": endpoint.url, "description": endpoint.description or "",
            "events": list(endpoint.events or []), "active": endpoint.active, "created_at": endpoint.created_at,
            "links": {"self": url_for("webhooks_api.webhook", endpoint_id=endpoint.id),
                      "deliveries": url_for("webhooks_api.deliveries", endpoint_id=endpoint.id)}}
    if secret:
        data["secret"] = endpoint.secret
    return data


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {"id": delivery.id, "event": delivery.event, "payload": dict(delivery.payload or {}),
            "status": delivery.status.value, "attempts": delivery.attempts,
            "last_status_code": delivery.last_status_code, "last_error": delivery.last_error,
            "next_attempt_at": delivery.next_attempt_at, "created_at": delivery.created_at,
            "delivered_at": delivery.delivered_at}


@blueprint.post("")
@token_required
def create():
    """Register an endpoint; the secret is in this answer only.
    ---
    post:
      summary: Enregistrer un point de réception
      description: >-
        Enregistre une adresse https:// publique qui recevra, en POST JSON signé, les événements
        choisis de l'organisme. La réponse contient la clé de signature `secret`, affichée cette
        seule fois. Les adresses privées, réservées ou locales sont refusées.
      tags: [webhooks]
      requestBody:
        required: true
        content:
          application/json:
            schema: WebhookCreateSchema
            example: {"url": "https://si.example.org/livret", "events": ["fee.paid"]}
      responses:
        201:
          description: Le point de réception, avec sa clé.
          content:
            application/json:
              schema: WebhookEndpointCreatedSchema
        403: WebhookForbidden
        422: WebhookInvalid
    """
    user = current_api_user()
    services._require_admin(user)
    body = load_json(WebhookCreateSchema)
    endpoint = services.create_endpoint(user, url=body["url"], events=body["events"],
                                        description=body.get("description", ""))
    db.session.commit()
    response = jsonify(WebhookEndpointCreatedSchema().dump(_endpoint(endpoint, secret=True)))
    response.status_code = 201
    response.headers["Location"] = url_for("webhooks_api.webhook", endpoint_id=endpoint.id)
    return response


@blueprint.get("")
@token_required
def index():
    """The organisation's endpoints.
    ---
    get:
      summary: Points de réception de l'organisme
      tags: [webhooks]
      responses:
        200:
          description: Les points de réception (sans leur clé).
          content:
            application/json:
              schema: WebhookEndpointListSchema
        403: WebhookForbidden
    """
    rows = services.endpoints_of(current_api_user())
    return jsonify(WebhookEndpointListSchema().dump({"items": [_endpoint(e) for e in rows]}))


@blueprint.get("/<int:endpoint_id>")
@token_required
def webhook(endpoint_id: int):
    """One endpoint (without its secret).
    ---
    get:
      summary: Détail d'un point de réception
      tags: [webhooks]
      responses:
        200:
          description: Le point de réception.
          content:
            application/json:
              schema: WebhookEndpointSchema
        403: WebhookForbidden
        404: WebhookNotFound
    """
    endpoint = services.get_endpoint_for(current_api_user(), endpoint_id)
    return jsonify(WebhookEndpointSchema().dump(_endpoint(endpoint)))


@blueprint.delete("/<int:endpoint_id>")
@token_required
def delete(endpoint_id: int):
    """Delete an endpoint and its deliveries.
    ---
    delete:
      summary: Supprimer un point de réception
      description: Plus rien n'est envoyé à cette adresse ; l'historique de ses livraisons est effacé.
      tags: [webhooks]
      responses:
        204:
          description: Supprimé.
        403: WebhookForbidden
        404: WebhookNotFound
    """
    user = current_api_user()
    services.delete_endpoint(user, services.get_endpoint_for(user, endpoint_id))
    db.session.commit()
    return "", 204


@blueprint.get("/<int:endpoint_id>/deliveries")
@token_required
def deliveries(endpoint_id: int):
    """The latest deliveries of an endpoint, newest first.
    ---
    get:
      summary: Livraisons d'un point de réception
      description: >-
        Les dernières livraisons (100 par défaut, `limit` jusqu'à 500), de la plus récente à la
        plus ancienne, avec leur état, le nombre d'essais et la dernière erreur.
      tags: [webhooks]
      parameters:
        - name: limit
          in: query
          required: false
          schema: {type: integer, minimum: 1, maximum: 500, default: 100}
      responses:
        200:
          description: Les livraisons.
          content:
            application/json:
              schema: WebhookDeliveryListSchema
        403: WebhookForbidden
        404: WebhookNotFound
    """
    endpoint = services.get_endpoint_for(current_api_user(), endpoint_id)
    limit = min(max(request.args.get("limit", 100, type=int) or 100, 1), 500)
    rows = services.deliveries_of(endpoint, limit=limit)
    return jsonify(WebhookDeliveryListSchema().dump({"items": [_delivery(d) for d in rows]}))
