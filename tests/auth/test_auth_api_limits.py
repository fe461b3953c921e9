"""Signing in through the API is limited exactly like the sign-in page, with the same counters; a wrong
current password on the API's password change counts like everywhere else (REAUTH_RATE_LIMIT); hostile
input is a 4xx and writes nothing. The real limiter, with small limits."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.api.models import ApiToken

GENERIC = "Adresse électronique ou mot de passe incorrect."


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_EMAIL_RATE_LIMIT": "4 per minute", "REAUTH_RATE_LIMIT": "3 per minute"}


def _token(client, email, password, address="192.0.2.10"):
    return client.post("/api/v1/tokens", json={"email": email, "password": password, "name": "script"},
                       environ_base={"REMOTE_ADDR": address})


def _tokens(db_session) -> int:
    return db_session(lambda s: s.scalar(select(func.count(ApiToken.id))))


def test_wrong_passwords_are_counted_per_client_address_with_the_sign_in_page(client, create_user, text,
                                                                             db_session):
    user, colleague = create_user(), create_user()
    wrong = _token(client, user.email, "mauvais mot de passe")
    assert wrong.status_code == 401 and wrong.json["error"]["message"] == GENERIC
    # the sign-in page from the same address draws on the same allowance
    page = client.post("/connexion", data={"email": user.email, "password": "mauvais mot de passe"},
                       environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert page.status_code == 422 and GENERIC in text(page)
    assert _token(client, colleague.email, "mauvais mot de passe").status_code == 401
    blocked = _token(client, user.email, user.plain_password)  # even the right password
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "rate_limited" and int(blocked.headers["Retry-After"]) > 0
    assert client.post("/connexion", data={"email": colleague.email, "password": colleague.plain_password},
                       environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 429
    assert _tokens(db_session) == 0
    # another client address is not affected
    assert _token(client, user.email, user.plain_password, address="198.51.100.7").status_code == 201


def test_wrong_passwords_are_counted_per_account_across_addresses(client, create_user, db_session):
    target, bystander = create_user(), create_user()
    for n in range(3):
        assert _token(client, target.email.upper(), "mauvais mot de passe", f"203.0.113.{n + 1}").status_code == 401
    page = client.post("/connexion", data={"email": target.email, "password": "mauvais mot de passe"},
                       environ_base={"REMOTE_ADDR": "203.0.113.50"})
    assert page.status_code == 422
    blocked = _token(client, target.email, target.plain_password, "203.0.113.99")
    assert blocked.status_code == 429 and blocked.json["error"]["code"] == "rate_limited"
    assert client.post("/connexion", data={"email": target.email, "password": target.plain_password},
                       environ_base={"REMOTE_ADDR": "203.0.113.98"}).status_code == 429
    assert _token(client, bystander.email, bystander.plain_password, "203.0.113.99").status_code == 201
    assert _tokens(db_session) == 1


def test_reset_and_verification_requests_are_limited_like_their_pages(client, create_user, outbox):
    user = create_user()
    for n in range(2):
        assert client.post("/mot-de-passe/oublie", data={"email": user.email},
                           environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"}).status_code == 200
        assert client.post("/api/v1/accounts/password-reset", json={"email": user.email},
                           environ_base={"REMOTE_ADDR": f"203.0.113.{n + 11}"}).status_code == 202
    blocked = client.post("/api/v1/accounts/password-reset", json={"email": user.email},
                          environ_base={"REMOTE_ADDR": "203.0.113.99"})
    assert blocked.status_code == 429 and blocked.json["error"]["code"] == "rate_limited"
    assert len(outbox()) == 4
    for _ in range(3):
        assert client.post("/api/v1/accounts/verification/resend", json={"email": f"x{_}@example.org"},
                           environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 202
    assert client.post("/api/v1/accounts/verification/resend", json={"email": "y@example.org"},
                       environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 429


def test_wrong_current_passwords_on_the_api_are_limited(app, client, create_user, make_token, bearer, outbox):
    user = create_user()
    headers = bearer(make_token(user))
    body = {"current_password": "pas le bon", "new_password": "un-nouveau-mot-de-passe"}
    for _ in range(3):
        wrong = client.put("/api/v1/me/password", json=body, headers=headers)
        assert wrong.status_code == 422
        assert wrong.json["error"]["details"]["current_password"] == ["Le mot de passe actuel est incorrect."]
    blocked = client.put("/api/v1/me/password", headers=headers,
                         json={**body, "current_password": user.plain_password})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Trop de mots de passe erronés" in blocked.json["error"]["message"]
    assert "current_password" in blocked.json["error"]["details"]
    assert outbox() == []
    # nothing changed: the old password still gives a token (from another address)
    assert _token(client, user.email, user.plain_password, "198.51.100.3").status_code == 201
    # the account page shares the counters
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert browser.post("/connexion", data={"email": user.email, "password": user.plain_password}).status_code == 302
    page = browser.post("/compte/mot-de-passe", data={"current_password": user.plain_password,
                                                       "password": "un-nouveau-mot-de-passe",
                                                       "password_confirm": "un-nouveau-mot-de-passe"})
    assert page.status_code == 429


@pytest.mark.parametrize("body", [
    {"email": "a" * 100_000 + "@example.org", "password": "x", "name": "n"},
    {"email": "x@example.org", "password": "p" * 100_000, "name": "n"},
    {"email": "x@example.org", "password": "x", "name": "n" * 101},
    {"email": "x@exa\u0000mple.org", "password": "x", "name": "n"},
    {"email": "x@example.org", "password": "x\u0000", "name": "n"},
    {"email": "x@example.org", "password": "x", "name": "   "},
    {"email": "x@example.org", "password": "x", "name": "n", "days": 366},
    {"email": "x@example.org", "password": "x", "name": "n", "days": -1},
    {"email": "x@example.org", "password": "x", "name": "n", "days": "30"},
    {"email": ["x@example.org"], "password": "x", "name": "n"},
    {"email": "x@example.org", "password": "x", "name": "n", "admin": True},
    {"password": "x", "name": "n"},
    [],
])
def test_hostile_token_requests_are_4xx_and_write_nothing(client, db_session, body):
    response = client.post("/api/v1/tokens", json=body)
    assert 400 <= response.status_code < 500 and response.status_code != 429
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert _tokens(db_session) == 0


@pytest.mark.parametrize("path,raw", [
    ("/api/v1/tokens", b'{"email": "\\ud800@example.org", "password": "x", "name": "n"}'),
    ("/api/v1/tokens", b'{"email": "x@example.org", "password": "\\udfff", "name": "n"}'),
    ("/api/v1/tokens", b'{"email": "x@example.org", "password": "x", "name": "n"'),
    ("/api/v1/tokens", b"\xff\xfe\x00not json"),
    ("/api/v1/accounts/password-reset", b'{"email": "\\ud800"}'),
    ("/api/v1/accounts/verification/resend", b'{"email": "x\\u0000@example.org"}'),
    ("/api/v1/accounts/verification", b'{"token": "\\ud800"}'),
    ("/api/v1/accounts/password-reset/confirm", b'{"token": "' + b"t" * 5000 + b'", "password": "x"}'),
    ("/api/v1/accounts/password-reset/confirm", b'{"token": "abc", "password": "\\u0000"}'),
])
def test_broken_text_is_refused(client, outbox, path, raw):
    response = client.post(path, data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.status_code != 429, response.status_code
    assert "error" in response.json
    assert outbox() == []


def test_hostile_input_on_the_signed_in_endpoints(client, create_user, make_token, bearer, outbox):
    user = create_user()
    headers = bearer(make_token(user))
    for body in ({"language": "x" * 10_000}, {"language": "fr\u0000"}, {"language": None}, {"language": 1},
                 {"email": "autre@example.org"}):
        response = client.patch("/api/v1/me", json=body, headers=headers)
        assert response.status_code == 422, body
    assert client.get("/api/v1/me", headers=headers).json["language"] is None
    for body in ({"current_password": user.plain_password, "new_password": "n" * 100_000},
                 {"current_password": user.plain_password, "new_password": "nouveau\u0000mot-de-passe"},
                 {"current_password": user.plain_password},
                 {"current_password": user.plain_password, "new_password": " espace-au-debut"}):
        assert client.put("/api/v1/me/password", json=body, headers=headers).status_code == 422, body
    raw = b'{"current_password": "\\ud800", "new_password": "un-nouveau-mot-de-passe"}'
    assert client.put("/api/v1/me/password", data=raw, content_type="application/json",
                      headers=headers).status_code == 422
    assert outbox() == []
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": user.plain_password,
                                               "name": "toujours"}).status_code == 201
