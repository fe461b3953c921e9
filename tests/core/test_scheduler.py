"""livret scheduler: periodic upkeep goes through the job queue."""
from datetime import timedelta

from core.scheduler import Periodic, run_due
from core.sealing.testing import app_config, signing_env  # noqa: F401 - the checkpoint needs the TSA

CALLS = []


def remember():
    CALLS.append("ran")


def test_tasks_run_at_start_then_every_period(app):
    task = Periodic("test", f"{__name__}.remember", timedelta(hours=24))
    last: dict[str, float] = {}
    CALLS.clear()
    with app.app_context():
        assert run_due(last, 1000.0, (task,)) == ["test"]
        assert run_due(last, 1000.0 + 3600, (task,)) == []
        assert run_due(last, 1000.0 + 86400, (task,)) == ["test"]
    assert CALLS == ["ran", "ran"]


def test_scheduler_once_runs_checkpoint_and_renewal(runner, app, create_user):
    from core.audit.models import AuditCheckpoint
    from core.audit.services import record
    from core.extensions import db

    with app.app_context():
        record("test.event", "test", 1, actor_id=None)
        db.session.commit()
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "enqueued seal-renewal" in result.output and "enqueued audit-checkpoint" in result.output
    with app.app_context():
        assert db.session.query(AuditCheckpoint).count() == 1


def test_scheduler_skips_the_tasks_it_is_told_to(runner, app):
    result = runner.invoke(args=["scheduler", "--once", "--skip", "retention", "--skip", "seal-renewal"])
    assert result.exit_code == 0, result.output
    assert "enqueued retention" not in result.output and "enqueued seal-renewal" not in result.output
    assert "enqueued submission-resume" in result.output and "enqueued annex-rescan" in result.output
    refused = runner.invoke(args=["scheduler", "--once", "--skip", "everything"])
    assert refused.exit_code == 2 and "retention" in refused.output  # the choices are listed
