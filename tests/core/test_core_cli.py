"""The livret command: users, tokens, plugins, demo."""
from sqlalchemy import select

from core.auth.models import Organisation, Role, User
from core.extensions import db
from core.testing import CertificationPlugin, make_certification


def test_users_create_with_organisation(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "Admin@Simplon.example", "--password",
                                 "un-mot-de-passe-long", "--role", "certifier_admin", "--organisation", "Simplon.co"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin@simplon.example"))
        assert user.role is Role.CERTIFIER_ADMIN
        assert user.organisation.name == "Simplon.co" and user.is_verified


def test_users_create_refuses_bad_input_with_a_message(runner, app):
    result = runner.invoke(args=["users", "create", "--email", "x@example.org", "--password", "court",
                                 "--role", "juror"])
    assert result.exit_code != 0 and "12 caractères" in result.output
    result = runner.invoke(args=["users", "create", "--email", "y@example.org", "--password", "assez-long-pour-passer",
                                 "--role", "certifier_staff"])
    assert result.exit_code != 0 and "organisme" in result.output
    result = runner.invoke(args=["users", "create", "--email", "pas-une-adresse", "--password", "assez-long-pour-passer",
                                 "--role", "juror"])
    assert result.exit_code != 0 and "adresse" in result.output.lower()
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_duplicate_email_is_refused(runner, create_user):
    user = create_user("juror")
    result = runner.invoke(args=["users", "create", "--email", user.email.upper(), "--password",
                                 "assez-long-pour-passer", "--role", "juror"])
    assert result.exit_code != 0 and "existe déjà" in result.output


def test_tokens_create_prints_a_working_token_stored_hashed(runner, app, create_user):
    from core.api.models import ApiToken
    from core.api.services import authenticate

    user = create_user("candidate")
    result = runner.invoke(args=["tokens", "create", "--email", user.email])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("lvt_")
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash != secret and secret not in token.token_hash
        assert authenticate(secret).user_id == user.id
    result = runner.invoke(args=["tokens", "revoke", secret])
    assert result.exit_code == 0
    with app.app_context():
        assert authenticate(secret) is None


def test_plugins_lists_plugins_and_certifications(runner, app, register_plugin):
    register_plugin(CertificationPlugin(make_certification("CLI01", "Certification listée")), "cliplugin")
    result = runner.invoke(args=["plugins"])
    assert result.exit_code == 0
    assert "cliplugin" in result.output
    assert "CLI01  Certification listée — Organisme de test" in result.output


def test_demo_creates_every_role_and_is_idempotent(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        accounts = select(db.func.count(User.id)).where(User.email.like("%@demo.livret.fr"))
        assert db.session.scalar(accounts) == first.output.count("@demo.livret.fr")
        assert db.session.scalar(select(db.func.count(Organisation.id))) == 2
        # fictitious dossiers, created once, whose candidates cannot sign in
        from core.dossiers.models import Dossier

        assert db.session.scalar(select(db.func.count(Dossier.id))) == 28
        assert "fictitious dossiers already present" in second.output.lower()
        from core.jury.models import JurySession

        sessions = list(db.session.scalars(select(JurySession)))
        assert len(sessions) == 2 and {len(s.candidates) for s in sessions} == {2}
        assert {len(s.jurors) for s in sessions} == {2}
    assert "demo-candidat-2026" in first.output


def test_demo_data_fills_the_staff_dashboard(runner, app, client):
    """The certifier's dashboard shows the figures of the demo data."""
    import html

    assert runner.invoke(args=["demo"]).exit_code == 0
    client.post("/connexion", data={"email": "certificateur@demo.livret.fr", "password": "demo-certificateur-2026"})
    page = html.unescape(client.get("/certificateur/tableau-de-bord").get_data(as_text=True))
    # RNCP37827 of Simplon.co: 5 admissible + 2 scheduled out of 9 decided -> 78 %
    assert "Recevable" in page and "77,8 %" in page
    # the fictitious candidates cannot sign in (no usable password)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "lea.05@candidats.demo.livret.fr"))
    other = app.test_client()
    response = other.post("/connexion", data={"email": "lea.05@candidats.demo.livret.fr", "password": "!"})
    assert response.status_code != 302
    assert other.get("/espace/").status_code in (302, 401)


def test_demo_jury_sessions_are_ready_to_try(runner, app):
    """The demo jurors see the planned sessions; the manager sees what is missing before opening."""
    import html

    from sqlalchemy import select

    from core.jury.models import JurySession

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        session_id = db.session.scalar(select(JurySession.id).where(JurySession.certification_code == "RNCP37827"))
    juror = app.test_client()
    juror.post("/connexion", data={"email": "jure@demo.livret.fr", "password": "demo-jure-2026"})
    assert "Session de jury VAE – Développeur en IA" in html.unescape(juror.get("/espace/").get_data(as_text=True))
    manager = app.test_client()
    manager.post("/connexion", data={"email": "responsable@demo.livret.fr", "password": "demo-responsable-2026"})
    page = html.unescape(manager.get(f"/sessions/{session_id}").get_data(as_text=True))
    assert "n'a pas encore fait sa déclaration" in page
