"""A dependency that is down (the database restarted, the object storage stopped) is answered with a clear
503 and a JSON error, never a 500; other database and storage errors stay 500 (``make stack-test`` shows it on
the real services)."""
import pytest


def _answer(app, exc):
    with app.test_request_context("/api/v1/_test", headers={"Accept": "application/json"}):
        return app.make_response(app.handle_user_exception(exc))


def _operational():
    from sqlalchemy.exc import OperationalError

    return OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_database_down_is_503_database_unavailable(app):
    response = _answer(app, _operational())
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    error = response.get_json()["error"]
    assert error["code"] == "database_unavailable" and "indisponible" in error["message"]


def test_storage_down_is_503_storage_unavailable(app):
    from storage.base import StorageError

    response = _answer(app, StorageError("S3 upload failed: connection refused"))
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "storage_unavailable"


@pytest.mark.parametrize("kind", ["integrity", "missing_object"])
def test_other_database_and_storage_errors_stay_500(app, kind):
    from sqlalchemy.exc import IntegrityError

    from storage.base import ObjectNotFound

    exc = IntegrityError("INSERT", {}, Exception("duplicate")) if kind == "integrity" else ObjectNotFound("k")
    response = _answer(app, exc)
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"


def test_the_seal_resume_period_is_a_setting(app_config):
    from datetime import timedelta

    from core import create_app
    from core.scheduler import configured_tasks

    app = create_app({**app_config, "SEAL_RESUME_SECONDS": 7})
    with app.app_context():
        tasks = {t.name: t.every for t in configured_tasks()}
    assert tasks["seal-resume"] == timedelta(seconds=7) and tasks["webhook-retries"] == timedelta(minutes=1)


def test_a_connection_killed_at_the_end_of_a_request_is_dropped_not_raised(app):
    """PostgreSQL restarted between a request's last statement and its end: the closing ROLLBACK fails. The
    request's answer stands (no 500 from the teardown) and the next request gets a fresh connection."""
    from sqlalchemy import text

    from core.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("killing a server connection needs PostgreSQL (the same test runs on it)")
    with app.test_request_context("/"):
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()  # a transaction is open
        with db.engine.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar() is True
    # leaving the context ran the teardown without raising; the pool then hands out a live connection
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_connections_are_tested_before_use_on_a_database_server_only(app):
    """A PostgreSQL connection can die between two requests (restart, fail-over): the pool tries it before
    handing it out. A SQLite file cannot: no statement is spent on it for every request."""
    from core.extensions import db

    with app.app_context():
        assert db.engine.pool._pre_ping is (db.engine.dialect.name != "sqlite")
