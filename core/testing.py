"""Pytest fixtures for Livret and its plugins (registered as the ``pytest11`` plugin ``livret``).

Fixtures: ``app``, ``client``, ``runner`` (as in Flask's tutorial), factories
``create_user`` / ``create_organisation`` / ``login``, ``outbox`` and
``register_plugin`` (a throwaway plugin registered for one test and
unregistered in ``finally``, as Datasette's tests do).

Every test using ``app`` runs once per database in ``LIVRET_TEST_DATABASES``
(default ``sqlite,postgresql``). PostgreSQL is reached at
``LIVRET_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``);
each test session creates its own database there and drops it at the end.
A PostgreSQL that cannot be reached fails the tests: it is never skipped.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from typing import Any, Callable, Iterator

import pytest

from core.testing_client import PageClient

DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _databases() -> list[str]:
    raw = os.environ.get("LIVRET_TEST_DATABASES", "sqlite,postgresql")
    return [d.strip() for d in raw.split(",") if d.strip()]


def pytest_configure(config):
    """Every Flask test client of the session posts forms as a browser does (see :class:`PageClient`); every log
    record of the session is scanned for personal data (:mod:`core.testing_logs`)."""
    from flask import Flask

    from core.testing_logs import register
    from core.testing_speed import share_url_builders

    Flask.test_client_class = PageClient
    share_url_builders()
    register(config)


def pytest_generate_tests(metafunc):
    if "database_kind" in metafunc.fixturenames:
        metafunc.parametrize("database_kind", _databases(), scope="session")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (worker), dropped at the end."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("LIVRET_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN_URL)
    name = f"livret_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    conninfo = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(request, database_kind, tmp_path) -> str:
    if database_kind == "sqlite":
        return "sqlite:///" + str(tmp_path / "livret.sqlite3")
    if database_kind == "postgresql":
        return request.getfixturevalue("postgres_database")
    raise ValueError(f"unknown database kind {database_kind!r}")


@pytest.fixture
def app_config(tmp_path, database_url) -> dict[str, Any]:
    """Settings of the test app; override this fixture (or update the dict) to change them."""
    return {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TESTING": True,
        "BASE_URL": "http://localhost",
    }


@pytest.fixture
def app(app_config, database_kind):
    from core import create_app
    from core.extensions import db
    from core.testing_speed import copy_sqlite_schema, keep_sqlite_schema

    url = app_config["DATABASE_URL"]
    fresh = database_kind == "sqlite" and not os.path.exists(url.removeprefix("sqlite:///"))
    copied = fresh and copy_sqlite_schema(url)
    application = create_app(dict(app_config))
    with application.app_context():
        db.create_all()  # on a copied schema: only what it lacks
        if fresh and not copied:  # the schema alone, no row yet: kept for the next tests
            keep_sqlite_schema(url)
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            if database_kind == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                with db.engine.begin() as conn:
                    conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def create_organisation(app) -> Callable[..., Any]:
    from core.auth.models import Organisation
    from core.extensions import db

    def factory(name: str = "Organisme de test", **fields: Any):
        from core.utils import slugify

        with app.app_context():
            org = Organisation(name=name, slug=fields.pop("slug", slugify(name) + "-" + uuid.uuid4().hex[:4]), **fields)
            db.session.add(org)
            db.session.commit()
            db.session.refresh(org)
            db.session.expunge(org)
            return org

    return factory


@pytest.fixture
def create_user(app) -> Callable[..., Any]:
    """``create_user(role="candidate", email=None, password="motdepasse-solide", organisation=None, verified=True)``."""
    from core.auth.models import Organisation
    from core.auth.services import create_user as _create
    from core.extensions import db

    counter = iter(range(1, 10_000))

    def factory(role: str = "candidate", email: str | None = None, password: str = "motdepasse-solide",
                organisation: Any = None, verified: bool = True, **fields: Any):
        with app.app_context():
            org = db.session.get(Organisation, organisation.id) if organisation is not None else None
            if org is None and role in ("certifier_admin", "certifier_staff"):
                org = Organisation(name="Certificateur test", slug=f"certif-{uuid.uuid4().hex[:6]}")
                db.session.add(org)
            user = _create(email=email or f"{role}{next(counter)}-{uuid.uuid4().hex[:6]}@example.org",
                           password=password, role=role, organisation=org, verified=verified, **fields)
            db.session.commit()
            user.plain_password = password
            db.session.refresh(user)
            db.session.expunge(user)
            user.plain_password = password
            return user

    return factory


@pytest.fixture
def login(client) -> Callable[..., Any]:
    """``login(user)`` signs the test client in through the real sign-in form."""

    def do_login(user, password: str | None = None, test_client=None):
        target = test_client or client
        response = target.post("/connexion", data={
            "email": user.email, "password": password or getattr(user, "plain_password", "motdepasse-solide")})
        assert response.status_code in (302, 303), f"sign-in failed: {response.status_code}"
        return response

    return do_login


@pytest.fixture
def outbox(app) -> Callable[[], list]:
    """``outbox()`` returns the e-mails written by the outbox mailer, oldest first."""

    def read():
        return app.extensions["livret"].mailer.messages()

    return read


@pytest.fixture
def stored_keys(app) -> Callable[[], list[str]]:
    """``stored_keys()`` -> every object key under ``annexes/`` in the configured storage (nothing left behind)."""

    def read() -> list[str]:
        with app.app_context():
            return sorted(app.extensions["livret"].storage.iter_keys("annexes/"))

    return read


@pytest.fixture
def staging_files(app) -> Callable[[], list[str]]:
    """``staging_files()`` -> the names in the upload staging folder (a refused upload leaves none)."""

    def read() -> list[str]:
        from pathlib import Path

        directory = Path(app.instance_path) / "upload-staging"
        return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []

    return read


@pytest.fixture
def register_plugin(app) -> Iterator[Callable[..., Any]]:
    """``register_plugin(obj, name)``: registered for this test only, unregistered in ``finally``."""
    from core.plugins import registered

    stack: list[Any] = []

    def do_register(plugin: Any, name: str):
        ctx = registered(app, plugin, name)
        ctx.__enter__()
        stack.append(ctx)
        return plugin

    try:
        yield do_register
    finally:
        while stack:
            stack.pop().__exit__(None, None, None)


def make_certification(code: str = "TEST01", title: str = "Certification de test", **fields: Any):
    """A small but complete descriptor for tests of core behaviour (no real plugin needed)."""
    from core.certifications.descriptor import (
        Block, Certification, Competency, Criterion, DecisionRules, Deadline, Evaluation, EvaluationScheme,
        Fee, Outcome)

    comps = (
        Competency("C1", "Rédiger un cahier des charges", (Criterion("C1.1", "Le besoin est reformulé."),), ("E1",)),
        Competency("C2", "Conduire un entretien", (Criterion("C2.1", "Les questions sont ouvertes."),
                                                   Criterion("C2.2", "La synthèse est fidèle.")), ("E1",)),
    )
    defaults: dict[str, Any] = dict(
        code=code, title=title, certifier="Organisme de test", registry="RS",
        blocks=(Block("BC01", "Bloc unique", comps, evaluations=("E1",)),),
        scheme=EvaluationScheme("Une épreuve orale.", (Evaluation("E1", "Oral", "Soutenance", ("C1", "C2"), 20),)),
        rules=DecisionRules(("Chaque compétence doit être acquise.",), (Outcome("ok", "Acquise"),)),
        fee=Fee(12345, label="Frais de test"),
        deadlines=(Deadline("written", "Rendu de l'écrit", 10, "après la formation"),),
    )
    defaults.update(fields)
    return Certification(**defaults)


class CertificationPlugin:
    """A throwaway plugin declaring the given certifications."""

    def __init__(self, *certifications):
        self.certifications = list(certifications)

    from core.hookspecs import hookimpl as _hookimpl

    @_hookimpl
    def livret_certifications(self):
        return self.certifications


# ---------------------------------------------------------------------------
# jury factories (sessions, admissible dossiers)
# ---------------------------------------------------------------------------

def organisation_id_for(code: str) -> int | None:
    """Inside an app context: the first organisation delivering ``code`` (the one a dossier opened
    without a choice goes to), or ``None``."""
    from core.dossiers.services import delivering_organisations

    found = delivering_organisations(code)
    return found[0].id if found else None


@pytest.fixture
def certifier_org(app, create_organisation) -> Callable[..., Any]:
    """``certifier_org("RNCP37827", ...)``: an organisation delivering those certifications."""
    from core.auth.models import Organisation, OrganisationCertification
    from core.extensions import db

    def factory(*codes: str, name: str = "Certificateur du jury"):
        org = create_organisation(name)
        with app.app_context():
            row = db.session.get(Organisation, org.id)
            for code in codes or ("RNCP37827",):
                row.certifications.append(OrganisationCertification(certification_code=code))
            db.session.commit()
        return org

    return factory


@pytest.fixture
def create_admissible_dossier(app, create_user) -> Callable[..., Any]:
    """``create_admissible_dossier(code="RNCP37827", candidate=None, submitted_days_ago=30, organisation=None)``:
    a dossier declared admissible, with one submitted version (rows only: no PDF), opened with
    ``organisation`` (default: the first organisation delivering ``code``)."""
    from datetime import datetime, timedelta, timezone

    from core.dossiers.models import Dossier, DossierStatus, DossierVersion
    from core.extensions import db

    def factory(code: str = "RNCP37827", candidate: Any = None, submitted_days_ago: int = 30,
                status: str = "admissible", organisation: Any = None, **user_fields: Any):
        from core.dossiers.services import delivering_organisations

        candidate = candidate or create_user("candidate", **user_fields)
        submitted = datetime.now(timezone.utc) - timedelta(days=submitted_days_ago)
        with app.app_context():
            if organisation is None:  # the certifier (the first organisation delivering ``code``)
                organisation = next(iter(delivering_organisations(code)), None)
            dossier = Dossier(candidate_id=candidate.id, certification_code=code, status=DossierStatus(status),
                              submitted_at=submitted,
                              organisation_id=organisation.id if organisation is not None else None)
            db.session.add(dossier)
            db.session.flush()
            dossier.reference = f"{code}-2026-{dossier.id:06d}"
            db.session.add(DossierVersion(dossier_id=dossier.id, number=1, content={}, manifest=[],
                                          submitted_at=submitted, submitted_by_id=candidate.id))
            db.session.commit()
            db.session.refresh(dossier)
            db.session.expunge(dossier)
            return dossier

    return factory


@pytest.fixture
def create_jury_session(app, create_user, certifier_org) -> Callable[..., Any]:
    """``create_jury_session(code="RNCP37827", manager=None, jurors=(), dossiers=(), status="draft",
    days_ahead=30)``: a session with the plugin's schedule. ``jurors`` are users (juror role)
    added as external professionals with 5 years of experience; ``dossiers`` are added as candidates."""
    from datetime import datetime, time, timedelta, timezone

    from core.certifications.services import get_certification
    from core.extensions import db
    from core.jury.models import JurySession, SessionCandidate, SessionJuror, SessionStatus

    def factory(code: str = "RNCP37827", manager: Any = None, jurors: Any = (), dossiers: Any = (),
                status: str = "draft", days_ahead: int = 30, **fields: Any):
        if manager is None:
            org = certifier_org(code)
            manager = create_user("session_manager", organisation=org)
        with app.app_context():
            cert = get_certification(code)
            day = (datetime.now(timezone.utc) + timedelta(days=days_ahead)).date()
            starts = datetime.combine(day, time(9, 0), tzinfo=timezone.utc)
            steps = [{"title": s.title, "minutes": s.duration_minutes, "with_candidate": s.with_candidate}
                     for s in (cert.scheme.schedule if cert.scheme else ())] or [
                {"title": "Épreuve", "minutes": 30, "with_candidate": True}]
            session = JurySession(organisation_id=manager.organisation_id, certification_code=code,
                                  title=fields.pop("title", f"Session {code}"), starts_at=starts, ends_on=day,
                                  centre=fields.pop("centre", "Centre de test"),
                                  address=fields.pop("address", "1 rue de la Paix, 75002 Paris"),
                                  schedule=steps, status=SessionStatus(status), manager_id=manager.id, **fields)
            if session.status is not SessionStatus.DRAFT:
                session.opened_at = datetime.now(timezone.utc)
            db.session.add(session)
            for juror in jurors:
                session.jurors.append(SessionJuror(user_id=juror.id, position="Ingénieur·e IA",
                                                   company="Entreprise extérieure", professional=True,
                                                   experience_years=5, external=True))
            minutes = session.slot_minutes
            for i, dossier in enumerate(dossiers):
                session.candidates.append(SessionCandidate(dossier_id=dossier.id, position=i,
                                                           starts_at=starts + timedelta(minutes=minutes * i)))
            db.session.commit()
            db.session.refresh(session)
            session_id = session.id
        return session_id

    return factory


# ---------------------------------------------------------------------------
# A live platform over HTTP (browser journeys, the API client of the docs)
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def live_platform(base: Any, signing_env: dict[str, Any], name: str = "livret-live-server") -> Iterator[Any]:
    """The real app factory on a SQLite file under ``base``, with the development PKI of ``signing_env``,
    CSRF and rate limits on, e-mails to the outbox and the demo accounts and data of ``livret demo``,
    served by werkzeug's threaded server in this process (tests can read the outbox and the database).
    Yields the app; ``app.live_url`` is the server's address."""
    import threading

    from werkzeug.serving import make_server

    from core import create_app
    from core.demo import load_demo
    from core.extensions import db
    from core.sealing.testing import closed_port

    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app({
        "INSTANCE_PATH": str(base / "instance"),
        "DATABASE_URL": "sqlite:///" + str(base / "livret.sqlite3"),
        "SECRET_KEY": f"{name}-secret-key-not-for-production",
        "BASE_URL": url,
        **signing_env,
    })
    with app.app_context():
        db.create_all()
        load_demo()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    app.live_url = url
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
