"""The generated OpenAPI document and the docs page."""
from __future__ import annotations

import html
import re

import pytest
from openapi_spec_validator import validate

ENDPOINTS = {
    # (method, path): (auth, 2xx status, response schema or None, error responses)
    ("get", "/api/v1/openapi.json"): (None, "200", None, set()),
    ("get", "/api/v1/docs"): (None, "200", None, set()),
    ("get", "/api/v1/certifications"): ("optional", "200", "CertificationList", {"401"}),
    ("get", "/api/v1/certifications/{code}"): ("optional", "200", "Certification", {"401", "404"}),
    ("get", "/api/v1/me"): ("required", "200", "Me", {"401"}),
    ("get", "/api/v1/tokens"): ("required", "200", "TokenList", {"401"}),
    ("delete", "/api/v1/tokens/{token_id}"): ("required", "204", None, {"401", "404"}),
    ("delete", "/api/v1/tokens/current"): ("required", "204", None, {"401"}),
}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.get_json()


def _resolve(spec, obj):
    while "$ref" in obj:
        _hash, section, kind, name = obj["$ref"].split("/")
        obj = spec[section][kind][name]
    return obj


def test_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Livret API" and spec["info"]["version"] == "1"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearerAuth"][
            "description"]}


def test_error_schema_is_the_core_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = _resolve(spec, error["properties"]["error"])
    assert set(body["properties"]) == {"code", "message", "details"}
    assert set(body["required"]) == {"code", "message", "details"}


