"""Hostile input never reaches a 500 on pages: ids beyond the database's range are the French 404
page, NUL characters in forms and query strings a French 422 page, undecodable bytes plain text."""
from __future__ import annotations

import html

import pytest

HUGE_IDS = [2**31, 2**63, 2**63 + 1, 10**100, int("9" * 400)]
NOT_FOUND = "Cette page ou cette ressource n'existe pas."
NUL_REFUSED = "Texte invalide : le caractère nul (U+0000) n'est pas accepté."


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _french_error(response, status: int, message: str) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/html"
    page = _page(response)
    assert '<html lang="fr"' in page and message in page
    return page


@pytest.fixture
def candidate_with_dossier(app, client, create_user, login, certifier_org):
    """A signed-in candidate (on ``client``) with a draft dossier of RNCP37827: its id."""
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    certifier_org("RNCP37827", name="Certificateur des pages")
    user = create_user("candidate")
    with app.app_context():
        dossier = Dossier(candidate_id=user.id, certification_code="RNCP37827", status=DossierStatus.DRAFT)
        db.session.add(dossier)
        db.session.commit()
        dossier_id = dossier.id
    login(user)
    return dossier_id


@pytest.mark.parametrize("huge", HUGE_IDS, ids=lambda n: f"{len(str(n))}-digits")
def test_ids_beyond_the_database_range_are_the_french_404_page(app, client, create_user, login, huge):
    urls = [("get", f"/dossiers/{huge}"), ("get", f"/dossiers/{huge}/apercu.pdf"), ("get", f"/dossiers/{huge}/scellement"),
            ("get", f"/sessions/{huge}"), ("get", f"/jury/sessions/1/candidats/{huge}/grille"),
            ("post", f"/compte/jetons/{huge}/revoquer"),
            ("post", f"/dossiers/{huge}/annexes")]  # GET exists on that path: 404, not 405
    for method, url in urls:  # anonymous
        _french_error(getattr(client, method)(url), 404, NOT_FOUND)
    login(create_user("candidate"))
    for method, url in urls:
        _french_error(getattr(client, method)(url), 404, NOT_FOUND)


def test_nul_in_a_path_parameter_is_a_404(client, candidate_with_dossier):
    _french_error(client.get(f"/dossiers/{candidate_with_dossier}/sections/etat%00civil"), 404, NOT_FOUND)


def test_nul_in_a_form_is_a_french_422_and_signs_nobody_in(app, client, create_user):
    user = create_user("candidate")
    response = client.post("/connexion", data={"email": user.email + "\x00", "password": user.plain_password})
    page = _french_error(response, 422, NUL_REFUSED)
    assert "email" in page
    assert client.get("/espace/", follow_redirects=False).status_code in (302, 303)  # still signed out


def test_nul_in_a_query_string_is_a_french_422(client, create_user, login, certifier_org):
    org = certifier_org("RNCP37827")
    login(create_user("certifier_staff", organisation=org))
    page = _french_error(client.get("/certificateur/dossiers?q=Dupont%00"), 422, NUL_REFUSED)
    assert "q" in page


def test_undecodable_bytes_in_forms_and_query_strings_are_plain_text(app, client, create_user):
    """A lone surrogate cannot be sent: Werkzeug never decodes bytes into one (here the CESU-8 encoding
    of U+D800), so the page answers as for any wrong input."""
    user = create_user("candidate")
    response = client.post("/connexion", data={"email": b"\xed\xa0\x80@example.org",
                                               "password": user.plain_password})
    assert response.status_code in (200, 400, 422), response.status_code
    with app.test_request_context("/connexion", method="POST", data=b"email=%ED%A0%80&%ED%B0%80=x",
                                  content_type="application/x-www-form-urlencoded"):
        from flask import request

        for text in [*request.form.keys(), *request.form.values()]:
            text.encode("utf-8")  # no lone surrogate
    assert client.get("/?q=%ED%A0%80").status_code == 200


def test_a_garbled_revision_on_a_section_form_is_refused_in_french(app, client, candidate_with_dossier):
    url = f"/dossiers/{candidate_with_dossier}/sections/etat_civil"
    assert client.get(url).status_code == 200
    for revision in ("abc", "9" * 40, "²"):
        response = client.post(url, data={"revision": revision, "nom": "Martin"})
        assert response.status_code == 400, response.status_code
        assert "Révision invalide : rechargez la page avant d'enregistrer." in _page(response)
