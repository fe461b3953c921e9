"""The retention run on a realistic set: what goes, what stays, the audit chain, the storage, the e-mail."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401
from tests.privacy.retention_support import (NOW, build_world, object_bytes, org_admin,  # noqa: F401
                                             retention_plugin)


@pytest.fixture
def world(app, org_admin, input_pdf, monkeypatch):
    with app.app_context():
        return build_world(app, org_admin.organisation_id, input_pdf, monkeypatch)


def _dossier(dossier_id):
    from core.dossiers.models import Dossier
    from core.extensions import db

    return db.session.get(Dossier, dossier_id)


def _count(model, **where):
    from core.extensions import db

    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_the_run_applies_every_rule_and_nothing_else(app, world, outbox, runner):
    from core.audit.models import AuditEvent
    from core.auth.models import LoginSession, User
    from core.dossiers.models import Annex, Document, DossierVersion, SectionDraft
    from core.extensions import db
    from core.fees.models import FeeRequest
    from core.jury.models import JuryDecision
    from core.privacy.retention import run

    with app.app_context():
        report = run(NOW)
        kinds = report.kinds
        assert kinds["draft_reminder"].items == 1
        assert kinds["draft"].items == 1 and kinds["draft"].counts["annexes"] == 2
        assert kinds["dossier_after_decision"].items == 2  # old and ancient; not recent, not within a retake
        assert kinds["inadmissible"].items == 1
        assert kinds["fee_records"].items == 1 and kinds["fee_records"].counts["fields"] == 5
        assert kinds["login_records"].items == 1
        assert report.failed == 0

        # drafts: the reminded one deleted with its objects; the others stay
        assert _dossier(world["to_delete"]) is None
        assert all(object_bytes(app, key) is None for key in world["deleted_keys"])
        for key in ("reminded_recently", "saved_after_reminder", "new_draft", "to_remind"):
            assert _dossier(world[key]) is not None, key
        reminded = _dossier(world["to_remind"])
        assert reminded.reminded_at is not None and reminded.purged_at is None
        # the reminder is not the candidate's activity: the draft's own date did not move
        assert abs(reminded.updated_at.replace(tzinfo=None) - reminded.created_at.replace(tzinfo=None)) \
            < timedelta(seconds=1)
        assert _dossier(world["saved_after_reminder"]).reminded_at is not None  # the old one, now stale

        # the decided dossier: contents gone, the sealed record and the decision stay
        old = world["decided_old"]
        dossier = _dossier(old.dossier_id)
        assert dossier.purged_at is not None and dossier.reference
        assert _count(SectionDraft, dossier_id=old.dossier_id) == 0
        assert _count(Annex, dossier_id=old.dossier_id) == 0
        assert all(object_bytes(app, key) is None for key in old.annex_keys)
        version = db.session.scalars(select(DossierVersion).where(DossierVersion.dossier_id == old.dossier_id)).one()
        assert version.content == {} and version.manifest == [
            {"number": 1, "sha256": "0" * 64, "size": 10}, {"number": 2, "sha256": "0" * 64, "size": 10}]
        doc = db.session.get(Document, old.document_id)
        assert doc is not None and doc.storage_key == old.document_key
        assert hashlib.sha256(object_bytes(app, old.document_key)).hexdigest() == old.document_sha256 == doc.sha256
        assert db.session.scalar(select(func.count(JuryDecision.id))) == 4
        account = db.session.get(User, old.candidate_id)
        assert account.erased_at is not None and account.email.endswith("@efface.invalid")
        assert (account.first_name, account.last_name) == ("Dominique", "Bernard")  # the PV's name stays
        assert not account.active

        for key in ("decided_recent", "decided_retake"):
            kept = world[key]
            assert _dossier(kept.dossier_id).purged_at is None
            assert _count(Annex, dossier_id=kept.dossier_id) == 2
            assert all(object_bytes(app, k) for k in kept.annex_keys)
            assert db.session.get(User, kept.candidate_id).erased_at is None

        # inadmissible: purged after its period; its candidate keeps the account (no decision)
        assert _dossier(world["inadmissible_old"]).purged_at is not None
        assert all(object_bytes(app, key) is None for key in world["inadmissible_keys"])
        assert db.session.get(User, world["inadmissible_old_candidate"]).erased_at is None
        assert _dossier(world["inadmissible_recent"]).purged_at is None

        # fees: the payer's details of the ancient one only; the rest of the record stays
        ancient = db.session.get(FeeRequest, world["decided_ancient"].fee_id)
        assert (ancient.payer_email, ancient.payer_name, ancient.payer_address, ancient.purchase_order,
                ancient.payment_note) == (None,) * 5
        assert ancient.amount_cents == 30000 and ancient.paid_at is not None
        assert db.session.get(FeeRequest, world["decided_old"].fee_id).payer_email == "payeur@example.org"

        # login sessions
        assert db.session.get(LoginSession, world["login_old"]) is None
        assert db.session.get(LoginSession, world["login_recent"]) is not None
        assert db.session.get(LoginSession, world["login_revoked_recently"]) is not None

        # the audit chain: one event per purge, ids and counts only, and the run's totals
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("retention.%"))
                                    .order_by(AuditEvent.id)).all()
        actions = [e.action for e in events]
        assert actions.count("retention.purge") == 1 + 2 + 1 + 1 + 1  # draft, decided x2, inadmissible, fee, logins
        assert actions.count("retention.reminder") == 1 and actions.count("retention.account_closed") == 2
        assert actions[-1] == "retention.run"
        assert events[-1].payload["kinds"]["draft"]["items"] == 1
        for event in events:
            text = repr(event.payload)
            assert "@" not in text and "Bernard" not in text and "Martin" not in text

    # the e-mail: the candidate is told the date and how to keep the draft
    mails = outbox()
    assert len(mails) == 1
    body = mails[0].get_content()
    assert "supprimés le" in body and "enregistrer une section" in body
    assert f"/dossiers/{world['to_remind']}" in body
    assert "supprimé le" in mails[0]["Subject"]

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_dry_run_changes_nothing_and_says_what_a_run_would_do(app, world, outbox, runner):
    from core.audit.models import AuditEvent
    from core.auth.models import LoginSession, User
    from core.dossiers.models import Annex, Dossier, SectionDraft
    from core.extensions import db
    from core.privacy.retention import run

    def snapshot():
        with app.app_context():
            return {"events": _count(AuditEvent), "dossiers": _count(Dossier), "annexes": _count(Annex),
                    "sections": _count(SectionDraft), "sessions": _count(LoginSession),
                    "purged": db.session.scalar(select(func.count(Dossier.id)).where(Dossier.purged_at.is_not(None))),
                    "reminded": db.session.scalar(select(func.count(Dossier.id))
                                                  .where(Dossier.reminded_at.is_not(None))),
                    "erased": db.session.scalar(select(func.count(User.id)).where(User.erased_at.is_not(None)))}

    before = snapshot()
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was changed" in result.output
    assert "draft: 1 draft dossier(s) would be deleted (annexes 2, sections 1)" in result.output
    assert "dossier_after_decision: 2 decided dossier(s) would be purged" in result.output
    assert "login_records: 1 login session(s) would be deleted" in result.output
    assert snapshot() == before and outbox() == []

    with app.app_context():
        dry = run(NOW, dry_run=True)
        real = run(NOW)
    for kind in dry.kinds:
        assert dry.kinds[kind].items == real.kinds[kind].items, kind

    # --at: as if the run happened later (dry run only)
    day = (NOW + timedelta(days=400)).date().isoformat()
    later = runner.invoke(args=["retention", "run", "--dry-run", "--at", day])
    assert later.exit_code == 0 and "decided dossier(s) would be purged" in later.output
    refused = runner.invoke(args=["retention", "run", "--at", "2030-01-01"])
    assert refused.exit_code != 0 and "--at only goes with --dry-run" in refused.output
    wrong = runner.invoke(args=["retention", "run", "--dry-run", "--at", "demain"])
    assert wrong.exit_code != 0 and "YYYY-MM-DD" in wrong.output


def test_a_second_run_does_nothing_more(app, world, monkeypatch):
    from core.privacy import retention

    deleted: list[str] = []
    real = retention.delete_objects
    monkeypatch.setattr(retention, "delete_objects", lambda keys: deleted.extend(keys) or real(keys))
    with app.app_context():
        first = retention.run(NOW)
        second = retention.run(NOW)
    assert first.objects_deleted == len(deleted) > 0 and len(set(deleted)) == len(deleted)
    assert all(report.items == 0 for report in second.kinds.values()), second.totals()
    assert second.objects_deleted == 0


def test_a_save_after_the_reminder_keeps_the_draft(app, world):
    from core.extensions import db
    from core.privacy.retention import run

    with app.app_context():
        run(NOW)
        # 31 days later, nothing happened: still not due (the draft period runs 12 months from the activity)
        run(NOW + timedelta(days=31))
        assert _dossier(world["to_remind"]) is not None
        # the candidate saves after the reminder (here, 40 days later)
        dossier = _dossier(world["to_remind"])
        dossier.updated_at = NOW + timedelta(days=40)
        db.session.commit()
        # 12 months after the first reminder: it no longer counts, a new one goes out, the draft stays
        later = NOW + timedelta(days=366)
        run(later)
        dossier = _dossier(world["to_remind"])
        assert dossier is not None and dossier.reminded_at.replace(tzinfo=None) == later.replace(tzinfo=None)
        assert _dossier(world["saved_after_reminder"]) is not None


def test_the_scheduler_runs_the_retention_daily():
    from core.scheduler import TASKS

    task = next(t for t in TASKS if t.job == "core.privacy.retention.run_scheduled")
    assert task.every == timedelta(hours=24)


def test_closed_accounts_get_no_mail_and_unknown_certifications_are_left_alone(app, org_admin, outbox):
    from core.extensions import db
    from core.privacy.retention import run
    from tests.privacy.retention_support import draft, months_ago

    with app.app_context():
        closed, _ = draft(app, org_admin.organisation_id, last=months_ago(7))
        closed.candidate.erased_at, closed.candidate.active = NOW, False
        orphan, orphan_keys = draft(app, org_admin.organisation_id, last=months_ago(30),
                                    reminded=NOW - timedelta(days=100), code="GONE01")
        db.session.commit()
        report = run(NOW)
        assert report.kinds["draft_reminder"].items == 1 and report.unknown_certifications == ["GONE01"]
        assert _dossier(closed.id).reminded_at is not None
        assert _dossier(orphan.id) is not None and object_bytes(app, orphan_keys[0])
        assert "left alone (certification not installed): GONE01" in report.lines()[-1]
    assert outbox() == []
