"""A run that fails or is interrupted on one dossier: the others are done, that one is whole, the next run
finishes the work without deleting anything twice, and the audit chain still verifies."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401
from tests.privacy.retention_support import NOW, build_world, object_bytes, org_admin, retention_plugin  # noqa: F401


@pytest.fixture
def world(app, org_admin, input_pdf, monkeypatch):
    with app.app_context():
        return build_world(app, org_admin.organisation_id, input_pdf, monkeypatch)


def _second_purge_fails(monkeypatch, exception):
    """``purge_dossier_contents`` of the run raises ``exception`` on its second dossier, after the first
    half of its work (the sections are deleted, not yet committed)."""
    from core.privacy import purge, retention

    calls = []

    def failing(dossier):
        calls.append(dossier.id)
        if len(calls) == 2:
            from core.dossiers.models import SectionDraft
            from core.extensions import db
            from sqlalchemy import delete

            db.session.execute(delete(SectionDraft).where(SectionDraft.dossier_id == dossier.id))
            raise exception
        return purge.purge_dossier_contents(dossier)

    monkeypatch.setattr(retention, "purge_dossier_contents", failing)
    return calls


def _storage_deletes(app, monkeypatch) -> list[str]:
    storage = app.extensions["livret"].storage
    deleted: list[str] = []
    real = storage.delete

    def counting(key):
        deleted.append(key)
        return real(key)

    monkeypatch.setattr(storage, "delete", counting)
    return deleted


def _whole(app, dossier_id, keys) -> bool:
    from core.dossiers.models import Annex, Dossier, SectionDraft
    from core.extensions import db

    dossier = db.session.get(Dossier, dossier_id)
    return (dossier.purged_at is None
            and db.session.scalar(select(func.count(SectionDraft.id)).where(SectionDraft.dossier_id == dossier_id)) > 0
            and db.session.scalar(select(func.count(Annex.id)).where(Annex.dossier_id == dossier_id)) == len(keys)
            and all(object_bytes(app, key) for key in keys))


def test_an_error_on_one_dossier_leaves_it_whole_and_the_next_run_finishes(app, world, monkeypatch, runner):
    from core.privacy import purge, retention

    deleted = _storage_deletes(app, monkeypatch)
    calls = _second_purge_fails(monkeypatch, RuntimeError("disque plein"))
    with app.app_context():
        report = retention.run(NOW)
        assert report.kinds["dossier_after_decision"].failed == 1
        assert report.kinds["dossier_after_decision"].items == 1
        assert report.kinds["inadmissible"].items == 1  # the run went on after the failure
        failed_id = calls[1]
        failed = next(w for w in (world["decided_old"], world["decided_ancient"]) if w.dossier_id == failed_id)
        assert _whole(app, failed_id, failed.annex_keys)
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert "dossier_after_decision: 1 decided dossier(s) would be purged" in result.output

    monkeypatch.setattr(retention, "purge_dossier_contents", purge.purge_dossier_contents)
    with app.app_context():
        again = retention.run(NOW)
        assert again.kinds["dossier_after_decision"].items == 1 and again.failed == 0
        assert all(object_bytes(app, key) is None for key in failed.annex_keys)
    assert len(deleted) == len(set(deleted))  # nothing deleted twice
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_an_interrupted_run_resumes_without_double_deletion(app, world, monkeypatch, runner):
    from core.extensions import db
    from core.privacy import purge, retention

    deleted = _storage_deletes(app, monkeypatch)
    calls = _second_purge_fails(monkeypatch, KeyboardInterrupt())
    with app.app_context():
        with pytest.raises(KeyboardInterrupt):
            retention.run(NOW)
        db.session.rollback()  # what the end of the process does to its open transaction
        first_id, second_id = calls
        by_id = {w.dossier_id: w for w in (world["decided_old"], world["decided_ancient"])}
        from core.dossiers.models import Dossier

        assert db.session.get(Dossier, first_id).purged_at is not None  # committed before the interruption
        assert _whole(app, second_id, by_id[second_id].annex_keys)  # not half purged
        assert db.session.get(Dossier, world["inadmissible_old"]).purged_at is None  # not reached
        done_before = list(deleted)

    monkeypatch.setattr(retention, "purge_dossier_contents", purge.purge_dossier_contents)
    with app.app_context():
        again = retention.run(NOW)
        assert again.failed == 0
        assert again.kinds["dossier_after_decision"].items == 1  # only the interrupted one
        assert again.kinds["inadmissible"].items == 1
        assert db.session.get(Dossier, second_id).purged_at is not None
    assert not set(done_before) & set(deleted[len(done_before):])
    assert len(deleted) == len(set(deleted))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
