"""The account page: profile, sessions, API tokens (created once, revocable by their owner only)."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.api.models import ApiToken


def tokens_of(db_session, user):
    return db_session(lambda s: s.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all())


def test_account_page_shows_profile_and_sessions(client, create_user, login, text):
    user = create_user(role="certifier_admin", first_name="Inès", last_name="Roux")
    login(user)
    page = text(client.get("/compte"))
    assert "Inès Roux" in page and user.email in page
    assert "Administration du certificateur" in page and "Certificateur test" in page
    assert "127.0.0.1" in page and "(cette session)" in page


def test_sign_out_other_sessions(app, client, create_user, login, text):
    user = create_user()
    other = app.test_client()
    login(user, test_client=other)
    login(user)
    assert "Déconnecter les autres sessions" in text(client.get("/compte"))
    response = client.post("/compte/sessions/deconnecter-autres")
    assert response.status_code == 302
    assert "Autres sessions déconnectées : 1" in text(client.get("/compte"))
    assert other.get("/compte").status_code == 302
    assert client.get("/compte").status_code == 200


def test_create_token_is_shown_once_and_stored_hashed(client, create_user, login, db_session, text):
    user = create_user()
    login(user)
    created = client.post("/compte/jetons", data={"name": "Export", "validity": "30"})
    assert created.status_code == 201
    page = text(created)
    secret = re.search(r'id="jeton-secret" type="text" readonly value="([^"]+)"', page).group(1)
    assert "il ne sera plus jamais affiché" in page

    [token] = tokens_of(db_session, user)
    assert token.token_hash == ApiToken.hash(secret) and secret not in (token.token_hash, token.hint)
    assert token.name == "Export" and token.expires_at is not None
    assert created.headers["Cache-Control"] == "no-store"

    later = text(client.get("/compte"))
    assert secret not in later and token.hint in later and "Export" in later

    missing = client.post("/compte/jetons", data={"name": "", "validity": "30"})
    assert missing.status_code == 422 and "Donnez un nom au jeton" in text(missing)


def test_revoke_own_token_but_not_someone_elses(client, create_user, login, db_session, app):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    owner, intruder = create_user(), create_user()
    with app.app_context():
        _, theirs = issue_token(db.session.get(User, owner.id), name="Le mien")
        _, mine = issue_token(db.session.get(User, intruder.id), name="Intrus")
        db.session.commit()
        theirs_id, mine_id = theirs.id, mine.id

    login(intruder)
    refused = client.post(f"/compte/jetons/{theirs_id}/revoquer")
    assert refused.status_code == 404
    assert tokens_of(db_session, owner)[0].revoked_at is None
    assert "Le mien" not in client.get("/compte").get_data(as_text=True)
    assert "<td>Intrus</td>" in client.get("/compte").get_data(as_text=True)

    done = client.post(f"/compte/jetons/{mine_id}/revoquer")
    assert done.status_code == 302
    assert tokens_of(db_session, intruder)[0].revoked_at is not None
    page = client.get("/compte").get_data(as_text=True)
    assert "<td>Intrus</td>" not in page and "avez aucun jeton actif." in page
