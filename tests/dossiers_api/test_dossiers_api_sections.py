"""GET /api/v1/certifications/{code}/sections: each form section's fields as JSON Schema."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from dossier_api_data import BARE_CODE, CODE, COMPLETE  # tests/dossiers_api/dossier_api_data.py


@pytest.fixture
def sections(api) -> dict:
    response = api.get(f"/api/v1/certifications/{CODE.lower()}/sections")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.get_json()


def test_sections_are_listed_in_order_with_their_kind(sections):
    assert sections["certification"] == CODE
    assert [(s["key"], s["kind"], s["required"]) for s in sections["items"]] == [
        ("etat_civil", "form", True), ("lettre_motivation", "form", True), ("annexes", "annexes", False),
        ("contenu", "contents", True), ("declaration_honneur", "form", True)]
    by_key = {s["key"]: s for s in sections["items"]}
    assert by_key["etat_civil"]["title"] == "État civil"
    assert by_key["annexes"]["schema"] is None and by_key["annexes"]["draft_schema"] is None


def test_form_schemas_are_valid_json_schemas_that_accept_complete_data(sections):
    forms = [s for s in sections["items"] if s["kind"] == "form"]
    assert len(forms) == 3
    for section in forms:
        for name in ("schema", "draft_schema"):
            Draft202012Validator.check_schema(section[name])
        jsonschema.validate(COMPLETE[section["key"]], section["schema"])
        jsonschema.validate(COMPLETE[section["key"]], section["draft_schema"])


def test_schema_requires_what_the_draft_schema_does_not(sections):
    etat_civil = next(s for s in sections["items"] if s["key"] == "etat_civil")
    assert "nom_famille" in etat_civil["schema"]["required"]
    assert "required" not in etat_civil["draft_schema"]
    draft = {"nom_famille": "Martin"}
    jsonschema.validate(draft, etat_civil["draft_schema"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(draft, etat_civil["schema"])
    with pytest.raises(jsonschema.ValidationError):  # unknown fields are refused by both
        jsonschema.validate({"surnom": "Clo"}, etat_civil["draft_schema"])
    assert etat_civil["schema"]["properties"]["date_naissance"]["format"] == "date"


def test_certification_without_online_dossier_has_no_sections(api):
    response = api.get(f"/api/v1/certifications/{BARE_CODE}/sections")
    assert response.status_code == 200
    assert response.get_json() == {"certification": BARE_CODE, "items": []}


def test_unknown_certification_is_a_404(api):
    response = api.get("/api/v1/certifications/NOPE999/sections")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "certification_not_found"


def test_a_token_is_required(client, dossier_plugin):
    response = client.get(f"/api/v1/certifications/{CODE}/sections")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_openapi_document_describes_the_dossier_endpoints(client, dossier_plugin):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    assert set(paths["/api/v1/dossiers"]) >= {"get", "post"}
    section = paths["/api/v1/dossiers/{dossier_id}/sections/{key}"]
    assert set(section) >= {"get", "put"}
    assert section["put"]["responses"]["422"] == {"$ref": "#/components/responses/SectionInvalid"}
    assert section["put"]["security"] == [{"bearerAuth": []}]
    submit = paths["/api/v1/dossiers/{dossier_id}/submit"]["post"]
    assert submit["responses"]["409"] == {"$ref": "#/components/responses/DossierIncomplete"}
    assert "/api/v1/certifications/{code}/sections" in paths
    assert "/api/v1/documents/{document_id}/content" in paths
    for name in ("Dossier", "DossierSection", "DossierProblemList", "Submission", "DossierDocumentList",
                 "SectionDescriptorList"):
        assert name in spec["components"]["schemas"], name


def test_every_installed_certification_publishes_valid_schemas(app, api):
    """Whatever the installed plugins declare, each form section has valid schemas and an empty draft fits."""
    codes = sorted(app.extensions["livret"].certifications)
    assert codes
    for code in codes:
        response = api.get(f"/api/v1/certifications/{code}/sections")
        assert response.status_code == 200, code
        for section in response.get_json()["items"]:
            if section["kind"] != "form":
                assert section["schema"] is None, (code, section["key"])
                continue
            Draft202012Validator.check_schema(section["schema"])
            Draft202012Validator.check_schema(section["draft_schema"])
            jsonschema.validate({}, section["draft_schema"])


def test_every_installed_form_section_takes_back_what_it_returns(app, api, certifier_org):
    """An empty save, then the returned data sent back, is accepted for every installed form section."""
    certifier_org(*[c for c in app.extensions["livret"].certifications if c != CODE])
    for code in sorted(app.extensions["livret"].certifications):
        sections = api.get(f"/api/v1/certifications/{code}/sections").get_json()["items"]
        if not sections:
            continue
        created = api.post("/api/v1/dossiers", json={"certification": code})
        assert created.status_code == 201, (code, created.get_json())
        base = f"/api/v1/dossiers/{created.get_json()['id']}/sections"
        for section in (s for s in sections if s["kind"] == "form"):
            first = api.put(f"{base}/{section['key']}", json={})
            assert first.status_code == 200, (code, section["key"], first.get_json())
            data = first.get_json()["data"]
            jsonschema.validate(data, section["draft_schema"])
            again = api.put(f"{base}/{section['key']}", json=data, headers={"If-Match": first.headers["ETag"]})
            assert again.status_code == 200, (code, section["key"], again.get_json())
            assert again.get_json()["data"] == data and again.get_json()["revision"] == 2
