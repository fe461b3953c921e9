"""A certifier organisation delivering RNCP37827 and RS6776, its session manager
(signed in on ``manager_client``), jurors and admissible dossiers."""
import html
import re

import pytest


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def text(response) -> str:
    """What a reader sees: tags removed, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def api_headers(app):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def make(user):
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="tests")
            db.session.commit()
            return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def org(certifier_org):
    return certifier_org("RNCP37827", "RS6776", name="Simplon Lyon")


@pytest.fixture
def manager(create_user, org):
    return create_user("session_manager", organisation=org, first_name="Léa", last_name="Richard")


@pytest.fixture
def manager_client(app, login, manager):
    c = app.test_client()
    login(manager, test_client=c)
    return c


@pytest.fixture
def signed_in(app, login):
    """``signed_in(user)``: a new test client signed in as ``user``."""

    def make(user):
        c = app.test_client()
        login(user, test_client=c)
        return c

    return make


@pytest.fixture
def jurors(create_user):
    return [create_user("juror", first_name="Jules", last_name="Martin"),
            create_user("juror", first_name="Julie", last_name="Bernard")]


@pytest.fixture
def dossiers(create_admissible_dossier):
    return [create_admissible_dossier("RNCP37827", first_name="Camille", last_name="Durand"),
            create_admissible_dossier("RNCP37827", first_name="Sacha", last_name="Petit")]


def session_of(app, session_id):
    """The session row, detached with its candidates and jurors loaded (for assertions)."""
    from sqlalchemy.orm import selectinload

    from core.extensions import db
    from core.jury.models import JurySession, SessionCandidate

    with app.app_context():
        session = db.session.scalar(
            db.select(JurySession).where(JurySession.id == session_id).options(
                selectinload(JurySession.candidates).selectinload(SessionCandidate.dossier),
                selectinload(JurySession.candidates).selectinload(SessionCandidate.declarations),
                selectinload(JurySession.jurors)))
        db.session.expunge_all()
        return session


def new_session(client, **fields) -> int:
    data = {"certification": "RNCP37827", "title": "Session de mars", "day": "2030-03-14", "clock": "09:00",
            "ends_on": "", "centre": "", "address": "12 rue de la République, 69002 Lyon", "video_link": "",
            "manager_position": "Responsable pédagogique"}
    data.update(fields)
    response = client.post("/sessions/nouvelle", data=data)
    assert response.status_code == 302, page(response)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def declare_all(app, session_id, juror_user, no_link=True, no_training=True):
    """Record the juror's declarations for every candidate directly (the page is tested apart)."""
    from core.auth.models import User
    from core.extensions import db
    from core.jury.models import JurySession
    from core.sessions import members

    with app.app_context():
        session = db.session.get(JurySession, session_id)
        user = db.session.get(User, juror_user.id)
        members.declare(session, user, [{"candidate_id": c.id, "no_link": no_link, "no_training": no_training}
                                        for c in session.candidates])
        db.session.commit()
