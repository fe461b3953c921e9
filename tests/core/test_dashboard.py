"""One dashboard per role; the catalogue and language switch."""
import html

import pytest

from core.testing import CertificationPlugin, make_certification


def text(response):
    return html.unescape(response.get_data(as_text=True))


def test_dashboard_requires_sign_in(client):
    response = client.get("/espace/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("role, heading", [
    ("candidate", "Mes dossiers"),
    ("juror", "Mes sessions de jury"),
    ("session_manager", "Sessions d'évaluation"),
    ("certifier_admin", "Certifications de l'organisme"),
    ("certifier_staff", "Équipe"),
    ("platform_admin", "Comptes par rôle"),
])
def test_each_role_has_its_dashboard(client, create_user, login, role, heading):
    user = create_user(role, first_name="Camille")
    login(user)
    page = text(client.get("/espace/"))
    assert heading in page
    assert "Bonjour Camille" in page


def test_certifier_sees_only_its_organisation_certifications(app, client, create_user, login, register_plugin):
    from core.auth.models import Organisation, OrganisationCertification
    from core.extensions import db

    register_plugin(CertificationPlugin(make_certification("ORGA1", "Certif A"), make_certification("ORGB1", "Certif B")),
                    "twocerts")
    admin = create_user("certifier_admin")
    with app.app_context():
        org = db.session.get(Organisation, admin.organisation_id)
        org.certifications.append(OrganisationCertification(certification_code="ORGA1"))
        db.session.commit()
    login(admin)
    page = text(client.get("/espace/"))
    assert "Certif A" in page and "Certif B" not in page


def test_platform_admin_sees_installed_plugins(client, create_user, login, register_plugin):
    register_plugin(CertificationPlugin(make_certification("PLG01")), "someplugin")
    login(create_user("platform_admin"))
    page = text(client.get("/espace/"))
    assert "someplugin" in page and "PLG01" in page


def test_language_switch_to_english_and_back(client):
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    response = client.post("/langue", data={"lang": "en", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    client.post("/langue", data={"lang": "fr", "next": "https://evil.example/"})
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_open_redirect(client):
    response = client.post("/langue", data={"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
