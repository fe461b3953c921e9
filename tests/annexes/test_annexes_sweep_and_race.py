"""The orphan sweep keeps what rows need (active annexes, annexes listed by a submitted version)
and removes the rest after the grace period; numbering stays unique under concurrent uploads."""
from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
import storage_samples as samples


def _add(app, dossier_id, user_id, name="a.pdf", content=None):
    from core.annexes.services import add_annex
    from core.auth.models import User
    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        annex = add_annex(db.session.get(Dossier, dossier_id), user=db.session.get(User, user_id),
                          stream=io.BytesIO(content or samples.pdf()), filename=name)
        return annex.number, annex.storage_key


def test_sweep_keeps_referenced_objects_and_removes_orphans(app, make_dossier, stored_keys, runner):
    from core.annexes import services
    from core.auth.models import User, utcnow
    from core.dossiers.models import Dossier, DossierVersion
    from core.dossiers.services import manifest_of
    from core.extensions import db
    from storage import new_key

    user, dossier_id = make_dossier()
    _n1, active_key = _add(app, dossier_id, user.id, "actif.pdf")
    _n2, listed_key = _add(app, dossier_id, user.id, "depose-puis-retire.pdf")
    _n3, removed_key = _add(app, dossier_id, user.id, "retire.pdf")
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        owner = db.session.get(User, user.id)
        # A submitted version lists annexes 1 and 2; then, corrections reopened, 2 and 3 are removed.
        db.session.add(DossierVersion(dossier=dossier, number=1, content={},
                                      manifest=manifest_of(services.list_annexes(dossier)[:2]),
                                      submitted_by_id=owner.id))
        db.session.commit()
        services.remove_annex(dossier, 2, user=owner)
        services.remove_annex(dossier, 3, user=owner)
        db.session.commit()
        storage = app.extensions["livret"].storage
        orphan = storage.put(new_key("annexes", dossier_id), b"left by a crash", content_type="application/pdf").key

    assert len(stored_keys()) == 4
    with app.app_context():  # within the grace period nothing goes
        report, _staged = services.sweep(timedelta(hours=1))
        assert report.removed == [] and report.kept_recent == 4
        report, _staged = services.sweep(timedelta(hours=1), dry_run=True, now=utcnow() + timedelta(hours=2))
        assert sorted(report.removed) == sorted([orphan, removed_key]) and len(stored_keys()) == 4
        report, _staged = services.sweep(timedelta(hours=1), now=utcnow() + timedelta(hours=2))
        assert sorted(report.removed) == sorted([orphan, removed_key])
        assert report.kept_referenced == 2
    assert stored_keys() == sorted([active_key, listed_key])

    result = runner.invoke(args=["storage", "sweep", "--older-than-hours", "1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 object(s) examined, 0 would remove" in result.output


def test_rescan_command_needs_an_antivirus(runner):
    result = runner.invoke(args=["annexes", "rescan"])
    assert result.exit_code != 0 and "CLAMD_ADDRESS" in result.output


def test_numbering_is_unique_under_concurrent_uploads(app, database_kind, make_dossier, annex_rows, stored_keys):
    if database_kind != "postgresql":
        pytest.skip("SQLite serialises writers: the race is meaningful on PostgreSQL")
    user, dossier_id = make_dossier()
    count = 6
    barrier = threading.Barrier(count)
    results, errors = [], []
    pdf = samples.pdf()

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results.append(_add(app, dossier_id, user.id, f"fichier-{i}.pdf", pdf))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(n for n, _key in results) == list(range(1, count + 1))
    rows = annex_rows(dossier_id)
    assert [r.number for r in rows] == list(range(1, count + 1))
    assert sorted(r.storage_key for r in rows) == stored_keys()
