"""The organisation settings page's sections through the API: details, certifications, requests, members,
figures — same services as the page, same rules, nothing written on a refusal."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlparse

from test_organisations import (VALID_SIRET, add_dossiers, admin, audit_actions, org, org_row,  # noqa: F401
                                plugin, text)

BASE = "/api/v1/organisation"


def test_details_read_and_patched_with_the_pages_rules(app, client, login, plugin, admin, org, api_headers):
    mine = api_headers(admin)
    got = client.get(BASE, headers=mine)
    assert got.status_code == 200
    assert got.get_json() == {"id": org.id, "name": "Organisme Alpha", "slug": org.slug,
                              "contact_email": "contact@alpha.example.org", "address": "1 rue de la Paix, Paris",
                              "siret": VALID_SIRET, "certifications": ["ORGA1"]}
    events = len(audit_actions(app))
    for body, field in (({"siret": "732 829 320 00075"}, "siret"), ({"name": ""}, "name"), ({"name": "   "}, "name"),
                        ({"contact_email": "pas-une-adresse"}, "contact_email"), ({"address": "x" * 501}, "address"),
                        ({"unknown": 1}, "unknown")):
        refused = client.patch(BASE, headers=mine, json=body)
        assert refused.status_code == 422, body
        assert field in refused.get_json()["error"]["details"], refused.get_json()
    assert org_row(app, org.id).name == "Organisme Alpha" and len(audit_actions(app)) == events

    ok = client.patch(BASE, headers=mine, json={"name": "Organisme Alpha renommé", "siret": "356 000 000 00048",
                                                "contact_email": None})
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert sorted(body["changed"]) == ["contact_email", "name", "siret"]
    assert body["siret"] == "35600000000048" and body["contact_email"] is None
    row = org_row(app, org.id)
    assert (row.name, row.contact_email, row.address) == ("Organisme Alpha renommé", None, "1 rue de la Paix, Paris")
    assert audit_actions(app)[-1] == "organisation.details_updated"
    login(admin)
    assert "Organisme Alpha renommé" in text(client.get("/certificateur/organisation"))
    same = client.patch(BASE, headers=mine, json={"name": "Organisme Alpha renommé"})
    assert same.get_json()["changed"] == [] and len(audit_actions(app)) == events + 1


def test_only_the_organisations_admin_reaches_its_settings(app, client, plugin, org, create_user, api_headers):
    staff = create_user("certifier_staff", organisation=org)
    other_admin = create_user("certifier_admin")  # of another organisation
    candidate = create_user("candidate")
    assert client.get(BASE, headers=api_headers(staff)).status_code in (403, 404)
    assert client.get(BASE, headers=api_headers(candidate)).status_code in (403, 404)
    theirs = client.get(BASE, headers=api_headers(other_admin)).get_json()
    assert theirs["id"] != org.id and theirs["name"] != "Organisme Alpha"
    assert client.patch(BASE, headers=api_headers(staff), json={"name": "Piraté"}).status_code in (403, 404)
    assert org_row(app, org.id).name == "Organisme Alpha"
    assert client.get(BASE).status_code == 401


def test_certifications_listed_enabled_all_or_nothing(app, client, plugin, admin, org, create_user, api_headers):
    from test_organisations import _grant

    mine = api_headers(admin)
    listed = client.get(f"{BASE}/certifications", headers=mine).get_json()
    assert [(c["code"], c["role"], c["enabled"]) for c in listed["granted"]] == [("ORGA1", "certifier", True)]
    assert listed["granted"][0]["granted_at"].endswith("Z") and listed["requested"] == []
    assert "ORGB2" in [c["code"] for c in listed["requestable"]]
    assert "ORGA1" not in [c["code"] for c in listed["requestable"]]

    # not granted: 403 not_granted, like the page; nothing changes
    refused = client.put(f"{BASE}/certifications", headers=mine, json={"enabled": ["ORGA1", "ORGB2"]})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_granted"
    unknown = client.put(f"{BASE}/certifications", headers=mine, json={"enabled": ["NOPE9"]})
    assert unknown.status_code == 422 and "enabled" in unknown.get_json()["error"]["details"]
    assert client.put(f"{BASE}/certifications", headers=mine, json={"enabled": "ORGA1"}).status_code == 422
    assert org_row(app, org.id).codes == {"ORGA1"}

    _grant(app, create_user, org, "ORGB2")
    candidate = create_user("candidate")
    add_dossiers(app, candidate, "ORGB2", "submitted", count=2, submitted_at=datetime.now(timezone.utc))
    events = len(audit_actions(app))
    busy = client.put(f"{BASE}/certifications", headers=mine, json={"enabled": []})
    assert busy.status_code == 409 and busy.get_json()["error"]["code"] == "open_dossiers"
    assert busy.get_json()["error"]["details"] == {"certification": "ORGB2", "open_dossiers": 2}
    # all or nothing: ORGA1 stays enabled too
    assert org_row(app, org.id).codes == {"ORGA1", "ORGB2"} and len(audit_actions(app)) == events

    done = client.put(f"{BASE}/certifications", headers=mine, json={"enabled": ["ORGB2"]})
    assert done.status_code == 200
    assert {c["code"]: c["enabled"] for c in done.get_json()["granted"]} == {"ORGA1": False, "ORGB2": True}
    assert org_row(app, org.id).codes == {"ORGB2"}
    assert audit_actions(app)[-1] == "organisation.certification_disabled"


def test_requesting_a_certification_tells_the_platform_and_grants_nothing(app, client, login, plugin, admin, org,
                                                                        create_user, api_headers, outbox):
    platform_admin = create_user("platform_admin", email="plateforme@example.org")
    mine = api_headers(admin)
    assert client.post(f"{BASE}/certifications/requests", headers=mine, json={}).status_code == 422
    missing = client.post(f"{BASE}/certifications/requests", headers=mine, json={"certification": "NOPE9"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "certification_not_found"
    assert outbox() == []

    response = client.post(f"{BASE}/certifications/requests", headers=mine, json={"certification": "ORGB2"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["code"] == "ORGB2" and response.get_json()["requested_at"].endswith("Z")
    assert org_row(app, org.id).codes == {"ORGA1"}  # a request, not a grant
    mail = outbox()[-1]
    assert mail["To"] == platform_admin.email and "ORGB2" in mail["Subject"]
    assert "organisation.certification_requested" in audit_actions(app)
    listed = client.get(f"{BASE}/certifications", headers=mine).get_json()
    assert [c["code"] for c in listed["requested"]] == ["ORGB2"]
    assert "ORGB2" not in [c["code"] for c in listed["requestable"]]
    again = client.post(f"{BASE}/certifications/requests", headers=mine, json={"certification": "ORGB2"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_requested"
    login(admin)
    assert "Demandes en attente" in text(client.get("/certificateur/organisation"))


def test_members_invited_listed_and_deactivated(app, client, plugin, admin, org, create_user, api_headers, outbox):
    mine = api_headers(admin)
    listed = client.get(f"{BASE}/members", headers=mine).get_json()["items"]
    assert [(m["id"], m["role"], m["active"]) for m in listed] == [(admin.id, "certifier_admin", True)]

    bad = client.post(f"{BASE}/members", headers=mine, json={"first_name": "Bruno", "last_name": "Bernard",
                                                               "email": "pas-une-adresse"})
    assert bad.status_code == 422 and "email" in bad.get_json()["error"]["details"]
    assert client.post(f"{BASE}/members", headers=mine, json={"first_name": "", "last_name": "B",
                                                              "email": "b@example.org"}).status_code == 422
    assert outbox() == []

    invited = client.post(f"{BASE}/members", headers=mine, json={"first_name": "Bruno", "last_name": "Bernard",
                                                                   "email": "Bruno.Bernard@example.org"})
    assert invited.status_code == 201, invited.get_json()
    member = invited.get_json()
    assert member["email"] == "bruno.bernard@example.org" and member["role"] == "certifier_staff" and member["active"]
    message = outbox()[-1]
    assert message["To"] == "bruno.bernard@example.org" and "Réinitialisation" in message["Subject"]
    link = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    assert urlparse(link).path.startswith("/mot-de-passe/reinitialiser/")
    taken = client.post(f"{BASE}/members", headers=mine, json={"first_name": "B", "last_name": "B",
                                                                "email": "bruno.bernard@example.org"})
    assert taken.status_code == 400 and taken.get_json()["error"]["code"] == "email_taken"

    self_off = client.post(f"{BASE}/members/{admin.id}/deactivate", headers=mine)
    assert self_off.status_code == 409 and self_off.get_json()["error"]["code"] == "self_deactivation"
    stranger = create_user("certifier_staff")  # another organisation
    assert client.post(f"{BASE}/members/{stranger.id}/deactivate", headers=mine).status_code == 404
    assert client.post(f"{BASE}/members/999999/deactivate", headers=mine).status_code == 404
    off = client.post(f"{BASE}/members/{member['id']}/deactivate", headers=mine)
    assert off.status_code == 200 and off.get_json()["active"] is False
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        assert db.session.get(User, stranger.id).active is True
        assert db.session.get(User, member["id"]).active is False
    assert audit_actions(app)[-1] == "organisation.staff_deactivated"
    listed = {m["id"]: m["active"] for m in client.get(f"{BASE}/members", headers=mine).get_json()["items"]}
    assert listed == {admin.id: True, member["id"]: False}


def test_figures_as_the_dashboard_shows_them(app, client, login, plugin, org, create_user, api_headers):
    staff = create_user("certifier_staff", organisation=org)
    candidate = create_user("candidate")
    now = datetime.now(timezone.utc)
    add_dossiers(app, candidate, "ORGA1", "submitted", count=2, submitted_at=now)
    add_dossiers(app, candidate, "ORGA1", "admissible", count=1, submitted_at=now)
    add_dossiers(app, candidate, "ORGA1", "inadmissible", count=1, submitted_at=now)
    response = client.get(f"{BASE}/figures", headers=api_headers(staff))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    by_status = {bar["key"]: bar["value"] for bar in body["status_bars"]}
    assert by_status["submitted"] == 2 and by_status["admissible"] == 1 and by_status["inadmissible"] == 1
    assert len(body["month_bars"]) == 12 and body["month_bars"][-1] == {
        "key": f"{now:%Y-%m}", "label": body["month_bars"][-1]["label"], "value": 4}
    assert body["admissibility"] == [{"code": "ORGA1", "title": "Certification A", "admissible": 1,
                                      "inadmissible": 1, "rate": 0.5}]
    assert len(body["transitions"]["rows"]) == 12 and body["transitions"]["actions"][0] == "dossier.submitted"
    assert [r["code"] for r in body["results"]] == ["ORGA1"]
    login(staff)
    page = text(client.get("/certificateur/tableau-de-bord"))
    assert "Certification A" in page and "50" in page
    # another organisation's staff see their own (empty) figures, never ours
    elsewhere = create_user("certifier_staff")
    theirs = client.get(f"{BASE}/figures", headers=api_headers(elsewhere)).get_json()
    assert sum(bar["value"] for bar in theirs["status_bars"]) == 0
    assert client.get(f"{BASE}/figures", headers=api_headers(candidate)).status_code in (403, 404)
