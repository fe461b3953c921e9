"""Hostile input never reaches a 500 on the API: ids beyond the database's range, JSON nested or sized
without bound, text that cannot be encoded or stored, numbers out of range. Each refusal is the API
error shape and leaves nothing behind."""
from __future__ import annotations

import io
import json

import pytest

HUGE_IDS = [2**31, 2**63 - 1, 2**63, 2**64 + 1, 10**100, int("9" * 400)]
DEEP = 5000


@pytest.fixture
def candidate_api(app, client, create_user, make_token, bearer, certifier_org):
    """A candidate with a draft dossier of RNCP37827: (headers, dossier id)."""
    certifier_org("RNCP37827", name="Certificateur du dossier")
    user = create_user("candidate")
    headers = bearer(make_token(user))
    created = client.post("/api/v1/dossiers", json={"certification": "RNCP37827"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    return headers, created.get_json()["id"]


@pytest.fixture
def manager_api(app, create_user, certifier_org, create_jury_session, make_token, bearer):
    """A session manager and a session in preparation: (headers, session id)."""
    org = certifier_org("RNCP37827")
    manager = create_user("session_manager", organisation=org)
    session_id = create_jury_session("RNCP37827", manager=manager, title="Session de mars")
    return bearer(make_token(manager)), session_id


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code, error
    return error


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


def _count(app, model) -> int:
    from sqlalchemy import func, select

    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _dossier_state(app, dossier_id: int):
    from sqlalchemy import func, select

    from core.dossiers.models import Dossier, DossierVersion
    from core.extensions import db

    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        versions = db.session.scalar(select(func.count()).select_from(DossierVersion)
                                     .where(DossierVersion.dossier_id == dossier_id))
        return dossier.status.value, dossier.submitted_at, versions


def _session_title(app, session_id: int) -> str:
    from core.extensions import db
    from core.jury.models import JurySession

    with app.app_context():
        return db.session.get(JurySession, session_id).title


# ---------------------------------------------------------------------------
# path ids
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("huge", HUGE_IDS, ids=lambda n: f"{len(str(n))}-digits")
def test_ids_beyond_the_database_range_are_404_on_the_api(client, candidate_api, huge):
    headers, dossier_id = candidate_api
    for method, url in [
        ("get", f"/api/v1/dossiers/{huge}"),
        ("get", f"/api/v1/dossiers/{huge}/annexes/1/content"),
        ("get", f"/api/v1/dossiers/{dossier_id}/annexes/{huge}"),
        ("post", f"/api/v1/dossiers/{huge}/submit"),
        ("get", f"/api/v1/dossiers/{huge}/sealing"),
        ("delete", f"/api/v1/tokens/{huge}"),
        ("patch", f"/api/v1/sessions/{huge}"),
        # another method exists on the same path: still 404, not 405
        ("put", f"/api/v1/sessions/1/candidates/{huge}/grid"),
        ("get", f"/api/v1/sessions/{huge}/candidates/1/annexes/{huge}/content"),
    ]:
        for extra in ({"headers": headers}, {}):  # with a token and anonymous
            response = getattr(client, method)(url, json={}, **extra) if method != "get" else \
                client.get(url, **extra)
            _error(response, 404, "not_found")


def test_the_largest_id_still_reaches_the_view(client, candidate_api):
    headers, _dossier_id = candidate_api
    response = client.get(f"/api/v1/dossiers/{2**31 - 1}", headers=headers)
    _error(response, 404, "dossier_not_found")  # the view's own answer: the route matched


def test_openapi_documents_the_bound_and_the_404(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/dossiers/{dossier_id}"]["get"]
    param = next(p for p in operation["parameters"] if p["name"] == "dossier_id")
    assert param["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    assert "404" in operation["responses"]


# ---------------------------------------------------------------------------
# JSON depth and size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP,
                                  '{"email": ' + "[" * DEEP])
def test_deep_json_is_a_400_on_anonymous_sign_up_and_creates_nothing(app, client, body):
    from core.auth.models import User

    users = _count(app, User)
    response = client.post("/api/v1/accounts", data=body, content_type="application/json")
    error = _error(response, 400, "json_too_deep")
    assert "64" in error["message"]
    assert _count(app, User) == users


def test_deep_json_is_a_400_on_authenticated_endpoints(app, client, candidate_api, manager_api):
    headers, dossier_id = candidate_api
    deep = "[" * DEEP + "]" * DEEP
    _error(client.post(f"/api/v1/dossiers/{dossier_id}/submit", data=deep, content_type="application/json",
                       headers=headers), 400, "json_too_deep")
    _error(client.put(f"/api/v1/dossiers/{dossier_id}/sections/etat_civil", content_type="application/json",
                      data='{"nom": ' + deep + "}", headers=headers), 400, "json_too_deep")
    assert _dossier_state(app, dossier_id) == ("draft", None, 0)

    manager_headers, session_id = manager_api
    _error(client.patch(f"/api/v1/sessions/{session_id}", data='{"title": ' + deep + "}",
                        content_type="application/json", headers=manager_headers), 400, "json_too_deep")
    assert _session_title(app, session_id) == "Session de mars"


def test_depth_is_counted_outside_strings_and_64_levels_pass(client):
    brackets_in_text = {"email": "[" * DEEP, "password": "{" * DEEP, "first_name": "A", "last_name": "B"}
    response = client.post("/api/v1/accounts", json=brackets_in_text)
    _error(response, 422, "validation_failed")  # read, then refused by the schema: not too deep
    nested = "[" * 64 + "]" * 64
    response = client.post("/api/v1/accounts", data=nested, content_type="application/json")
    _error(response, 422, "validation_failed")
    response = client.post("/api/v1/accounts", data="[" + nested + "]", content_type="application/json")
    _error(response, 400, "json_too_deep")


def test_json_larger_than_the_limit_is_a_413(app, client):
    from core.auth.models import User

    app.config["JSON_MAX_SIZE"] = 2000
    users = _count(app, User)
    body = json.dumps({"email": "a@example.org", "password": "x" * 3000, "first_name": "A", "last_name": "B"})
    error = _error(client.post("/api/v1/accounts", data=body, content_type="application/json"), 413,
                   "json_too_large")
    assert "2000" in error["message"]
    # streamed without Content-Length (chunked, behind a server that terminates the stream)
    response = client.post("/api/v1/accounts", input_stream=io.BytesIO(body.encode()),
                           content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.request.content_length is None
    _error(response, 413, "json_too_large")
    assert _count(app, User) == users


# ---------------------------------------------------------------------------
# text that cannot be encoded or stored, numbers out of range
# ---------------------------------------------------------------------------

def test_lone_surrogate_on_submit_is_a_422_naming_the_field(app, client, candidate_api):
    headers, dossier_id = candidate_api
    for text in ("\ud800", "mot\udfffde passe"):
        response = client.post(f"/api/v1/dossiers/{dossier_id}/submit", headers=headers,
                               data=json.dumps({"password": text}), content_type="application/json")
        error = _error(response, 422, "validation_failed")
        assert error["details"] == {"password": ["Texte invalide (UTF-8 attendu)."]}
    assert _dossier_state(app, dossier_id) == ("draft", None, 0)


def test_lone_surrogate_on_session_patch_is_a_422_naming_the_field(app, client, manager_api):
    headers, session_id = manager_api
    response = client.patch(f"/api/v1/sessions/{session_id}", headers=headers,
                            data=json.dumps({"title": "Session \ud800", "centre": "Lyon"}),
                            content_type="application/json")
    error = _error(response, 422, "validation_failed")
    assert error["details"] == {"title": ["Texte invalide (UTF-8 attendu)."]}
    assert _session_title(app, session_id) == "Session de mars"


def test_bad_text_is_named_by_its_path_keys_included(app, client, manager_api):
    headers, session_id = manager_api
    body = '{"steps": [{"title": "Accueil", "minutes": 5}, {"title": "\\udc00", "minutes": 5}], "\\ud800": 1}'
    response = client.put(f"/api/v1/sessions/{session_id}/schedule", headers=headers, data=body,
                          content_type="application/json")
    error = _error(response, 422, "validation_failed")
    assert error["details"] == {"steps": {"1": {"title": ["Texte invalide (UTF-8 attendu)."]}},
                                "\\ud800": ["Texte invalide (UTF-8 attendu)."]}


@pytest.mark.parametrize("body,details", [
    ('{"title": "a\\u0000b"}', {"title": ["Texte invalide : le caractère nul (U+0000) n'est pas accepté."]}),
    ('{"title": NaN}', {"title": ["Les valeurs numériques spéciales (NaN, infini) ne sont pas acceptées."]}),
    ('{"title": 1e999}', {"title": ["Les valeurs numériques spéciales (NaN, infini) ne sont pas acceptées."]}),
    ('{"title": 1' + "0" * 30 + "}", {"title": ["Nombre trop grand."]}),
])
def test_nul_characters_and_unstorable_numbers_are_422(app, client, manager_api, body, details):
    headers, session_id = manager_api
    response = client.patch(f"/api/v1/sessions/{session_id}", headers=headers, data=body,
                            content_type="application/json")
    assert _error(response, 422, "validation_failed")["details"] == details
    assert _session_title(app, session_id) == "Session de mars"


def test_integers_beyond_a_column_are_422_naming_the_field(app, client, manager_api):
    from core.jury.models import SessionCandidate

    headers, session_id = manager_api
    before = _count(app, SessionCandidate)
    for value, message in ((2**31, "Nombre hors des limites acceptées (de -2147483648 à 2147483647)."),
                           (-(2**31) - 1, "Nombre hors des limites acceptées (de -2147483648 à 2147483647)."),
                           (2**63, "Nombre trop grand.")):  # beyond 64 bits: refused before the schema
        response = client.post(f"/api/v1/sessions/{session_id}/candidates", headers=headers,
                               json={"dossier_id": value})
        error = _error(response, 422, "validation_failed")
        assert error["details"] == {"dossier_id": [message]}, error
    assert _count(app, SessionCandidate) == before


def test_nul_in_a_query_string_is_a_422_naming_the_parameter(client, candidate_api):
    headers, _dossier_id = candidate_api
    response = client.get("/api/v1/dossiers?status=%00draft", headers=headers)
    error = _error(response, 422, "validation_failed")
    assert error["details"] == {"status": ["Texte invalide : le caractère nul (U+0000) n'est pas accepté."]}
    assert error["message"] == "Texte invalide : le caractère nul (U+0000) n'est pas accepté."


def test_query_strings_never_carry_lone_surrogates(client, candidate_api):
    """Percent-encoded bytes that are not UTF-8 (a surrogate encoded as CESU-8 here) are never decoded
    into a lone surrogate by Werkzeug: the view sees text it can store."""
    from flask import request

    headers, _dossier_id = candidate_api
    response = client.get("/api/v1/dossiers?status=%ED%A0%80", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    with client.application.test_request_context("/api/v1/dossiers?status=%ED%A0%80&%ED%B0%80=x"):
        values = [*request.args.keys(), *request.args.values()]
    assert len(values) == 4
    for value in values:
        value.encode("utf-8")  # no UnicodeEncodeError


def test_the_openapi_document_declares_the_refusals(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = spec["paths"]["/api/v1/accounts"]["post"]["responses"]
    assert {"400", "413", "422", "429"} <= set(responses)
    components = spec["components"]["responses"]
    assert components["InvalidJson"]["content"]["application/json"]["example"]["error"]["code"] == "invalid_json"
    assert "json_too_deep" in components["InvalidJson"]["description"]
    assert components["JsonTooLarge"]["content"]["application/json"]["example"]["error"]["code"] == "json_too_large"
    submit = spec["paths"]["/api/v1/dossiers/{dossier_id}/submit"]["post"]["responses"]
    assert {"400", "404", "413", "422", "429"} <= set(submit)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert "500" not in operation["responses"], (method, path)
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)


def test_annex_downloads_declare_every_file_type(client):
    from storage.safety import FILE_TYPES

    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/dossiers/{dossier_id}/annexes/{number}/content",
                 "/api/v1/sessions/{session_id}/candidates/{candidate_id}/annexes/{number}/content"):
        response = spec["paths"][path]["get"]["responses"]["200"]
        if "$ref" in response:  # a shared file response (core.api.spec.declare_file_response)
            response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
        declared = set(response["content"])
        assert {t.media_type for t in FILE_TYPES.values()} <= declared, path


def test_multipart_text_with_nul_or_a_nameless_part_is_a_422(app, client, candidate_api):
    from core.dossiers.models import Annex

    headers, dossier_id = candidate_api
    before = _count(app, Annex)
    url = f"/api/v1/dossiers/{dossier_id}/annexes"
    response = client.post(url, headers=headers, content_type="multipart/form-data",
                           data={"title": "Preuve\x00", "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "preuve.pdf")})
    error = _error(response, 422, "validation_failed")
    assert error["details"] == {"title": ["Texte invalide : le caractère nul (U+0000) n'est pas accepté."]}
    # a part whose Content-Disposition names nothing (a garbled quoted name)
    body = (b'--BND\r\nContent-Disposition: form-data; name="x\\"\r\n\r\nvalue\r\n'
            b'--BND\r\nContent-Disposition: form-data; name="other"\r\n\r\nvalue\r\n'
            b'--BND\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            b"Content-Type: image/png\r\n\r\n" + _png() + b"\r\n--BND--\r\n")
    response = client.post(url, headers=headers, data=body, content_type="multipart/form-data; boundary=BND")
    error = _error(response, 422, "validation_failed")
    assert error["details"] == {"": ["Champ inconnu."], "other": ["Champ inconnu."]}
    assert _count(app, Annex) == before


def test_a_refused_body_is_not_kept_for_a_second_read(app):
    """A caller catching the refusal of a lone surrogate must not get the unchecked body on a second read."""
    from core.errors import ValidationFailed

    body = '{"password": "\\ud800"}'
    with app.test_request_context("/api/v1/tokens", method="POST", data=body, content_type="application/json"):
        from flask import request

        for _attempt in range(2):
            with pytest.raises(ValidationFailed):
                request.get_json()
