"""CSRF protection: refused without the page's token, and nothing typed is lost when it is refused."""
from __future__ import annotations

import re

from core.auth.models import LoginSession

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def test_csrf_is_enforced_on_sign_in_and_sign_out(app, client, create_user, text):
    from core.extensions import db

    user = create_user()
    refused = client.post("/connexion", data={"email": user.email, "password": user.plain_password}, csrf=False)
    assert refused.status_code == 400
    assert "Le formulaire a expiré" in text(refused)
    assert client.get("/compte").status_code in (302, 401)  # not signed in

    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/connexion", data={"email": user.email, "password": user.plain_password,
                                               "csrf_token": token})
    assert accepted.status_code == 302

    # Sign-out without a token (or with a forged one) is refused and leaves the session open.
    assert client.post("/deconnexion", csrf=False).status_code == 400
    assert client.post("/deconnexion", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/compte").status_code == 200
    account = client.get("/compte").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', account).group(1)
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.query(LoginSession).filter(LoginSession.revoked_at.is_(None)).count() == 0


def test_a_refused_token_brings_the_page_back_with_what_was_typed(client, create_user, text):
    user = create_user()
    answer = client.post("/connexion", data={"email": user.email, "password": user.plain_password,
                                             "csrf_token": "expired"}, headers=SAME_SITE)
    page = text(answer)
    assert answer.status_code == 400
    assert "<h1>Se connecter</h1>" in page  # the page of the form, not a bare error page
    assert "Le formulaire a expiré ou n'est pas valide" in page
    assert "vérifiez-le puis envoyez à nouveau" in page
    assert f'value="{user.email}"' in page  # what was typed is kept...
    assert user.plain_password not in page  # ...but never a password
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/connexion", data={"email": user.email, "password": user.plain_password,
                                           "csrf_token": token}).status_code == 302


def test_a_cross_site_post_gets_the_error_page_without_its_values(client, text):
    answer = client.post("/connexion", data={"email": "piege@example.org", "password": "x"}, csrf=False,
                         headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 400
    assert "piege@example.org" not in text(answer)
    assert "Le formulaire a expiré" in text(answer)
