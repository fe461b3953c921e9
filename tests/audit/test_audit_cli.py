"""livret audit verify / livret audit checkpoint."""
from sqlalchemy import text

from core.audit.models import AuditCheckpoint, AuditEvent
from core.audit.services import compute_hash, record
from core.extensions import db


def _events(app, n=4):
    with app.app_context():
        for i in range(n):
            record("dossier.submitted", "dossier", i + 1, actor_id=7, payload={"version": 1})
        db.session.commit()


def test_verify_passes_then_fails_after_a_row_is_edited(app, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "OK: 0 event(s)" in result.output
    _events(app)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 4 event(s) chained, 0 checkpoint(s) verified." in result.output

    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET outcome = 'failure' WHERE id = 3"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN: audit event 3: content does not match its hash" in result.output


def test_deleted_row_is_reported(app, runner):
    _events(app)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE id = 2"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "audit event 2: event 2 is missing" in result.output


def test_checkpoint_created_and_verified(app, runner):
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code != 0 and "vide" in result.output  # nothing to timestamp yet

    _events(app, 3)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Checkpoint 1: event 3 ")
    with app.app_context():
        checkpoint = db.session.get(AuditCheckpoint, 1)
        assert checkpoint.event_id == 3 and len(checkpoint.token) > 500
        assert db.session.get(AuditEvent, 4).action == "audit.checkpoint"
    _events(app, 2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 6 event(s) chained, 1 checkpoint(s) verified." in result.output


def test_rewritten_chain_is_caught_by_the_checkpoint(app, runner):
    """An attacker who edits an event and recomputes every later hash keeps the chain
    consistent, but cannot forge the TSA's token over the old head."""
    _events(app, 3)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with app.app_context():
        events = db.session.query(AuditEvent).order_by(AuditEvent.id).all()
        events[1].outcome = "failure"
        prev = events[0].hash
        for event in events[1:]:
            event.prev_hash = prev
            event.hash = compute_hash(prev, event)
            prev = event.hash
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN: audit checkpoint 1: event 3 no longer has the hash that was timestamped" in result.output

    with app.app_context():  # ... and aligning the checkpoint's recorded hash does not help
        checkpoint = db.session.get(AuditCheckpoint, 1)
        checkpoint.head_hash = db.session.get(AuditEvent, 3).hash
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "checkpoint 1: timestamp token does not cover this chain head" in result.output


def test_checkpoint_fails_closed_when_tsa_down(app, runner):
    from core.sealing.testing import closed_port

    _events(app, 1)
    app.config["SIGNING_TSA_URL"] = f"http://127.0.0.1:{closed_port()}/tsa"
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code != 0 and "horodatage" in result.output
    with app.app_context():
        assert db.session.query(AuditCheckpoint).count() == 0
