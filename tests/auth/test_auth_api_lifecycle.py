"""An account's whole life through the API only (issue 13): sign-up, verification, a token from the password,
language, password change, password reset by e-mail, signing out sessions and the token.

Every step reads what a client would: the JSON answers and the e-mails in the outbox. A browser signed in on
the same account shows what the pages see of the API's changes (sessions signed out, language)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api.models import ApiToken
from core.audit.models import AuditEvent
from core.auth.models import LoginSession, User

EMAIL = "camille.api@example.org"
FIRST_PASSWORD = "premier-mot-de-passe"
SECOND_PASSWORD = "deuxieme-mot-de-passe"
THIRD_PASSWORD = "troisieme-mot-de-passe"
GENERIC = "Adresse électronique ou mot de passe incorrect."


@pytest.fixture
def app_config(app_config):
    # One person's whole life signs in a dozen times within a minute: the limits stay on, wider than the
    # defaults (test_auth_api_limits.py reaches them).
    return {**app_config, "LOGIN_RATE_LIMIT": "60 per minute", "LOGIN_EMAIL_RATE_LIMIT": "30 per minute"}


def _token_from(links: list[str], marker: str) -> str:
    found = [link for link in links if marker in link]
    assert found, f"no link with {marker} in {links}"
    return found[-1].rsplit(marker, 1)[1]


def _sign_in_browser(app, password):
    browser = app.test_client()
    response = browser.post("/connexion", data={"email": EMAIL, "password": password})
    assert response.status_code == 302, response.status_code
    assert browser.get("/compte").status_code == 200
    return browser


def _live_sessions(db_session):
    return db_session(lambda s: len(s.scalars(select(LoginSession).join(User).where(
        User.email == EMAIL, LoginSession.revoked_at.is_(None))).all()))


def test_an_account_from_sign_up_to_sign_out_through_the_api(app, client, outbox, mail_links, bearer, db_session):
    # -- sign up; the address is not confirmed yet: no token, the login's message
    created = client.post("/api/v1/accounts", json={"email": EMAIL, "password": FIRST_PASSWORD,
                                                    "first_name": "Camille", "last_name": "Api"})
    assert created.status_code == 202
    credentials = {"email": EMAIL, "password": FIRST_PASSWORD, "name": "Script d'import"}
    early = client.post("/api/v1/tokens", json=credentials)
    assert early.status_code == 403
    assert early.json["error"]["code"] == "email_not_verified"
    assert "pas encore confirmée" in early.json["error"]["message"]

    # -- confirm the address with the token of the e-mailed link
    verification = _token_from(mail_links(EMAIL), "/verification/")
    bad = client.post("/api/v1/accounts/verification", json={"token": verification[:-3] + "xyz"})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_verification_token"
    verified = client.post("/api/v1/accounts/verification", json={"token": verification})
    assert verified.status_code == 200
    assert verified.json["status"] == "verified" and verified.json["already_verified"] is False
    again = client.post("/api/v1/accounts/verification", json={"token": verification})
    assert again.status_code == 200 and again.json["already_verified"] is True

    # -- a token from the password, shown once, used on /me
    issued = client.post("/api/v1/tokens", json={**credentials, "days": 30})
    assert issued.status_code == 201
    secret = issued.json["token"]
    assert secret.startswith("lvt_") and issued.json["hint"] == secret[:12]
    assert issued.json["name"] == "Script d'import" and issued.json["expires_at"] is not None
    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json["email"] == EMAIL and me.json["email_verified"] is True and me.json["language"] is None
    listed = client.get("/api/v1/tokens", headers=bearer(secret)).json["items"]
    assert [t["name"] for t in listed] == ["Script d'import"] and "token" not in listed[0]

    # -- the account's language: stored, honoured by the pages and by the API without Accept-Language
    refused = client.patch("/api/v1/me", json={"language": "de"}, headers=bearer(secret))
    assert refused.status_code == 422 and "language" in refused.json["error"]["details"]
    english = client.patch("/api/v1/me", json={"language": "en"}, headers=bearer(secret))
    assert english.status_code == 200 and english.json["language"] == "en"
    browser = _sign_in_browser(app, FIRST_PASSWORD)
    assert '<html lang="en">' in browser.get("/compte").get_data(as_text=True)
    assert client.patch("/api/v1/me", json={"language": "fr"}, headers=bearer(secret)).json["language"] == "fr"
    assert '<html lang="fr">' in browser.get("/compte").get_data(as_text=True)

    # -- change the password: the current one is checked, the browser is signed out, the token stays
    wrong = client.put("/api/v1/me/password", headers=bearer(secret),
                       json={"current_password": "pas-le-bon-mot-de-passe", "new_password": SECOND_PASSWORD})
    assert wrong.status_code == 422 and "current_password" in wrong.json["error"]["details"]
    same = client.put("/api/v1/me/password", headers=bearer(secret),
                      json={"current_password": FIRST_PASSWORD, "new_password": FIRST_PASSWORD})
    assert same.status_code == 422 and "new_password" in same.json["error"]["details"]
    short = client.put("/api/v1/me/password", headers=bearer(secret),
                       json={"current_password": FIRST_PASSWORD, "new_password": "court"})
    assert short.status_code == 422 and "new_password" in short.json["error"]["details"]
    mails_before = len(outbox())
    changed = client.put("/api/v1/me/password", headers=bearer(secret),
                         json={"current_password": FIRST_PASSWORD, "new_password": SECOND_PASSWORD})
    assert changed.status_code == 200
    assert changed.json["status"] == "password_changed" and changed.json["sessions_revoked"] == 1
    assert browser.get("/compte").status_code == 302  # the browser session is signed out
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200  # the token is not
    assert [m["To"] for m in outbox()[mails_before:]] == [EMAIL]
    assert "modifié" in outbox()[-1]["Subject"]
    events = db_session(lambda s: s.scalars(select(AuditEvent).where(
        AuditEvent.action == "account.password_changed")).all())
    assert [(e.payload["method"], e.outcome) for e in events] == [("change", "success")]
    # the old password is refused with the login's message, the new one signs in
    old = client.post("/api/v1/tokens", json=credentials)
    assert old.status_code == 401
    assert old.json["error"] == {"code": "invalid_credentials", "message": GENERIC, "details": None}
    assert client.post("/api/v1/tokens", json={**credentials, "password": SECOND_PASSWORD}).status_code == 201

    # -- forgotten password: a reset link by e-mail, the same answer for an unknown address
    asked = client.post("/api/v1/accounts/password-reset", json={"email": EMAIL.upper()})
    unknown = client.post("/api/v1/accounts/password-reset", json={"email": "personne@example.org"})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json["message"].replace(EMAIL, "X") == unknown.json["message"].replace("personne@example.org", "X")
    assert not [m for m in outbox() if m["To"] == "personne@example.org"]
    reset = _token_from(mail_links(EMAIL), "/mot-de-passe/reinitialiser/")
    browser = _sign_in_browser(app, SECOND_PASSWORD)
    too_short = client.post("/api/v1/accounts/password-reset/confirm", json={"token": reset, "password": "court"})
    assert too_short.status_code == 422 and "password" in too_short.json["error"]["details"]
    done = client.post("/api/v1/accounts/password-reset/confirm", json={"token": reset, "password": THIRD_PASSWORD})
    assert done.status_code == 200 and done.json["sessions_revoked"] == 1
    assert browser.get("/compte").status_code == 302
    used = client.post("/api/v1/accounts/password-reset/confirm", json={"token": reset, "password": "encore-un-autre"})
    assert used.status_code == 400 and used.json["error"]["code"] == "invalid_reset_token"
    assert client.post("/api/v1/tokens", json={**credentials, "password": SECOND_PASSWORD}).status_code == 401
    third = client.post("/api/v1/tokens", json={**credentials, "password": THIRD_PASSWORD, "days": 0})
    assert third.status_code == 201 and third.json["expires_at"] is None

    # -- sign out every browser session, then the token itself
    _sign_in_browser(app, THIRD_PASSWORD)
    _sign_in_browser(app, THIRD_PASSWORD)
    assert _live_sessions(db_session) == 2
    out = client.delete("/api/v1/me/sessions", headers=bearer(secret))
    assert out.status_code == 200 and out.json["sessions_revoked"] == 2
    assert _live_sessions(db_session) == 0
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=bearer(secret)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_the_account_page_and_the_api_store_the_same_language(client, create_user, login, make_token, bearer):
    user = create_user()
    login(user)
    assert client.post("/langue", data={"lang": "en", "next": "/compte"}).status_code == 302
    secret = make_token(user)
    assert client.get("/api/v1/me", headers=bearer(secret)).json["language"] == "en"
    # the API answers in the account's language without Accept-Language, in the header's language with it
    anonymous = client.application.test_client()
    english = anonymous.get("/api/v1/dossiers/999999", headers=bearer(secret))
    french = anonymous.get("/api/v1/dossiers/999999", headers={**bearer(secret), "Accept-Language": "fr"})
    assert english.status_code == french.status_code == 404
    assert "n'existe pas" in french.json["error"]["message"]
    assert english.json["error"]["message"] != french.json["error"]["message"]


def test_an_unverified_or_deactivated_account_gets_no_token(client, create_user, db_session):
    pending = create_user(verified=False)
    refused = client.post("/api/v1/tokens", json={"email": pending.email, "password": pending.plain_password,
                                                  "name": "x"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "email_not_verified"
    # a wrong password does not reveal the account's state
    wrong = client.post("/api/v1/tokens", json={"email": pending.email, "password": "pas le bon", "name": "x"})
    assert wrong.status_code == 401 and wrong.json["error"]["message"] == GENERIC

    gone = create_user()
    db_session(lambda s: setattr(s.get(User, gone.id), "active", False))
    inactive = client.post("/api/v1/tokens", json={"email": gone.email, "password": gone.plain_password, "name": "x"})
    unknown = client.post("/api/v1/tokens", json={"email": "personne@example.org", "password": "x", "name": "x"})
    assert inactive.status_code == unknown.status_code == 401
    assert inactive.json == unknown.json
    assert db_session(lambda s: s.scalars(select(ApiToken)).all()) == []


def test_a_verification_link_can_be_asked_again_without_revealing_anything(client, create_user, outbox):
    pending = create_user(verified=False)
    done = create_user()
    answers = [client.post("/api/v1/accounts/verification/resend", json={"email": email})
               for email in (pending.email, done.email, "personne@example.org")]
    assert {a.status_code for a in answers} == {202}
    assert answers[0].json == answers[1].json == answers[2].json
    assert [m["To"] for m in outbox()] == [pending.email]
    assert "/verification/" in outbox()[0].get_content()


def test_the_browser_sessions_are_signed_out_from_the_api_only_for_the_tokens_account(
        app, client, create_user, login, make_token, bearer, db_session):
    owner, other = create_user(), create_user()
    login(owner)
    other_browser = app.test_client()
    login(other, test_client=other_browser)
    response = client.delete("/api/v1/me/sessions", headers=bearer(make_token(owner)))
    assert response.status_code == 200 and response.json["sessions_revoked"] == 1
    assert client.get("/compte").status_code == 302
    assert other_browser.get("/compte").status_code == 200
    assert client.delete("/api/v1/me/sessions").status_code == 401
