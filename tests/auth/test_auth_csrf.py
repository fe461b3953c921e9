"""CSRF protection on the sign-in and sign-out forms (enabled here, unlike the default test settings)."""
from __future__ import annotations

import re

import pytest

from core.auth.models import LoginSession


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_csrf_is_enforced_on_sign_in_and_sign_out(app, client, create_user, text):
    from core.extensions import db

    user = create_user()
    refused = client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    assert refused.status_code == 400
    assert "Le formulaire a expiré" in text(refused)

    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/connexion", data={"email": user.email, "password": user.plain_password,
                                               "csrf_token": token})
    assert accepted.status_code == 302

    # Sign-out without a token is refused and leaves the session open.
    assert client.post("/deconnexion").status_code == 400
    assert client.get("/compte").status_code == 200
    account = client.get("/compte").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', account).group(1)
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.query(LoginSession).filter(LoginSession.revoked_at.is_(None)).count() == 0
