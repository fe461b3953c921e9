"""The sessions API, as a certifier's planning tool would use it, and its OpenAPI description."""
from openapi_spec_validator import validate


def test_plan_and_open_a_session_through_the_api(app, client, manager, jurors, dossiers, api_headers, outbox):
    h = api_headers(manager)
    # validation errors, in French, per field
    response = client.post("/api/v1/sessions", headers=h, json={
        "certification": "RNCP37827", "title": "Session API", "starts_at": "2030-06-02T09:00:00+02:00",
        "video_link": "http://visio.example.org"})
    assert response.status_code == 422
    assert "https://" in response.json["error"]["details"]["video_link"][0]
    response = client.post("/api/v1/sessions", headers=h, json={"certification": "RNCP37827", "title": "x",
                                                                "starts_at": "2030-06-02T09:00:00"})
    assert response.status_code == 422 and "starts_at" in response.json["error"]["details"]
    response = client.post("/api/v1/sessions", headers=h, json={
        "certification": "RNCP37827", "title": "Session API", "starts_at": "2030-06-02T09:00:00+02:00",
        "video_link": "https://visio.example.org/jury"})
    assert response.status_code == 201, response.json
    created = response.json
    session_id = created["id"]
    assert created["status"] == "draft" and created["starts_at"] == "2030-06-02T07:00:00Z"
    assert created["slot_minutes"] == 120 and len(created["schedule"]) == 5
    assert created["centre"] == "Simplon Lyon" and created["links"]["html"] == f"/sessions/{session_id}"
    base = f"/api/v1/sessions/{session_id}"

    response = client.put(f"{base}/schedule", headers=h, json={"steps": [
        {"title": "Accueil", "minutes": 5, "with_candidate": True}, {"title": "Oral", "minutes": 0}]})
    assert response.status_code == 422 and "steps.1.minutes" in response.json["error"]["details"]
    response = client.put(f"{base}/schedule", headers=h, json={"steps": [
        {"title": "Revue", "minutes": 10}, {"title": "Oral", "minutes": 50, "with_candidate": True}]})
    assert response.status_code == 200 and response.json["slot_minutes"] == 60

    eligible = client.get(f"{base}/candidates/eligible", headers=h).json["items"]
    assert {e["dossier_id"] for e in eligible} == {d.id for d in dossiers}
    for dossier in dossiers:
        response = client.post(f"{base}/candidates", headers=h, json={"dossier_id": dossier.id})
        assert response.status_code == 201, response.json
    second = response.json
    assert second["position"] == 1 and second["starts_at"] == "2030-06-02T08:00:00Z"
    assert second["convocation_at"] == "2030-06-02T08:10:00Z" and second["access_route"] == "VAE"
    response = client.patch(f"{base}/candidates/{second['id']}", headers=h,
                            json={"starts_at": "2030-06-02T14:00:00+02:00"})
    assert response.status_code == 200 and response.json["starts_at"] == "2030-06-02T12:00:00Z"

    response = client.post(f"{base}/jurors", headers=h, json={
        "email": jurors[0].email, "position": "Data scientist", "company": "DataCorp", "experience_years": 5,
        "external": True})
    assert response.status_code == 201 and response.json["invited"] is False
    response = client.post(f"{base}/jurors", headers=h, json={
        "email": "externe@example.org", "position": "CTO", "company": "IA&Co", "experience_years": 1,
        "first_name": "Eva", "last_name": "Externe", "external": True})
    assert response.status_code == 201 and response.json["invited"] is True
    invited_id = response.json["id"]
    assert any(m["To"] == "externe@example.org" for m in outbox())

    response = client.post(f"{base}/open", headers=h)
    assert response.status_code == 409 and response.json["error"]["code"] == "jury_rules_not_met"
    rules = {p["rule"] for p in response.json["error"]["details"]["problems"]}
    assert rules == {"min_professionals", "no_link"}
    assert "Composé d'au moins 2 professionnels" in response.json["error"]["message"]

    response = client.patch(f"{base}/jurors/{invited_id}", headers=h, json={"experience_years": 8})
    assert response.status_code == 200 and response.json["experience_years"] == 8
    detail = client.get(base, headers=h).json
    for juror in detail["jurors"]:
        user_headers = api_headers(_user(app, juror["user_id"]))
        response = client.put(f"{base}/declarations", headers=user_headers, json={"declarations": [
            {"candidate_id": c["id"], "no_link": True, "no_training": True} for c in detail["candidates"]]})
        assert response.status_code == 200, response.json
    # the manager is not a juror: no declarations
    response = client.put(f"{base}/declarations", headers=h, json={"declarations": [
        {"candidate_id": detail["candidates"][0]["id"], "no_link": True, "no_training": True}]})
    assert response.status_code == 404
    assert client.get(f"{base}/problems", headers=h).json == {"blocking": [], "warnings": []}

    response = client.post(f"{base}/open", headers=h)
    assert response.status_code == 200 and response.json["status"] == "open"
    assert {c["dossier_status"] for c in response.json["candidates"]} == {"scheduled"}

    # frozen: 409 naming the state
    response = client.patch(base, headers=h, json={"title": "Nouveau titre"})
    assert response.status_code == 409 and response.json["error"]["details"] == {"status": "open"}
    assert "« Ouverte »" in response.json["error"]["message"]
    assert client.delete(f"{base}/jurors/{invited_id}", headers=h).status_code == 409
    assert client.delete(f"{base}/candidates/{second['id']}", headers=h).status_code == 409

    # attendance and observations while open
    first_id = detail["candidates"][0]["id"]
    response = client.put(f"{base}/attendance", headers=h, json={"attendance": [
        {"candidate_id": first_id, "attendance": "present"}, {"candidate_id": second["id"], "attendance": "absent"}]})
    assert response.status_code == 200
    assert [c["attendance"] for c in response.json["items"]] == ["present", "absent"]
    response = client.put(f"{base}/attendance", headers=h, json={"attendance": [
        {"candidate_id": 999999, "attendance": "present"}]})
    assert response.status_code == 422
    response = client.patch(base, headers=h, json={"observations": "RAS.", "manager_position": "Directrice"})
    assert response.status_code == 200
    assert response.json["observations"] == "RAS." and response.json["manager_position"] == "Directrice"
    assert response.json["counts"] == {"candidates": 2, "jurors": 2, "present": 1, "absent": 1}

    listed = client.get("/api/v1/sessions", headers=h).json["items"]
    assert [s["id"] for s in listed] == [session_id]
    juror_listed = client.get("/api/v1/sessions", headers=api_headers(jurors[0])).json["items"]
    assert [s["id"] for s in juror_listed] == [session_id]


