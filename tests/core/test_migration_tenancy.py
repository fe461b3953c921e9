"""Migration 0012 backfills what was there: links stay granted, dossiers get the organisation that delivered them."""
from sqlalchemy import text

from core import create_app
from core.extensions import db
from tests.core.test_migrations import empty_database_url  # noqa: F401 - fixture


def test_existing_links_become_grants_and_dossiers_get_their_organisation(tmp_path, empty_database_url):  # noqa: F811
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": empty_database_url,
                      "SECRET_KEY": "x" * 32})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0011"]).exit_code == 0
    now = "2026-01-02 03:04:05+00"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, name, slug, created_at) VALUES "
                          "(1, 'Simplon.co', 'simplon', :t), (2, 'Autre', 'autre', :t)"), {"t": now})
        conn.execute(text("INSERT INTO organisation_certifications (organisation_id, certification_code, enabled, "
                          "created_at) VALUES (1, 'RNCP37827', true, :t)"), {"t": now})
        conn.execute(text("INSERT INTO users (id, email, password_hash, first_name, last_name, role, active, "
                          "password_changed_at, created_at) VALUES (1, 'c@example.org', 'x', 'C', 'D', 'candidate', "
                          "true, :t, :t)"), {"t": now})
        conn.execute(text("INSERT INTO dossiers (id, candidate_id, certification_code, status, created_at, updated_at) "
                          "VALUES (1, 1, 'RNCP37827', 'submitted', :t, :t), (2, 1, 'RS6776', 'draft', :t, :t)"),
                     {"t": now})
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect() as conn:
        links = conn.execute(text("SELECT organisation_id, role, granted_at IS NOT NULL FROM "
                                  "organisation_certifications")).all()
        assert [tuple(row) for row in links] == [(1, "certifier", True)]
        dossiers = dict(conn.execute(text("SELECT id, organisation_id FROM dossiers")).all())
        # RS6776 was delivered by nobody: no organisation, no staff sees it
        assert dossiers == {1: 1, 2: None}
    with app.app_context():
        db.engine.dispose()
