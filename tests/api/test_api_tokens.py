"""Bearer authentication, GET /api/v1/me and the token endpoints."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _assert_unauthorized(response):
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized"
    assert error["details"] is None
    return error["message"]


def test_me_without_token_is_401_in_french(client):
    message = _assert_unauthorized(client.get("/api/v1/me"))
    assert "Authentification requise" in message and "Authorization: Bearer" in message


@pytest.mark.parametrize("header", ["Bearer lvt_wrong-secret", "Bearer ", "Basic dXNlcjpwYXNz", "lvt_no_scheme"])
def test_me_with_a_wrong_token_is_401(client, create_user, make_token, header):
    make_token(create_user())  # a real token exists, but is not the one sent
    message = _assert_unauthorized(client.get("/api/v1/me", headers={"Authorization": header}))
    assert message == "Le jeton d'accès est invalide, expiré ou révoqué."


def test_revoked_token_is_401(client, create_user, make_token, bearer):
    secret = make_token(create_user(), revoked=True)
    _assert_unauthorized(client.get("/api/v1/me", headers=bearer(secret)))


def test_expired_token_is_401(client, create_user, make_token, bearer):
    secret = make_token(create_user(), days=30, expired=True)
    _assert_unauthorized(client.get("/api/v1/me", headers=bearer(secret)))


def test_token_of_a_deactivated_account_is_401(app, client, create_user, make_token, bearer):
    from core.auth.models import User
    from core.extensions import db

    user = create_user()
    secret = make_token(user)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    _assert_unauthorized(client.get("/api/v1/me", headers=bearer(secret)))


def test_me_returns_the_token_user_and_records_last_use(app, client, create_user, make_token, bearer):
    from sqlalchemy import select

    from core.api.models import ApiToken
    from core.extensions import db

    user = create_user(first_name="Awa", last_name="Diallo")
    secret = make_token(user, days=30)  # not expired yet
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"id": user.id, "email": user.email, "first_name": "Awa", "last_name": "Diallo",
                                   "role": "candidate", "organisation": None, "email_verified": True,
                                   "language": None}
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        used = token.last_used_at if token.last_used_at.tzinfo else token.last_used_at.replace(tzinfo=timezone.utc)
        assert used >= before


def test_me_shows_the_organisation(client, create_user, create_organisation, make_token, bearer):
    org = create_organisation("Simplon.co")
    user = create_user(role="certifier_admin", organisation=org, verified=False)
    body = client.get("/api/v1/me", headers=bearer(make_token(user))).get_json()
    assert body["role"] == "certifier_admin"
    assert body["organisation"] == {"id": org.id, "name": "Simplon.co"}
    assert body["email_verified"] is False


def test_tokens_lists_only_own_tokens_without_secrets(client, create_user, make_token, bearer):
    user, other = create_user(), create_user()
    old = make_token(user, name="ancien", revoked=True)
    current = make_token(user, name="courant", days=7)
    make_token(other, name="autre")

    response = client.get("/api/v1/tokens", headers=bearer(current))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [t["name"] for t in items] == ["courant", "ancien"]
    now, ancien = items
    assert now["current"] is True and now["revoked"] is False and now["revoked_at"] is None
    assert now["hint"] == current[:12]
    assert ISO_UTC.match(now["created_at"]) and ISO_UTC.match(now["last_used_at"]) and ISO_UTC.match(now["expires_at"])
    expires = datetime.fromisoformat(now["expires_at"].replace("Z", "+00:00"))
    assert timedelta(days=6) < expires - datetime.now(timezone.utc) <= timedelta(days=7)
    assert ancien["current"] is False and ancien["revoked"] is True and ISO_UTC.match(ancien["revoked_at"])
    assert ancien["last_used_at"] is None and ancien["expires_at"] is None
    text = response.get_data(as_text=True)
    assert current not in text and old not in text and "token_hash" not in text


def test_revoke_own_token(client, create_user, make_token, bearer):
    user = create_user()
    main, spare = make_token(user, name="principal"), make_token(user, name="secours")
    spare_id = next(t["id"] for t in client.get("/api/v1/tokens", headers=bearer(main)).get_json()["items"]
                    if t["name"] == "secours")

    response = client.delete(f"/api/v1/tokens/{spare_id}", headers=bearer(main))
    assert response.status_code == 204 and response.data == b""
    _assert_unauthorized(client.get("/api/v1/me", headers=bearer(spare)))
    assert client.get("/api/v1/me", headers=bearer(main)).status_code == 200
    # Revoking again changes nothing.
    assert client.delete(f"/api/v1/tokens/{spare_id}", headers=bearer(main)).status_code == 204


def test_revoking_another_users_token_is_404(client, create_user, make_token, bearer):
    mine = make_token(create_user())
    theirs = make_token(create_user(), name="le sien")
    other_id = client.get("/api/v1/tokens", headers=bearer(theirs)).get_json()["items"][0]["id"]

    for token_id in (other_id, 999_999):
        response = client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(mine))
        assert response.status_code == 404
        assert response.get_json()["error"] == {"code": "token_not_found", "message": "Ce jeton n'existe pas.",
                                                "details": None}
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


def test_revoke_current_token(client, create_user, make_token, bearer):
    user = create_user()
    secret, other = make_token(user), make_token(user)
    assert client.delete("/api/v1/tokens/current", headers=bearer(secret)).status_code == 204
    _assert_unauthorized(client.get("/api/v1/tokens", headers=bearer(secret)))
    _assert_unauthorized(client.delete("/api/v1/tokens/current", headers=bearer(secret)))
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


@pytest.mark.parametrize("method, url", [("get", "/api/v1/tokens"), ("delete", "/api/v1/tokens/1"),
                                         ("delete", "/api/v1/tokens/current")])
def test_token_endpoints_require_a_token(client, method, url):
    _assert_unauthorized(getattr(client, method)(url))


def test_api_ignores_the_browser_session(client, create_user, login):
    user = create_user()
    login(user)
    _assert_unauthorized(client.get("/api/v1/me"))


def test_cli_token_works_on_the_api(app, client, runner, create_user, bearer):
    user = create_user()
    result = runner.invoke(args=["tokens", "create", "--email", user.email])
    assert result.exit_code == 0, result.output
    secret = re.search(r"lvt_[A-Za-z0-9_-]+", result.output).group(0)
    assert client.get("/api/v1/me", headers=bearer(secret)).get_json()["email"] == user.email
