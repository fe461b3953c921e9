"""Rate limits on sign-in (enabled here, unlike the default test settings)."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_EMAIL_RATE_LIMIT": "4 per minute"}


def test_sign_in_is_rate_limited_per_client_address(client, create_user, text):
    user, colleague = create_user(), create_user()
    for _ in range(3):
        assert client.post("/connexion", data={"email": user.email, "password": "mauvais mot de passe"}).status_code == 422
    blocked = client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in text(blocked)
    # The page itself can still be read, and the limit is per address: another client is not affected.
    assert client.get("/connexion").status_code == 200
    other = client.post("/connexion", data={"email": colleague.email, "password": colleague.plain_password},
                        environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 302


def test_sign_in_is_rate_limited_per_account_across_addresses(client, create_user):
    target, bystander = create_user(), create_user()
    for n in range(4):
        response = client.post("/connexion", data={"email": target.email.upper(), "password": "mauvais mot de passe"},
                               environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"})
        assert response.status_code == 422
    blocked = client.post("/connexion", data={"email": target.email, "password": target.plain_password},
                          environ_base={"REMOTE_ADDR": "203.0.113.99"})
    assert blocked.status_code == 429
    ok = client.post("/connexion", data={"email": bystander.email, "password": bystander.plain_password},
                     environ_base={"REMOTE_ADDR": "203.0.113.99"})
    assert ok.status_code == 302
