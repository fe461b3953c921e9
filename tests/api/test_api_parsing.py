"""JSON bodies read with core.api.parsing: French 400/422 errors, CSRF exemption of API blueprints."""
from __future__ import annotations

import pytest


@pytest.fixture
def echo_endpoint(app, monkeypatch):
    """A throwaway POST endpoint, as a later area would write one (with its line of the policy)."""
    from flask import jsonify
    from marshmallow import fields, validate

    from core.api.blueprint import api_blueprint
    from core.api.parsing import RequestSchema, load_json

    class ThrowawayItemSchema(RequestSchema):
        label = fields.Str(required=True)

    class ThrowawayEchoSchema(RequestSchema):
        name = fields.Str(required=True, validate=validate.Length(min=2, error="Deux caractères au moins."))
        count = fields.Int(required=True)
        email = fields.Email(load_default=None)
        tags = fields.List(fields.Int(), load_default=list)
        item = fields.Nested(ThrowawayItemSchema, load_default=None)

    bp = api_blueprint("throwaway_echo", __name__)

    @bp.post("/echo")
    def echo():
        """Echo a body.
        ---
        post:
          summary: Renvoyer le corps
          requestBody:
            content:
              application/json:
                schema: ThrowawayEchoSchema
          responses:
            200:
              description: Le corps lu.
            400: BadRequest
            422: ValidationFailed
        """
        data = load_json(ThrowawayEchoSchema)
        return jsonify({"name": data["name"], "count": data["count"], "tags": data["tags"]})

    app.register_blueprint(bp)
    from core import policy

    monkeypatch.setitem(policy.ENDPOINTS, "throwaway_echo.echo", policy.PUBLIC)
    app.config["WTF_CSRF_ENABLED"] = True  # API blueprints are exempt: bearer tokens, no cookies
    return "/api/v1/echo"


def test_valid_body_is_loaded(client, echo_endpoint):
    response = client.post(echo_endpoint, json={"name": "Awa", "count": 3, "tags": [1, 2]})
    assert response.status_code == 200
    assert response.get_json() == {"name": "Awa", "count": 3, "tags": [1, 2]}


@pytest.mark.parametrize("kwargs", [{"data": "pas du json", "content_type": "application/json"},
                                    {"data": "name=Awa", "content_type": "application/x-www-form-urlencoded"},
                                    {}])
def test_body_that_is_not_json_is_a_french_400(client, echo_endpoint, kwargs):
    response = client.post(echo_endpoint, **kwargs)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json"
    assert "Content-Type: application/json" in error["message"]


def test_invalid_fields_are_a_422_with_french_messages_per_field(client, echo_endpoint):
    response = client.post(echo_endpoint, json={"name": "A", "count": "beaucoup", "email": "nope",
                                                "tags": [1, "x"], "item": {}, "extra": 1})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "Certaines données sont invalides."
    assert error["details"] == {
        "name": ["Deux caractères au moins."],
        "count": ["Ce champ doit être un nombre entier."],
        "email": ["Adresse électronique invalide."],
        "tags": {"1": ["Ce champ doit être un nombre entier."]},
        "item": {"label": ["Ce champ est obligatoire."]},
        "extra": ["Champ inconnu."],
    }


def test_missing_fields_and_wrong_top_level_type(client, echo_endpoint):
    details = client.post(echo_endpoint, json={}).get_json()["error"]["details"]
    assert details == {"name": ["Ce champ est obligatoire."], "count": ["Ce champ est obligatoire."]}
    response = client.post(echo_endpoint, json=[1, 2])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"_schema": ["Un objet JSON est attendu."]}


def test_request_body_is_documented(client, echo_endpoint):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/echo"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ThrowawayEcho"}
    assert spec["components"]["schemas"]["ThrowawayEcho"]["additionalProperties"] is False
    assert operation["responses"]["422"] == {"$ref": "#/components/responses/ValidationFailed"}
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert 'Corps de la requête' in page and 'href="#schema-ThrowawayEcho"' in page


def test_built_in_validators_answer_in_french(app):
    from marshmallow import fields, validate

    from core.api.parsing import RequestSchema

    class Probe(RequestSchema):
        name = fields.Str(validate=validate.Length(min=2, max=5))
        count = fields.Int(validate=validate.Range(min=1, max=3))
        colour = fields.Str(validate=validate.OneOf(["rouge", "vert"]))

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        errors = Probe().validate({"name": "x", "count": 9, "colour": "bleu"})
    assert errors == {"name": ["Longueur attendue : de 2 à 5 (caractères ou éléments)."],
                      "count": ["Nombre attendu : de 1 à 3."],
                      "colour": ["Valeur non autorisée. Valeurs possibles : rouge, vert."]}
