"""Password reset by e-mail and password change from the account page."""
from __future__ import annotations

import time

import itsdangerous
from sqlalchemy import select

from core.auth.models import LoginSession, User

NEW = "un tout nouveau mot de passe"


def path(link: str) -> str:
    return link.removeprefix("http://localhost")


def live_sessions(db_session, user):
    return db_session(lambda s: s.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                                     LoginSession.revoked_at.is_(None))).all())


def test_forgot_password_gives_the_same_answer_for_any_address(client, create_user, outbox, text, same_page):
    user = create_user()
    known = client.post("/mot-de-passe/oublie", data={"email": user.email})
    unknown = client.post("/mot-de-passe/oublie", data={"email": "inconnu@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert same_page(known).replace(user.email, "X") == same_page(unknown).replace("inconnu@example.org", "X")
    assert "Si un compte existe" in text(known)
    assert [m["To"] for m in outbox()] == [user.email]


def test_reset_link_works_once_and_signs_out_everywhere(app, client, create_user, login, outbox, mail_links,
                                                        db_session, text):
    user = create_user()
    other_browser = app.test_client()
    login(user, test_client=other_browser)
    assert other_browser.get("/compte").status_code == 200

    client.post("/mot-de-passe/oublie", data={"email": user.email})
    message = outbox()[-1]
    assert "Réinitialisation" in message["Subject"]
    assert f"{app.config['RESET_TOKEN_MINUTES']} minutes" in message.get_body(("plain",)).get_content()
    link = path(mail_links(user.email)[-1])
    assert link.startswith("/mot-de-passe/reinitialiser/")

    form = client.get(link)
    assert form.status_code == 200 and 'autocomplete="new-password"' in text(form)
    mismatch = client.post(link, data={"password": NEW, "password_confirm": NEW + "x"})
    assert mismatch.status_code == 422 and "ne sont pas identiques" in text(mismatch)

    done = client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/connexion"
    assert live_sessions(db_session, user) == []
    assert other_browser.get("/compte").status_code == 302
    assert "mot de passe a été modifié" in outbox()[-1]["Subject"]

    # The link was bound to the old password: it no longer works.
    again = client.get(link)
    assert again.status_code == 400 and "n'est plus valable" in text(again)
    assert client.post(link, data={"password": "encore un autre mot de passe",
                                   "password_confirm": "encore un autre mot de passe"}).status_code == 400

    old = client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    assert old.status_code == 422
    login(user, password=NEW)


def test_expired_reset_link_is_refused(app, client, create_user, monkeypatch, text):
    from core.auth.services import make_reset_token
    from core.extensions import db

    user = create_user()
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: int(time.time()) - (app.config["RESET_TOKEN_MINUTES"] + 1) * 60)
    with app.test_request_context():
        token = make_reset_token(db.session.get(User, user.id))
    monkeypatch.undo()
    response = client.get(f"/mot-de-passe/reinitialiser/{token}")
    assert response.status_code == 400 and "Demander un nouveau lien" in text(response)


def test_change_password_needs_the_current_one_and_signs_out_other_sessions(app, client, create_user, login,
                                                                              db_session, text):
    user = create_user()
    other_browser = app.test_client()
    login(user, test_client=other_browser)
    login(user)

    wrong = client.post("/compte/mot-de-passe", data={"current_password": "pas le bon",
                                                      "password": NEW, "password_confirm": NEW})
    assert wrong.status_code == 422
    assert "Le mot de passe actuel est incorrect" in text(wrong)
    assert 'id="current_password-error"' in text(wrong)

    short = client.post("/compte/mot-de-passe", data={"current_password": user.plain_password,
                                                      "password": "court", "password_confirm": "court"})
    assert short.status_code == 422 and "au moins 12 caractères" in text(short)

    ok = client.post("/compte/mot-de-passe", data={"current_password": user.plain_password,
                                                   "password": NEW, "password_confirm": NEW})
    assert ok.status_code == 302
    assert "Vos autres sessions ont été déconnectées" in text(client.get("/compte"))
    assert other_browser.get("/compte").status_code == 302
    assert len(live_sessions(db_session, user)) == 1
    client.post("/deconnexion")
    login(user, password=NEW)
