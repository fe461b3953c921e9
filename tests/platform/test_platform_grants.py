"""Tenancy as people meet it: a certifier admin asks, a platform admin grants, a candidate picks the centre,
and each organisation sees only the dossiers opened with it (pages and API)."""
from __future__ import annotations

import html

import pytest

CODE = "RNCP37827"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token_for(app, user) -> dict:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        secret, _token = issue_token(db.session.get(User, user.id), name="test")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(app, create_user, create_organisation, certifier_org):
    simplon = certifier_org(CODE, name="Simplon.co")
    inkrea = create_organisation("Inkréa Certifications")
    return {
        "simplon": simplon, "inkrea": inkrea,
        "inkrea_admin": create_user("certifier_admin", organisation=inkrea),
        "inkrea_staff": create_user("certifier_staff", organisation=inkrea),
        "simplon_staff": create_user("certifier_staff", organisation=simplon),
        "platform_admin": create_user("platform_admin"),
    }


def _links(app, org_id) -> dict:
    from core.auth.models import OrganisationCertification
    from core.extensions import db
    from sqlalchemy import select

    with app.app_context():
        return {link.certification_code: (link.granted, link.enabled, link.role.value) for link in db.session.scalars(
            select(OrganisationCertification).where(OrganisationCertification.organisation_id == org_id))}


def _audit(app) -> list[str]:
    from core.audit.models import AuditEvent
    from core.extensions import db
    from sqlalchemy import select

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_certifier_admin_asks_and_only_a_platform_admin_grants(app, client, login, world, outbox):
    admin = app.test_client()
    login(world["inkrea_admin"], test_client=admin)
    # the page offers no checkbox for it; a forged post (with the session's real token) changes nothing
    token = admin.csrf_token_for("/certificateur/organisation/certifications/demande", page="/certificateur/organisation")
    refused = admin.post("/certificateur/organisation/certifications",
                         data={"certifications": [CODE], "csrf_token": token})
    assert refused.status_code == 403 and "n'a pas été accordée à l'organisme" in text(refused)
    assert _links(app, world["inkrea"].id) == {}
    # the API has no way round it either: the organisation endpoints never grant
    staff_api = token_for(app, world["inkrea_staff"])
    assert client.get("/api/v1/platform/organisations", headers=staff_api).status_code == 404

    # asking: a pending request, audited, e-mailed to the platform's administration
    settings = text(admin.get("/certificateur/organisation"))
    assert f'<option value="{CODE}">' in settings
    asked = admin.post("/certificateur/organisation/certifications/demande", data={"certification": CODE},
                       page="/certificateur/organisation")
    assert asked.status_code == 302
    assert _links(app, world["inkrea"].id) == {CODE: (False, True, "certifier")}
    assert "organisation.certification_requested" in _audit(app)
    mail = outbox()[-1]
    assert mail["To"] == world["platform_admin"].email and "Inkréa Certifications" in mail["Subject"]
    assert "Demandes en attente" in text(admin.get("/certificateur/organisation"))
    again = admin.post("/certificateur/organisation/certifications/demande", data={"certification": CODE},
                       page="/certificateur/organisation")
    assert again.status_code == 409 and "déjà transmise" in text(again)
    # a request is not a grant: candidates still have one organisation, Inkréa's staff nothing
    with app.app_context():
        from core.dossiers.services import delivering_organisations

        assert [o.name for o in delivering_organisations(CODE)] == ["Simplon.co"]

    # the platform admin sees the request and grants Inkréa as a habilitated centre, through the page
    platform = app.test_client()
    login(world["platform_admin"], test_client=platform)
    listing = text(platform.get("/plateforme/organisations"))
    assert "Demandes en attente" in listing and "Inkréa Certifications" in listing
    page_url = f"/plateforme/organisations/{world['inkrea'].id}"
    # a second certifier is refused, naming the first, and nothing changes
    second = platform.post(f"{page_url}/certifications", data={"certification": CODE, "role": "certifier"},
                           page=page_url)
    assert second.status_code == 409 and "Simplon.co est déjà le certificateur" in text(second)
    assert _links(app, world["inkrea"].id) == {CODE: (False, True, "certifier")}
    missing = platform.post(f"{page_url}/certifications", data={"certification": CODE}, page=page_url)
    assert missing.status_code == 422 and 'id="role-error"' in text(missing)
    assert 'aria-describedby="role-hint role-error"' in text(missing) and 'href="#role"' in text(missing)
    granted = platform.post(f"{page_url}/certifications", data={"certification": CODE, "role": "centre"},
                            page=page_url)
    assert granted.status_code == 302
    assert _links(app, world["inkrea"].id) == {CODE: (True, True, "centre")}
    assert "organisation.certification_granted" in _audit(app)
    assert "Centre habilité" in text(platform.get(page_url))

    # nobody else reaches the platform's pages or API
    for user in ("inkrea_admin", "simplon_staff"):
        other = app.test_client()
        login(world[user], test_client=other)
        assert other.get("/plateforme/organisations").status_code == 404
        assert other.get(page_url).status_code == 404


