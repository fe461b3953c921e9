"""Sign-in, sign-out, server-side sessions and their timeouts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from core.auth.models import LoginSession, User, utcnow

GENERIC = "Adresse électronique ou mot de passe incorrect."


def sessions_of(db_session, user):
    return db_session(lambda s: s.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                          .order_by(LoginSession.id)).all())


def test_wrong_password_and_unknown_address_get_the_same_generic_message(client, create_user, text, db_session,
                                                                         same_page):
    user = create_user()
    wrong = client.post("/connexion", data={"email": user.email, "password": "pas le bon mot de passe"})
    unknown = client.post("/connexion", data={"email": "personne@example.org", "password": "pas le bon mot de passe"})
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert GENERIC in text(response)
    # Same page apart from the address typed (which is kept in the field).
    assert same_page(wrong).replace(user.email, "X") == same_page(unknown).replace("personne@example.org", "X")
    assert 'value="pas le bon mot de passe"' not in text(wrong)
    assert sessions_of(db_session, user) == []
    assert client.get("/compte").status_code == 302


def test_inactive_account_gets_the_generic_message(client, create_user, db_session, text):
    user = create_user()
    db_session(lambda s: s.execute(update(User).where(User.id == user.id).values(active=False)))
    response = client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    assert response.status_code == 422 and GENERIC in text(response)


def test_unverified_account_cannot_sign_in(client, create_user, db_session, text):
    user = create_user(verified=False)
    response = client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    assert response.status_code == 403
    page = text(response)
    assert "pas encore confirmée" in page and 'action="/verification/renvoyer"' in page
    assert sessions_of(db_session, user) == []
    assert client.get("/compte").status_code == 302
    # With a wrong password the account's state is not revealed.
    wrong = client.post("/connexion", data={"email": user.email, "password": "pas le bon mot de passe"})
    assert GENERIC in text(wrong) and "pas encore confirmée" not in text(wrong)


def test_next_only_redirects_within_the_site(client, create_user, login, text):
    user = create_user()
    protected = client.get("/compte")
    assert protected.status_code == 302 and "/connexion?next=/compte" in protected.headers["Location"]
    assert 'name="next" type="hidden" value="/compte"' in text(client.get("/connexion?next=/compte"))
    response = client.post("/connexion", data={"email": user.email, "password": user.plain_password, "next": "/compte"})
    assert response.headers["Location"] == "/compte"
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"):
        client.post("/deconnexion")
        other = create_user()  # one account each: sign-ins per address are rate-limited (5 a minute)
        response = client.post("/connexion", data={"email": other.email, "password": other.plain_password, "next": evil})
        assert response.headers["Location"] == "/espace/", evil


def test_login_starts_a_new_session_and_logout_revokes_it(client, create_user, login, db_session):
    user = create_user()
    with client.session_transaction() as sess:
        sess["planted"] = "fixation"
        sess["lang"] = "fr"
    before = client.get_cookie("session").value

    login(user)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["lang"] == "fr"  # the chosen language survives sign-in
        assert sess["login_sid"] and sess["_user_id"] == str(user.id)
        sid = sess["login_sid"]
    rows = sessions_of(db_session, user)
    assert len(rows) == 1 and rows[0].sid_hash == LoginSession.hash_sid(sid) and rows[0].revoked_at is None
    assert rows[0].ip_address == "127.0.0.1"
    assert client.get("/compte").status_code == 200

    response = client.post("/deconnexion")
    assert response.status_code == 302
    assert sessions_of(db_session, user)[0].revoked_at is not None
    assert client.get("/compte").status_code == 302

    # Replaying the cookie captured while signed in no longer works.
    client.set_cookie("session", after)
    replay = client.get("/compte")
    assert replay.status_code == 302 and "/connexion" in replay.headers["Location"]


def test_idle_timeout_signs_out_with_a_french_message(app, client, create_user, login, db_session, text):
    user = create_user()
    login(user)
    assert client.get("/compte").status_code == 200
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db_session(lambda s: s.execute(update(LoginSession).values(last_seen_at=utcnow() - idle)))

    response = client.get("/compte")
    assert response.status_code == 302 and response.headers["Location"] == "/connexion?next=/compte"
    assert "Votre session a expiré" in text(client.get(response.headers["Location"]))
    assert sessions_of(db_session, user)[0].revoked_at is not None
    assert client.get("/compte").status_code == 302


def test_absolute_timeout_even_when_active(app, client, create_user, login, db_session):
    user = create_user()
    login(user)
    old = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)
    db_session(lambda s: s.execute(update(LoginSession).values(created_at=utcnow() - old, last_seen_at=utcnow())))
    response = client.get("/compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert sessions_of(db_session, user)[0].revoked_at is not None


def test_expired_session_on_the_api_is_a_json_401(app, client, create_user, login, db_session):
    user = create_user()
    login(user)
    db_session(lambda s: s.execute(update(LoginSession).values(revoked_at=utcnow())))
    response = client.get("/api/v1/certifications")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "session_expired"


def test_last_seen_is_written_at_most_once_a_minute(client, create_user, login, db_session):
    user = create_user()
    login(user)
    first = sessions_of(db_session, user)[0].last_seen_at
    client.get("/compte")
    assert sessions_of(db_session, user)[0].last_seen_at == first
    two_minutes_ago = utcnow() - timedelta(minutes=2)
    db_session(lambda s: s.execute(update(LoginSession).values(last_seen_at=two_minutes_ago)))
    client.get("/compte")
    seen = sessions_of(db_session, user)[0].last_seen_at
    assert seen.replace(tzinfo=None) > two_minutes_ago.replace(tzinfo=None) + timedelta(minutes=1)