def test_every_endpoint_is_documented_with_schemas_and_security(spec):
    paths = spec["paths"]
    for (method, path), (auth, ok, schema, errors) in ENDPOINTS.items():
        operation = paths[path][method]
        assert operation["summary"] and operation["tags"], (method, path)
        if auth == "required":
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
        elif auth == "optional":
            assert {} in operation["security"] and {"bearerAuth": []} in operation["security"]
        else:
            assert operation["security"] == []
        responses = operation["responses"]
        assert ok in responses
        if schema:
            assert responses[ok]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{schema}"}
            assert schema in spec["components"]["schemas"]
        assert errors <= set(responses)
        for status in errors:  # every error response is the common Error schema
            resolved = _resolve(spec, responses[status])
            assert resolved["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}

    code_param = paths["/api/v1/certifications/{code}"]["get"]["parameters"][0]
    assert code_param["name"] == "code" and code_param["in"] == "path" and code_param["required"] is True
    token_param = paths["/api/v1/tokens/{token_id}"]["delete"]["parameters"][0]
    assert token_param["schema"]["type"] == "integer"
    not_found = _resolve(spec, paths["/api/v1/certifications/{code}"]["get"]["responses"]["404"])
    assert not_found["content"]["application/json"]["example"]["error"]["code"] == "certification_not_found"


def test_schemas_describe_the_nested_certification(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["Certification"]["properties"]["blocks"]["items"] == {"$ref": "#/components/schemas/Block"}
    assert schemas["Block"]["properties"]["competencies"]["items"] == {"$ref": "#/components/schemas/Competency"}
    assert schemas["Competency"]["properties"]["criteria"]["items"] == {"$ref": "#/components/schemas/Criterion"}
    for name in ("EvaluationScheme", "Evaluation", "ScheduleStep", "DecisionRules", "Outcome", "JuryRule",
                 "Deadline", "Fee", "CertificationSummary", "Token", "Me", "OrganisationRef"):
        assert schemas[name]["properties"], name
    assert schemas["Token"]["properties"]["created_at"]["format"] == "date-time"
    assert set(schemas["Me"]["properties"]["role"]["enum"]) >= {"candidate", "juror", "platform_admin"}
    # Responses may gain fields later without breaking strict clients.
    assert "additionalProperties" not in schemas["Certification"]


def test_every_api_operation_has_a_summary_and_a_documented_success(spec):
    """A guard for endpoints added later by other areas and plugins."""
    ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            ids.append(operation["operationId"])
            assert operation["summary"], (method, path)
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
    assert len(ids) == len(set(ids))


def test_endpoints_added_later_document_themselves(app, client, bearer, create_user, make_token, monkeypatch):
    """What another area or a plugin does: a blueprint from api_blueprint and a docstring."""
    from flask import jsonify
    from marshmallow import Schema, fields

    from core.api import spec as spec_module
    from core.api.auth import current_api_user, token_required
    from core.api.blueprint import api_blueprint
    from core.api.spec import declare_error_response

    monkeypatch.setattr(spec_module, "ERROR_RESPONSES", dict(spec_module.ERROR_RESPONSES))  # keep it to this test

    class ThrowawayWidgetSchema(Schema):
        id = fields.Int(required=True)
        owner = fields.Email(required=True)

    declare_error_response("ThrowawayWidgetNotFound", code="widget_not_found", description="Pas de widget.")
    bp = api_blueprint("throwaway_widgets", __name__, url_prefix="/widgets")

    @bp.post("/<int:widget_id>/poke")
    @token_required
    def poke(widget_id):
        """Poke a widget.
        ---
        post:
          summary: Pousser un widget
          responses:
            200:
              description: Le widget.
              content:
                application/json:
                  schema: ThrowawayWidgetSchema
            404: ThrowawayWidgetNotFound
        """
        return jsonify(ThrowawayWidgetSchema().dump({"id": widget_id, "owner": current_api_user().email}))

    app.register_blueprint(bp)
    from core import policy

    monkeypatch.setitem(policy.ENDPOINTS, "throwaway_widgets.poke", policy.SIGNED_IN)  # its line of the policy
    app.config["WTF_CSRF_ENABLED"] = True  # API blueprints are exempt: bearer tokens, no cookies

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    operation = spec["paths"]["/api/v1/widgets/{widget_id}/poke"]["post"]
    assert operation["summary"] == "Pousser un widget"
    assert operation["tags"] == ["widgets"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert operation["parameters"] == [{"name": "widget_id", "in": "path", "required": True,
                                        "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}]
    assert operation["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}
    assert operation["responses"]["404"] == {"$ref": "#/components/responses/ThrowawayWidgetNotFound"}
    assert "ThrowawayWidget" in spec["components"]["schemas"]

    user = create_user()
    response = client.post("/api/v1/widgets/7/poke", headers=bearer(make_token(user)))
    assert response.status_code == 200
    assert response.get_json() == {"id": 7, "owner": user.email}

    page = html.unescape(client.get("/api/v1/docs").get_data(as_text=True))
    assert "POST /api/v1/widgets/{widget_id}/poke" in page and "widget_not_found" in page


def test_docs_page_is_french_accessible_and_lists_every_endpoint(client, spec):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    raw = response.get_data(as_text=True)
    page = html.unescape(raw)
    assert '<html lang="fr">' in raw
    assert "<h1>Documentation de l'API" in page
    assert "Sommaire" in page and "Schémas" in page and "Présentation" in page

    for method, path in ENDPOINTS:
        assert f"{method.upper()} {path}" in page, (method, path)
        assert spec["paths"][path][method]["summary"] in page
    assert "Jeton d'accès obligatoire (schéma bearerAuth)." in page
    assert "Aucune : accès public." in page
    for code in ("unauthorized", "certification_not_found", "token_not_found"):
        assert f"<code>{code}</code>" in page
    for name in ("Certification", "Block", "Competency", "Criterion", "Token", "Me", "Error"):
        assert f'id="schema-{name}"' in raw

    # The table of contents and type links point at ids on the page.
    ids = set(re.findall(r'id="([^"]+)"', raw))
    targets = set(re.findall(r'href="#([^"]+)"', raw))
    assert targets and targets <= ids
    # Data tables have a caption and header cells; nothing is loaded from elsewhere.
    assert raw.count("<table>") == raw.count("<caption>") > 0
    assert 'scope="col"' in raw
    assert not re.search(r'<script[^>]+src="(https?:)?//', raw)
    assert not re.search(r'<link[^>]+href="(https?:)?//', raw)


def test_footer_links_to_the_docs(client):
    assert 'href="/api/v1/docs"' in client.get("/").get_data(as_text=True)


def test_every_download_declares_its_digest_headers_and_the_304(spec):
    """Every operation answering a binary body (a download) declares ``ETag`` and ``Content-Digest`` on its
    success, the 304 and the ``If-None-Match`` header; only files generated as they stream (declared
    ``checkable=False``: the back-office export) announce no digest."""
    from core.api.spec import UNCHECKABLE_FILE_RESPONSES

    downloads = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                name = response.get("$ref", "").rpartition("/")[2]
                resolved = _resolve(spec, response)
                binary = any(media.get("schema", {}).get("format") == "binary"
                             for media in (resolved.get("content") or {}).values())
                if not status.startswith("2") or not binary or name in UNCHECKABLE_FILE_RESPONSES:
                    continue
                downloads.append((method, path))
                headers = {h: _resolve(spec, v) for h, v in resolved.get("headers", {}).items()}
                assert {"ETag", "Content-Digest"} <= set(headers), (method, path)
                assert "sha-256" in headers["Content-Digest"]["description"]
                assert operation["responses"]["304"] == {"$ref": "#/components/responses/NotModified"}
                params = [p for p in operation["parameters"] if p["in"] == "header"]
                assert [p["name"] for p in params] == ["If-None-Match"], (method, path)
    assert {("get", "/api/v1/documents/{document_id}/content"),
            ("get", "/api/v1/sessions/{session_id}/pv/{pv_id}/content"),
            ("get", "/api/v1/dossiers/{dossier_id}/annexes/{number}/content"),
            ("get", "/api/v1/dossiers/{dossier_id}/preview")} <= set(downloads)
    assert _resolve(spec, spec["components"]["responses"]["NotModified"])["headers"]["ETag"] == {
        "$ref": "#/components/headers/ETag"}