def test_the_candidate_picks_the_centre_and_each_organisation_sees_its_own(app, client, login, create_user, world):
    from core.auth.models import DeliveryRole, Organisation, User
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.platform import services

    with app.app_context():
        services.grant(db.session.get(Organisation, world["inkrea"].id), CODE, DeliveryRole.CENTRE,
                       actor=db.session.get(User, world["platform_admin"].id))
        db.session.commit()

    # the API lists both and needs a choice
    detail = client.get(f"/api/v1/certifications/{CODE}").get_json()
    assert [(o["name"], o["role"]) for o in detail["organisations"]] == [
        ("Simplon.co", "certifier"), ("Inkréa Certifications", "centre")]
    candidate_b = create_user("candidate")
    api = token_for(app, candidate_b)
    unchosen = client.post("/api/v1/dossiers", json={"certification": CODE}, headers=api)
    assert unchosen.status_code == 422 and "organisation_id" in unchosen.get_json()["error"]["details"]
    wrong = client.post("/api/v1/dossiers", json={"certification": CODE, "organisation_id": 2**40}, headers=api)
    assert wrong.status_code == 422
    with app.app_context():
        assert db.session.query(Dossier).count() == 0  # nothing left behind
    created = client.post("/api/v1/dossiers", json={"certification": CODE, "organisation_id": world["inkrea"].id},
                          headers=api)
    assert created.status_code == 201, created.get_json()

    # the page offers the choice, as a required radio group
    candidate_a = create_user("candidate")
    login(candidate_a)
    dashboard = text(client.get("/espace/"))
    assert "Organisme auprès duquel vous déposez votre dossier" in dashboard
    assert 'name="organisation_id"' in dashboard and "required" in dashboard
    refused = client.post("/dossiers/nouveau", data={"certification": CODE}, page="/espace/")
    assert refused.status_code == 302 and "Choisissez l'organisme" in text(client.get(refused.headers["Location"]))
    opened = client.post("/dossiers/nouveau", data={"certification": CODE, "organisation_id": world["simplon"].id},
                         page="/espace/")
    assert opened.status_code == 302
    with app.app_context():
        by_candidate = {d.candidate_id: d.organisation_id for d in db.session.query(Dossier)}
    assert by_candidate == {candidate_b.id: world["inkrea"].id, candidate_a.id: world["simplon"].id}

    # submitted (rows are enough here): each organisation's staff reads its own, never the other's
    with app.app_context():
        from datetime import datetime, timezone

        from core.dossiers.models import DossierStatus

        for dossier in db.session.query(Dossier):
            dossier.status, dossier.submitted_at = DossierStatus.SUBMITTED, datetime.now(timezone.utc)
        db.session.commit()
        ids = {d.organisation_id: d.id for d in db.session.query(Dossier)}
    for staff, own, other in (("inkrea_staff", "inkrea", "simplon"), ("simplon_staff", "simplon", "inkrea")):
        headers = token_for(app, world[staff])
        own_id, other_id = ids[world[own].id], ids[world[other].id]
        assert client.get(f"/api/v1/dossiers/{own_id}", headers=headers).status_code == 200
        for url in (f"/api/v1/dossiers/{other_id}", f"/api/v1/dossiers/{other_id}/sections/etat_civil",
                    f"/api/v1/dossiers/{other_id}/fee", f"/api/v1/dossiers/{other_id}/annexes"):
            assert client.get(url, headers=headers).status_code == 404, (staff, url)
        listed = client.get("/api/v1/backoffice/dossiers", headers=headers).get_json()["items"]
        assert [row["id"] for row in listed] == [own_id], staff


def test_withdrawing_is_refused_while_the_organisation_has_open_dossiers(app, client, create_user, world):
    from core.auth.models import DeliveryRole, Organisation, User
    from core.extensions import db
    from core.platform import services

    headers = token_for(app, world["platform_admin"])
    url = f"/api/v1/platform/organisations/{world['inkrea'].id}/certifications/{CODE}"
    assert client.put(url, json={"role": "nope"}, headers=headers).status_code == 422
    granted = client.put(url, json={"role": "centre"}, headers=headers)
    assert granted.status_code == 200 and granted.get_json()["state"] == "enabled"
    listed = client.get("/api/v1/platform/organisations", headers=headers).get_json()["items"]
    assert {o["name"]: [c["certification"] for c in o["certifications"]] for o in listed}["Inkréa Certifications"] \
        == [CODE]
    candidate = create_user("candidate")
    created = client.post("/api/v1/dossiers", json={"certification": CODE, "organisation_id": world["inkrea"].id},
                          headers=token_for(app, candidate))
    assert created.status_code == 201
    refused = client.delete(url, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "open_dossiers"
    assert _links(app, world["inkrea"].id) == {CODE: (True, True, "centre")}
    # the staff's own token cannot do it
    assert client.delete(url, headers=token_for(app, world["inkrea_admin"])).status_code == 404
    with app.app_context():
        services.grant(db.session.get(Organisation, world["simplon"].id), CODE, DeliveryRole.CERTIFIER,
                       actor=db.session.get(User, world["platform_admin"].id))  # unchanged: no second event
    assert _audit(app).count("organisation.certification_granted") == 1