def _user(app, user_id):
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_only_session_managers_with_an_organisation_create(client, create_user, api_headers):
    body = {"certification": "RNCP37827", "title": "x", "starts_at": "2030-06-02T09:00:00Z", "address": "Lyon"}
    response = client.post("/api/v1/sessions", headers=api_headers(create_user("juror")), json=body)
    assert response.status_code == 403
    response = client.post("/api/v1/sessions", headers=api_headers(create_user("session_manager")), json=body)
    assert response.status_code == 403 and response.json["error"]["code"] == "no_organisation"


def test_openapi_documents_the_sessions_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    expected = {
        "/api/v1/sessions": {"get", "post"},
        "/api/v1/sessions/{session_id}": {"get", "patch"},
        "/api/v1/sessions/{session_id}/schedule": {"put"},
        "/api/v1/sessions/{session_id}/problems": {"get"},
        "/api/v1/sessions/{session_id}/open": {"post"},
        "/api/v1/sessions/{session_id}/jurors": {"get", "post"},
        "/api/v1/sessions/{session_id}/jurors/{juror_id}": {"patch", "delete"},
        "/api/v1/sessions/{session_id}/candidates": {"get", "post"},
        "/api/v1/sessions/{session_id}/candidates/eligible": {"get"},
        "/api/v1/sessions/{session_id}/candidates/{candidate_id}": {"patch", "delete"},
        "/api/v1/sessions/{session_id}/attendance": {"put"},
        "/api/v1/sessions/{session_id}/declarations": {"put"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            assert paths[path][method]["tags"] == ["sessions"], (path, method)
    assert {"name": "sessions"}.items() <= next(t for t in spec["tags"] if t["name"] == "sessions").items()
    assert next(t for t in spec["tags"] if t["name"] == "sessions")["x-displayName"] == "Sessions"
    assert paths["/api/v1/sessions/{session_id}"]["get"]["responses"]["404"] == {
        "$ref": "#/components/responses/SessionNotFound"}
    opening = paths["/api/v1/sessions/{session_id}/open"]["post"]["responses"]
    assert opening["409"] == {"$ref": "#/components/responses/SessionConflict"}
    schemas = spec["components"]["schemas"]
    for name in ("SessionDetail", "SessionSummary", "SessionCandidate", "SessionJuror", "SessionProblems",
                 "SessionCreate", "SessionUpdate", "SessionScheduleRequest", "SessionDeclarationRequest"):
        assert name in schemas, name
    assert "problems" in schemas["SessionDetail"]["properties"]
