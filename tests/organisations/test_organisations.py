"""Organisation settings (details, certifications, staff) and the certifier's dashboard figures."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from core.testing import CertificationPlugin, make_certification, organisation_id_for

VALID_SIRET = "73282932000074"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def plugin(register_plugin):
    return register_plugin(CertificationPlugin(make_certification("ORGA1", "Certification A"),
                                               make_certification("ORGB2", "Certification B")), "orgs-test-plugin")


@pytest.fixture
def org(create_organisation, app):
    organisation = create_organisation("Organisme Alpha", siret=VALID_SIRET, address="1 rue de la Paix, Paris",
                                       contact_email="contact@alpha.example.org")
    from core.auth.models import OrganisationCertification
    from core.extensions import db

    with app.app_context():
        db.session.add(OrganisationCertification(organisation_id=organisation.id, certification_code="ORGA1"))
        db.session.commit()
    return organisation


@pytest.fixture
def admin(create_user, org):
    return create_user("certifier_admin", organisation=org, first_name="Alice", last_name="Admin")


def audit_actions(app) -> list[str]:
    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def org_row(app, org_id):
    from core.auth.models import Organisation
    from core.extensions import db

    with app.app_context():
        row = db.session.get(Organisation, org_id)
        codes = row.certification_codes
        db.session.expunge(row)
        row.codes = codes
        return row


def add_dossiers(app, candidate, code, status, count=1, submitted_at=None):
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    with app.app_context():
        for _i in range(count):
            db.session.add(Dossier(candidate_id=candidate.id, certification_code=code,
                                   status=DossierStatus(status), submitted_at=submitted_at,
                                   organisation_id=organisation_id_for(code)))
        db.session.commit()


# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------

def test_settings_page_and_details_update(app, client, login, plugin, admin, org):
    login(admin)
    page = client.get("/certificateur/organisation")
    assert page.status_code == 200
    body = text(page)
    assert "Organisme Alpha" in body and VALID_SIRET in body and 'for="siret"' in body
    # what was granted can be switched on and off; the rest can only be asked for
    assert 'id="cert-ORGA1"' in body and 'id="cert-ORGB2"' not in body
    assert '<option value="ORGB2">' in body and "Envoyer la demande" in body

    wrong = client.post("/certificateur/organisation/coordonnees", data={
        "name": "Organisme Alpha renommé", "contact_email": "nouveau@alpha.example.org",
        "address": "2 avenue des Champs, Lyon", "siret": "732 829 320 00075"})
    assert wrong.status_code == 422
    body = text(wrong)
    assert "SIRET" in body and 'aria-invalid="true"' in body and 'id="siret-error"' in body
    assert "Le formulaire contient des erreurs" in body
    # nothing typed is lost
    assert "Organisme Alpha renommé" in body and "nouveau@alpha.example.org" in body
    assert "2 avenue des Champs, Lyon" in body and 'value="73282932000075"' in body  # spaces dropped
    assert org_row(app, org.id).name == "Organisme Alpha"

    ok = client.post("/certificateur/organisation/coordonnees", data={
        "name": "Organisme Alpha renommé", "contact_email": "nouveau@alpha.example.org",
        "address": "2 avenue des Champs, Lyon", "siret": "356 000 000 00048"})
    assert ok.status_code == 302
    row = org_row(app, org.id)
    assert (row.name, row.contact_email, row.address, row.siret) == (
        "Organisme Alpha renommé", "nouveau@alpha.example.org", "2 avenue des Champs, Lyon", "35600000000048")
    assert "organisation.details_updated" in audit_actions(app)
    assert "ont été enregistrées" in text(client.get("/certificateur/organisation"))


def _grant(app, create_user, org, code):
    """What a platform admin does on /plateforme/organisations/<id>."""
    from core.auth.models import DeliveryRole, Organisation, User
    from core.extensions import db
    from core.platform import services

    platform_admin = create_user("platform_admin")
    with app.app_context():
        services.grant(db.session.get(Organisation, org.id), code, DeliveryRole.CERTIFIER,
                       actor=db.session.get(User, platform_admin.id))
        db.session.commit()


def test_enable_and_disable_certifications(app, client, login, plugin, admin, org, create_user):
    login(admin)
    # the organisation's admin cannot give it a certification: only the platform's administration grants
    refused = client.post("/certificateur/organisation/certifications", data={"certifications": ["ORGA1", "ORGB2"]})
    assert refused.status_code == 403
    assert "ORGB2 n'a pas été accordée à l'organisme" in text(refused)
    assert org_row(app, org.id).codes == {"ORGA1"}

    _grant(app, create_user, org, "ORGB2")
    assert org_row(app, org.id).codes == {"ORGA1", "ORGB2"}
    off = client.post("/certificateur/organisation/certifications", data={"certifications": ["ORGA1"]})
    assert off.status_code == 302 and org_row(app, org.id).codes == {"ORGA1"}
    response = client.post("/certificateur/organisation/certifications", data={"certifications": ["ORGA1", "ORGB2"]})
    assert response.status_code == 302
    assert org_row(app, org.id).codes == {"ORGA1", "ORGB2"}
    assert "organisation.certification_enabled" in audit_actions(app)

    candidate = create_user("candidate")
    add_dossiers(app, candidate, "ORGB2", "submitted", count=2, submitted_at=datetime.now(timezone.utc))
    add_dossiers(app, candidate, "ORGA1", "closed")
    refused = client.post("/certificateur/organisation/certifications", data={"certifications": []})
    assert refused.status_code == 409
    body = text(refused)
    assert "ORGB2 ne peut pas être désactivée : 2 dossier(s) en cours" in body
    # all or nothing: ORGA1 (only a closed dossier) is not disabled either, and the boxes stay as typed
    assert org_row(app, org.id).codes == {"ORGA1", "ORGB2"}
    assert 'id="cert-ORGA1"' in body and not re.search(r'id="cert-ORGA1"[^>]*checked', body)
    assert audit_actions(app).count("organisation.certification_disabled") == 1
    alone = client.post("/certificateur/organisation/certifications", data={"certifications": ["ORGB2"]})
    assert alone.status_code == 302 and org_row(app, org.id).codes == {"ORGB2"}
    assert audit_actions(app).count("organisation.certification_disabled") == 2


def test_invite_and_deactivate_staff(app, client, login, plugin, admin, org, outbox, create_user):
    login(admin)
    bad = client.post("/certificateur/organisation/equipe", data={
        "first_name": "Bruno", "last_name": "Bernard", "email": "pas-une-adresse"})
    assert bad.status_code == 422 and "Saisissez une adresse électronique valide." in text(bad)
    assert "Bruno" in text(bad)

    response = client.post("/certificateur/organisation/equipe", data={
        "first_name": "Bruno", "last_name": "Bernard", "email": "Bruno.Bernard@example.org"})
    assert response.status_code == 302
    from core.auth.models import Role, User
    from core.extensions import db

    with app.app_context():
        staff = db.session.scalar(select(User).where(User.email == "bruno.bernard@example.org"))
        assert staff.role is Role.CERTIFIER_STAFF and staff.organisation_id == org.id and staff.active
        staff_id = staff.id
    message = outbox()[-1]
    assert message["To"] == "bruno.bernard@example.org" and "Réinitialisation" in message["Subject"]
    link = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
    assert urlparse(link).path.startswith("/mot-de-passe/reinitialiser/")
    assert app.test_client().get(urlparse(link).path).status_code == 200
    assert "organisation.staff_invited" in audit_actions(app)

    # the same address again: a French error tied to the field
    again = client.post("/certificateur/organisation/equipe", data={
        "first_name": "Bruno", "last_name": "Bernard", "email": "bruno.bernard@example.org"})
    assert again.status_code == 400 and "Adresse déjà utilisée." in text(again)

    # deactivation: not oneself, yes for the staff member
    self_off = client.post(f"/certificateur/organisation/equipe/{admin.id}/desactiver")
    assert self_off.status_code == 409 and "propre compte" in text(self_off)
    off = client.post(f"/certificateur/organisation/equipe/{staff_id}/desactiver")
    assert off.status_code == 302
    with app.app_context():
        assert db.session.get(User, staff_id).active is False
        assert db.session.get(User, admin.id).active is True
    assert "organisation.staff_deactivated" in audit_actions(app)

    # someone of another organisation: 404
    stranger = create_user("certifier_staff")
    assert client.post(f"/certificateur/organisation/equipe/{stranger.id}/desactiver").status_code == 404


def test_access_refused(app, client, login, plugin, admin, org, create_user):
    staff = create_user("certifier_staff", organisation=org)
    other_admin = create_user("certifier_admin")  # another organisation
    candidate = create_user("candidate")
    assert client.get("/certificateur/organisation").status_code in (302, 401)

    for user in (staff, candidate):
        browser = app.test_client()
        login(user, test_client=browser)
        assert browser.get("/certificateur/organisation").status_code in (403, 404)
        assert browser.post("/certificateur/organisation/coordonnees", data={"name": "Pirate"}).status_code in (403, 404)
        assert browser.post(f"/certificateur/organisation/equipe/{admin.id}/desactiver").status_code in (403, 404)
    assert app.test_client().get("/certificateur/tableau-de-bord").status_code in (302, 401)

    browser = app.test_client()
    login(other_admin, test_client=browser)
    assert browser.post(f"/certificateur/organisation/equipe/{staff.id}/desactiver").status_code == 404
    assert browser.post("/certificateur/organisation/coordonnees", data={"name": "Pirate"}).status_code == 302
    assert org_row(app, org.id).name == "Organisme Alpha"  # only their own organisation changed
    with app.app_context():
        from core.auth.models import User
        from core.extensions import db

        assert db.session.get(User, staff.id).active is True


# --------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------

def _month_start(dt: datetime, back: int) -> datetime:
    year, month = dt.year, dt.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return datetime(year, month, 10, 12, tzinfo=timezone.utc)


def test_dashboard_figures_match_dossiers(app, client, login, plugin, admin, org, create_user):
    from core.organisations.services import MONTHS_FR

    now = datetime.now(timezone.utc)
    candidate = create_user("candidate")
    this_month, two_ago, old = _month_start(now, 0), _month_start(now, 2), now - timedelta(days=400)
    add_dossiers(app, candidate, "ORGA1", "draft", count=4)
    add_dossiers(app, candidate, "ORGA1", "submitted", count=3, submitted_at=this_month)
    add_dossiers(app, candidate, "ORGA1", "admissible", count=3, submitted_at=two_ago)
    add_dossiers(app, candidate, "ORGA1", "inadmissible", count=1, submitted_at=old)
    add_dossiers(app, candidate, "ORGB2", "submitted", count=5, submitted_at=this_month)  # not enabled: not counted

    staff = create_user("certifier_staff", organisation=org)
    login(staff)
    response = client.get("/certificateur/tableau-de-bord")
    assert response.status_code == 200
    body = text(response)

    with app.app_context():
        from core.auth.models import Organisation
        from core.extensions import db
        from core.organisations.services import dashboard_figures

        figures = dashboard_figures(db.session.get(Organisation, org.id))
    by_status = {bar.label: bar.value for bar in figures["status_bars"]}
    assert by_status["Brouillon"] == 4 and by_status["Déposé"] == 3 and by_status["Recevable"] == 3
    assert by_status["Irrecevable"] == 1 and by_status["Clos"] == 0
    months = figures["month_bars"]
    assert len(months) == 12
    this_label = f"{MONTHS_FR[this_month.month - 1]} {this_month.year}"
    two_label = f"{MONTHS_FR[two_ago.month - 1]} {two_ago.year}"
    assert months[-1].label == this_label and months[-1].value == 3
    assert months[-3].label == two_label and months[-3].value == 3
    assert sum(b.value for b in months) == 6  # the dossier of 400 days ago is outside the year
    rate = figures["admissibility"][0]
    assert (rate["code"], rate["admissible"], rate["inadmissible"]) == ("ORGA1", 3, 1)
    assert rate["rate"] == pytest.approx(0.75)

    # the charts: SVG with role, title and desc; the table beside each with the same numbers
    assert body.count('role="img"') == 3  # states, submissions per month, states entered per month
    assert '<title id="chart-status-title">Nombre de dossiers par état</title>' in body
    assert 'aria-labelledby="chart-months-title chart-months-desc"' in body
    assert "<caption>Nombre de dossiers par état</caption>" in body
    status_table = body.split('<table class="chart-data">')[1].split("</table>")[0]
    assert '<th scope="row">Brouillon</th><td>4</td>' in status_table
    assert '<th scope="row">Déposé</th><td>3</td>' in status_table
    assert '<th scope="row">Recevable</th><td>3</td>' in status_table
    month_table = body.split('<table class="chart-data">')[2].split("</table>")[0]
    assert f'<th scope="row">{this_label}</th><td>3</td>' in month_table
    assert f'<th scope="row">{two_label}</th><td>3</td>' in month_table
    assert f"{this_label} : 3." in body  # in the SVG's <desc>
    assert "75,0 %" in body and 'scope="col">Taux' in body

    # the dashboard page links to the figures; the settings link is only for the admin
    home = text(client.get("/espace/"))
    assert "/certificateur/tableau-de-bord" in home and "/certificateur/organisation" not in home
    browser = app.test_client()
    login(admin, test_client=browser)
    assert "/certificateur/organisation" in text(browser.get("/espace/"))
    assert browser.get("/certificateur/tableau-de-bord").status_code == 200

    # a candidate cannot see the figures
    other = app.test_client()
    login(candidate, test_client=other)
    assert other.get("/certificateur/tableau-de-bord").status_code in (403, 404)


def test_states_entered_each_month_come_from_the_audit_trail(app, client, login, plugin, org, create_user):
    """The dashboard's « évolution des états » counts the transitions recorded in the audit trail, for the
    organisation's certifications only, with a table beside the chart."""
    from sqlalchemy import select

    from core.audit.services import record
    from core.dossiers.models import Dossier
    from core.extensions import db

    candidate = create_user("candidate")
    add_dossiers(app, candidate, "ORGA1", "admissible", count=2)
    add_dossiers(app, candidate, "ORGB2", "admissible", count=1)  # not delivered by the organisation
    with app.app_context():
        ours = list(db.session.scalars(select(Dossier.id).where(Dossier.certification_code == "ORGA1")))
        theirs = db.session.scalar(select(Dossier.id).where(Dossier.certification_code == "ORGB2"))
        for dossier_id in ours:
            record("dossier.submitted", "dossier", dossier_id, actor_id=None)
            record("dossier.admissible", "dossier", dossier_id, actor_id=None)
        record("dossier.corrections_requested", "dossier", ours[0], actor_id=None)
        record("dossier.submitted", "dossier", theirs, actor_id=None)
        record("dossier.section_saved", "dossier", ours[0], actor_id=None)  # not a transition
        db.session.commit()

        from core.auth.models import Organisation
        from core.organisations.services import dashboard_figures

        transitions = dashboard_figures(db.session.get(Organisation, org.id))["transitions"]
    assert transitions["columns"][:3] == ["Déposés", "Corrections demandées", "Déclarés recevables"]
    assert len(transitions["rows"]) == 12
    assert transitions["rows"][-1]["values"] == [2, 1, 2, 0, 0, 0]
    assert sum(sum(r["values"]) for r in transitions["rows"][:-1]) == 0

    login(create_user("certifier_staff", organisation=org))
    body = text(client.get("/certificateur/tableau-de-bord"))
    assert 'aria-labelledby="chart-transitions-title chart-transitions-desc"' in body
    table = body.split('<div class="chart" id="chart-transitions">')[1].split("</table>")[0]
    label = transitions["rows"][-1]["label"]
    assert f'<th scope="row">{label}</th><td>2</td><td>1</td><td>2</td><td>0</td><td>0</td><td>0</td>' in table
