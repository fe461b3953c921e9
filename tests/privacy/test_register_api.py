"""The register of rights requests through the API: what the page does, with the same rules."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.privacy.register_support import people, token_for  # noqa: F401 - fixtures
from tests.privacy.register_support import add_request, events

API = "/api/v1/privacy/requests"


def _today() -> date:
    from core.templating import PARIS

    return datetime.now(PARIS).date()


def test_record_list_read_and_close(app, client, people, token_for):
    headers = token_for(people.admin_s)
    received = _today() - timedelta(days=3)
    created = client.post(API, headers=headers, json={
        "kind": "rectification", "subject_email": "camille.martin@example.org", "channel": "email",
        "received_on": received.isoformat(), "details": "Nom d'usage à corriger"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"] == f"{API}/{body['id']}"
    from core.utils import add_months

    assert body["kind"] == "rectification" and body["status"] == "open" and body["overdue"] is False
    assert body["subject"] == {"id": people.candidate.id, "label": "Camille Martin <camille.martin@example.org>"}
    assert body["organisation_id"] == people.org_s.id and body["channel_label"] == "Courrier électronique"
    assert body["due_at"].startswith(add_months(received, 1).isoformat()[:8])  # one calendar month later
    assert body["links"]["page"] == f"/donnees-personnelles/demandes/{body['id']}"

    listed = client.get(API, headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert listed["counts"] == {"open": 1, "done": 0, "refused": 0, "overdue": 0} and listed["total"] == 1
    assert client.get(API + "?status=done", headers=headers).get_json()["items"] == []
    assert client.get(API + "?status=perdu", headers=headers).status_code == 422
    assert client.get(f"{API}/{body['id']}", headers=headers).get_json()["details"] == "Nom d'usage à corriger"

    missing = client.patch(f"{API}/{body['id']}", headers=headers, json={"status": "done"})
    assert missing.status_code == 422 and "response" in missing.get_json()["error"]["details"]
    blank = client.patch(f"{API}/{body['id']}", headers=headers, json={"status": "done", "response": "   "})
    assert blank.status_code == 422 and "response" in blank.get_json()["error"]["details"]
    reopen = client.patch(f"{API}/{body['id']}", headers=headers, json={"status": "open", "response": "x"})
    assert reopen.status_code == 422
    closed = client.patch(f"{API}/{body['id']}", headers=headers,
                          json={"status": "done", "response": "Nom d'usage corrigé le 4."})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "done" and closed.get_json()["handled_by_id"] == people.admin_s.id
    again = client.patch(f"{API}/{body['id']}", headers=headers, json={"status": "refused", "response": "Non."})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "privacy_request_closed"
    assert [e[0] for e in events(app)] == ["privacy_request.recorded", "privacy_request.handled"]


def test_refused_input_is_named_by_field(client, people, token_for):
    headers = token_for(people.admin_s)
    cases = [
        ({"kind": "oubli", "subject_label": "X", "channel": "email"}, "kind"),
        ({"kind": "access", "subject_label": "X", "channel": "pigeon"}, "channel"),
        ({"kind": "access", "channel": "email"}, "subject_email"),
        ({"kind": "access", "subject_email": "sacha.bernard@example.org", "channel": "email"}, "subject_email"),
        ({"kind": "access", "subject_label": "X", "channel": "email",
          "received_on": (_today() + timedelta(days=1)).isoformat()}, "received_on"),
        ({"kind": "access", "subject_label": "X", "channel": "email", "received_on": "2001-01-01"}, "received_on"),
        ({"kind": "access", "subject_label": "X" * 201, "channel": "email"}, "subject_label"),
        ({"kind": "access", "subject_label": "X", "channel": "email", "surplus": 1}, "surplus"),
    ]
    for body, field in cases:
        answer = client.post(API, headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert field in answer.get_json()["error"]["details"], (body, answer.get_json())


def test_another_organisations_request_is_not_found(app, client, people, token_for):
    theirs = add_request(app, organisation_id=people.org_i.id, subject_label="Chez Inkréa", channel="email")
    none = add_request(app, organisation_id=None, subject_label="Plateforme", channel="email")
    headers = token_for(people.admin_s)
    for url in (f"{API}/{theirs}", f"{API}/{none}", f"{API}/{2 ** 63 + 1}", f"{API}/0"):
        assert client.get(url, headers=headers).status_code == 404, url
        patched = client.patch(url, headers=headers, json={"status": "done", "response": "Fait."})
        assert patched.status_code == 404, url
    assert client.get(f"{API}/{theirs}", headers=headers).get_json()["error"]["code"] == "privacy_request_not_found"
    assert client.get(API, headers=headers).get_json()["items"] == []
    platform = token_for(people.platform)
    assert [i["id"] for i in client.get(API, headers=platform).get_json()["items"]] == [none]
    assert client.get(f"{API}/{theirs}", headers=platform).status_code == 404
    assert client.get(f"{API}/{none}", headers=platform).status_code == 200
    for user in (people.staff_s, people.candidate, people.juror):
        assert client.get(API, headers=token_for(user)).status_code == 403, user.role
        assert client.get(f"{API}/{theirs}", headers=token_for(user)).status_code == 404, user.role
        assert client.post(API, headers=token_for(user), json={}).status_code == 403, user.role
    assert client.get(API).status_code == 401


def test_the_openapi_document_describes_the_register_and_the_notice(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = spec["paths"]["/api/v1/privacy/requests/{request_id}"]
    assert set(operations["patch"]["responses"]) >= {"200", "404", "409", "422", "401"}
    assert spec["paths"]["/api/v1/privacy/requests"]["post"]["responses"]["201"]
    notice = spec["paths"]["/api/v1/certifications/{code}/privacy"]["get"]
    assert notice["security"] == [{}, {"bearerAuth": []}] and "404" in notice["responses"]
    assert "RegisterEntry" in spec["components"]["schemas"] and "PrivacyNotice" in spec["components"]["schemas"]
