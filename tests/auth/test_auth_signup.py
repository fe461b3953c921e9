"""Sign-up, e-mail verification and the non-enumerating ``register_candidate``."""
from __future__ import annotations

import time

import itsdangerous
import pytest
from sqlalchemy import func, select

from core.auth.models import Role, User

SIGNUP = {
    "first_name": "Awa",
    "last_name": "Diallo",
    "email": "Awa.Diallo@Example.org",
    "password": "une phrase de passe solide",
    "password_confirm": "une phrase de passe solide",
    "accept_terms": "y",
}


def count_users(db_session, email):
    return db_session(lambda s: s.scalar(select(func.count(User.id)).where(func.lower(User.email) == email.lower())))


def test_signup_page_is_labelled_and_has_autocomplete(client, text):
    page = text(client.get("/inscription"))
    for field_id, autocomplete in [("first_name", "given-name"), ("last_name", "family-name"),
                                   ("email", "email"), ("password", "new-password")]:
        assert f'<label for="{field_id}">' in page
        assert f'autocomplete="{autocomplete}"' in page
    assert 'id="accept_terms"' in page and "conditions d'utilisation" in page


def test_signup_then_verify_then_sign_in(client, outbox, mail_links, db_session, text):
    response = client.post("/inscription", data=SIGNUP)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Consultez votre messagerie" in page and "awa.diallo@example.org" in page

    user = db_session(lambda s: s.scalar(select(User).where(User.email == "awa.diallo@example.org")))
    assert user is not None and user.role is Role.CANDIDATE and user.email_verified_at is None
    assert user.first_name == "Awa" and user.password_hash.startswith("$argon2")

    messages = outbox()
    assert len(messages) == 1 and messages[0]["To"] == "awa.diallo@example.org"
    assert "Confirmez votre adresse" in messages[0]["Subject"]
    links = mail_links()
    assert len(links) == 1 and links[0].startswith("http://localhost/verification/")

    # Not verified yet: no sign-in.
    refused = client.post("/connexion", data={"email": SIGNUP["email"], "password": SIGNUP["password"]})
    assert refused.status_code == 403
    assert "pas encore confirmée" in text(refused)

    verified = client.get(links[0].removeprefix("http://localhost"))
    assert verified.status_code == 302 and verified.headers["Location"].endswith("/connexion")
    assert "adresse électronique est confirmée" in text(client.get("/connexion"))
    assert db_session(lambda s: s.scalar(select(User.email_verified_at).where(User.id == user.id))) is not None

    signed_in = client.post("/connexion", data={"email": SIGNUP["email"], "password": SIGNUP["password"]})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/espace/")
    assert client.get("/compte").status_code == 200


def test_duplicate_email_keeps_input_and_creates_nothing(client, create_user, db_session, text, outbox):
    create_user(email="deja@example.org")
    response = client.post("/inscription", data={**SIGNUP, "email": "DEJA@example.org"})
    assert response.status_code == 422
    page = text(response)
    assert "Un compte existe déjà avec cette adresse électronique" in page
    # The message is tied to the e-mail field and listed in the summary.
    assert 'id="email-error"' in page and 'aria-describedby="email-hint email-error"' in page
    assert 'href="#email"' in page
    # What was typed is kept, except the passwords.
    assert 'value="Awa"' in page and 'value="Diallo"' in page and 'value="DEJA@example.org"' in page
    assert SIGNUP["password"] not in page
    assert count_users(db_session, "deja@example.org") == 1
    assert outbox() == []


@pytest.mark.parametrize("changes, field_id, message", [
    ({"password": "court", "password_confirm": "court"}, "password", "au moins 12 caractères"),
    ({"password_confirm": "autre chose encore"}, "password_confirm", "ne sont pas identiques"),
    ({"accept_terms": ""}, "accept_terms", "accepter les conditions"),
    ({"email": "pas-une-adresse"}, "email", "adresse électronique valide"),
    ({"first_name": ""}, "first_name", "Saisissez votre prénom"),
])
def test_signup_refuses_bad_input_with_french_messages(client, db_session, text, changes, field_id, message):
    data = {**SIGNUP, **changes}
    if not data["accept_terms"]:
        del data["accept_terms"]
    response = client.post("/inscription", data=data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'id="{field_id}-error"' in page and 'aria-invalid="true"' in page
    assert "Le formulaire contient des erreurs" in page
    assert count_users(db_session, "awa.diallo@example.org") == 0


def test_expired_verification_link_offers_a_new_one(app, client, create_user, mail_links, monkeypatch, text):
    user = create_user(verified=False)
    from core.auth.services import make_verification_token

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: int(time.time()) - (app.config["EMAIL_TOKEN_HOURS"] + 1) * 3600)
    with app.test_request_context():
        from core.extensions import db
        old_token = make_verification_token(db.session.get(User, user.id))
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", real)

    response = client.get(f"/verification/{old_token}")
    assert response.status_code == 400
    page = text(response)
    assert "n'est plus valable" in page and "Recevoir un nouveau lien" in page
    assert client.get("/verification/nimportequoi").status_code == 400

    resent = client.post("/verification/renvoyer", data={"email": user.email})
    assert resent.status_code == 302
    assert "un nouveau lien vient de lui être envoyé" in text(client.get(resent.headers["Location"]))
    link = mail_links(user.email)[-1]
    assert client.get(link.removeprefix("http://localhost")).status_code == 302
    assert client.post("/connexion", data={"email": user.email, "password": user.plain_password}).status_code == 302


def test_resend_does_not_reveal_whether_the_address_exists(client, create_user, outbox, same_page):
    verified = create_user()
    answers = []
    for email in ("inconnu@example.org", verified.email):
        response = client.post("/verification/renvoyer", data={"email": email})
        answers.append(same_page(client.get(response.headers["Location"])).replace(email, "X"))
    assert answers[0] == answers[1]
    assert outbox() == []


def test_register_candidate_does_not_enumerate(app, create_user, outbox, mail_links, db_session):
    from core.auth.services import register_candidate
    from core.errors import ValidationFailed

    owner = create_user(email="titulaire@example.org", role="juror")
    with app.test_request_context():
        new = register_candidate(email="Nouvelle@Example.org", password="une phrase de passe solide",
                                 first_name="Léa", last_name="Martin")
        assert new is not None and new.email == "nouvelle@example.org" and not new.is_verified
        taken = register_candidate(email="TITULAIRE@example.org", password="une phrase de passe solide",
                                   first_name="Intrus", last_name="X")
        assert taken is None
        with pytest.raises(ValidationFailed) as bad:
            register_candidate(email="titulaire@example.org", password="court", first_name="A", last_name="B")
        assert "password" in bad.value.details

    assert count_users(db_session, "titulaire@example.org") == 1
    stored = db_session(lambda s: s.scalar(select(User).where(User.email == owner.email)))
    assert stored.role is Role.JUROR and stored.first_name != "Intrus"
    to_owner = [m for m in outbox() if m["To"] == owner.email]
    assert len(to_owner) == 1 and "Tentative d'inscription" in to_owner[0]["Subject"]
    assert any(link.endswith("/mot-de-passe/oublie") for link in mail_links(owner.email))
    assert any("/verification/" in link for link in mail_links("nouvelle@example.org"))
