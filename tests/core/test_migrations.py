"""`livret db upgrade` builds exactly the schema of the models, on SQLite and PostgreSQL."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core import create_app
from core.extensions import db


@pytest.fixture
def empty_database_url(database_kind, tmp_path):
    if database_kind == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrated.sqlite3")
        return
    import psycopg

    admin = os.environ.get("LIVRET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"livret_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_matches_models_and_downgrade_works(tmp_path, empty_database_url):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": empty_database_url,
                      "SECRET_KEY": "x" * 32})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from sqlalchemy import inspect

        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
