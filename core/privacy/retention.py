"""The retention run: :func:`run` applies what :func:`core.privacy.retention_plan.plan` finds due.

``livret retention run [--dry-run]`` and the scheduler's daily task (:func:`run_scheduled`) call it.
Each item (a dossier, a fee, a batch of login sessions) is one transaction: the item is locked, checked
again, changed with the purge primitives of :mod:`core.privacy.purge`, recorded in the audit chain
(``retention.purge``, ids and counts only) and committed; the storage objects it no longer needs are
deleted after the commit. A run interrupted on one item leaves the items before it done and that item
untouched; the next run takes up what is still due (nothing is ever deleted twice: a purged dossier is
no longer due). One ``retention.run`` event records the totals.

Sealed documents (:class:`core.dossiers.models.Document`), decisions, grids, PVs, certificates and the
audit trail are never touched.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from core.audit.services import record
from core.auth.models import LoginSession, Role, User, utcnow
from core.dossiers.models import Annex, Dossier, SectionDraft
from core.extensions import db
from core.privacy.purge import Purged, delete_draft, delete_objects, pseudonymise_account, purge_dossier_contents
from core.privacy.retention_plan import (FEE_FIELDS, FINAL_STATUSES, REMINDER_NOTICE, RUN_KINDS, Due, Plan,
                                         RuleBook, aware, login_cutoff, plan, still_due)
from core.utils import add_months

log = logging.getLogger(__name__)

LOGIN_BATCH = 500

#: what the run does with each kind, for people reading its output (English, like every CLI output)
_VERBS = {
    "draft_reminder": ("reminder(s) sent", "reminder(s) would be sent"),
    "draft": ("draft dossier(s) deleted", "draft dossier(s) would be deleted"),
    "dossier_after_decision": ("decided dossier(s) purged", "decided dossier(s) would be purged"),
    "inadmissible": ("inadmissible dossier(s) purged", "inadmissible dossier(s) would be purged"),
    "fee_records": ("fee request(s) stripped of the payer's details",
                    "fee request(s) would be stripped of the payer's details"),
    "login_records": ("login session(s) deleted", "login session(s) would be deleted"),
}
_KEPT = {
    "decision_records": "kept for good (they prove the title)",
    "audit_events": "kept for good (the chain cannot be cut)",
    "rate_limit_records": "expire by themselves in the rate limiter's storage",
}


@dataclass
class KindReport:
    items: int = 0  # handled (dry run: would be)
    failed: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # sections, annexes, accounts, fields, sessions...

    def add(self, counts: dict[str, int]) -> None:
        for name, value in counts.items():
            if value:
                self.counts[name] = self.counts.get(name, 0) + value


@dataclass
class RunReport:
    at: datetime
    dry_run: bool
    kinds: dict[str, KindReport] = field(default_factory=lambda: {kind: KindReport() for kind in RUN_KINDS})
    objects_deleted: int = 0
    unknown_certifications: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(k.failed for k in self.kinds.values())

    def totals(self) -> dict[str, Any]:
        """ids-free summary (the ``retention.run`` audit payload, the scheduler's log)."""
        return {"dry_run": self.dry_run, "objects_deleted": self.objects_deleted,
                "kinds": {kind: {"items": r.items, "failed": r.failed, **r.counts} for kind, r in self.kinds.items()}}

    def lines(self) -> list[str]:
        when = self.at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        head = f"Retention run at {when}" + (" (dry run: nothing was changed)" if self.dry_run else "")
        out = [head]
        for kind, report in self.kinds.items():
            verb = _VERBS[kind][1 if self.dry_run else 0]
            detail = ", ".join(f"{name} {value}" for name, value in sorted(report.counts.items()))
            line = f"  {kind}: {report.items} {verb}" + (f" ({detail})" if detail else "")
            if report.failed:
                line += f"; {report.failed} failed (see the log), retried at the next run"
            out.append(line)
        for kind, what in _KEPT.items():
            out.append(f"  {kind}: {what}")
        if not self.dry_run:
            out.append(f"  storage objects deleted: {self.objects_deleted}")
        if self.unknown_certifications:
            out.append("  left alone (certification not installed): " + ", ".join(self.unknown_certifications))
        return out


# ---------------------------------------------------------------------------
# One item, one transaction
# ---------------------------------------------------------------------------

def _lock_dossier(dossier_id: int) -> Dossier | None:
    return db.session.scalars(select(Dossier).where(Dossier.id == dossier_id).with_for_update()).first()


def _close_account_if_done(candidate_id: int) -> Purged:
    """Pseudonymise a candidate's account once every dossier of theirs is purged and one of them was
    decided: the PV keeps the name it was signed with, the account keeps nothing else."""
    user = db.session.get(User, candidate_id)
    if user is None or user.role is not Role.CANDIDATE or user.erased_at is not None:
        return Purged()
    mine = Dossier.candidate_id == user.id
    if db.session.scalar(select(Dossier.id).where(mine, Dossier.purged_at.is_(None)).limit(1)) is not None:
        return Purged()
    if db.session.scalar(select(Dossier.id).where(mine, Dossier.status.in_(FINAL_STATUSES)).limit(1)) is None:
        return Purged()
    out = pseudonymise_account(user, keep_name=True)
    if out.accounts:
        record("retention.account_closed", "user", user.id, actor_id=None, payload={"accounts": out.accounts})
    return out


def _deletion_date(item: Due, at: datetime) -> datetime:
    months = RuleBook().months(item.certification_code, item.organisation_id, "draft")
    planned = add_months(item.starts_at, months) if months is not None else at + REMINDER_NOTICE
    return max(planned, at + REMINDER_NOTICE)


def _remind(item: Due, at: datetime) -> dict[str, int]:
    """Tell the candidate their draft will be deleted, and how to keep it; the dossier remembers when."""
    from flask import current_app, render_template
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from core.certifications.services import get_certification
    from core.mail import send_mail
    from core.templating import local_date
    from core.utils import absolute_url

    dossier = _lock_dossier(item.dossier_id)
    deletion = _deletion_date(item, at)
    # updated_at stays as it is: a reminder is not the candidate's activity
    db.session.execute(update(Dossier).where(Dossier.id == dossier.id)
                       .values(reminded_at=at, updated_at=Dossier.updated_at))
    candidate = dossier.candidate
    reachable = candidate.erased_at is None and candidate.active
    record("retention.reminder", "dossier", dossier.id, actor_id=None,
           payload={"kind": "draft_reminder", "deletion_on": deletion.date().isoformat(), "mailed": reachable})
    if not reachable:  # a closed account has no mailbox: the reminder counts, nobody is written to
        return {"reminders": 1}
    cert = get_certification(dossier.certification_code)
    with force_locale(candidate.locale or current_app.config.get("BABEL_DEFAULT_LOCALE") or "fr"):
        text = render_template("privacy/email/draft_reminder.txt", candidate=candidate, cert=cert,
                               last=local_date(item.starts_at), deletion=local_date(deletion),
                               link=absolute_url("dossiers.overview", dossier_id=dossier.id))
        subject = _("Votre brouillon de dossier sera supprimé le %(date)s – Livret", date=local_date(deletion))
    # queued before the commit: if it cannot be queued, nothing is recorded and the next run tries again
    send_mail(candidate.email, subject, text)
    return {"reminders": 1}


def _purge(item: Due, at: datetime) -> tuple[dict[str, int], list[str]]:
    dossier = _lock_dossier(item.dossier_id)
    candidate_id = dossier.candidate_id
    out = delete_draft(dossier) if item.kind == "draft" else purge_dossier_contents(dossier)
    out.add(_close_account_if_done(candidate_id))
    counts = {**out.counts(), "objects": len(out.keys)}
    record("retention.purge", "dossier", item.dossier_id, actor_id=None, payload={"kind": item.kind, **counts})
    return counts, out.keys


def _strip_fee(item: Due, at: datetime) -> dict[str, int]:
    from core.fees.models import FeeRequest

    fee = db.session.scalars(select(FeeRequest).where(FeeRequest.id == item.object_id).with_for_update()).first()
    cleared = 0
    for name in FEE_FIELDS:
        if getattr(fee, name) is not None:
            setattr(fee, name, None)
            cleared += 1
    db.session.flush()
    record("retention.purge", "dossier", item.dossier_id, actor_id=None,
           payload={"kind": "fee_records", "fee_id": fee.id, "fields": cleared})
    return {"fees": 1, "fields": cleared}


def _one(item: Due, at: datetime, out: KindReport, report: RunReport) -> None:
    """Apply one item in its own transaction (see the module)."""
    keys: list[str] = []
    try:
        gone = item.object_type == "dossier" and _lock_dossier(item.dossier_id) is None
        if gone or still_due(item, at) is None:
            db.session.rollback()  # gone or no longer due (the candidate came back, a run got there first)
            return
        if item.kind == "draft_reminder":
            counts = _remind(item, at)
        elif item.kind == "fee_records":
            counts = _strip_fee(item, at)
        else:
            counts, keys = _purge(item, at)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - one item failing must not stop the others; retried next run
        db.session.rollback()
        out.failed += 1
        # the type only: a database error's text may quote the row's values
        log.error("retention: %s of %s %s failed (%s); retried at the next run", item.kind, item.object_type,
                  item.object_id, type(exc).__name__)
        return
    out.items += 1
    out.add(counts)
    if keys:
        report.objects_deleted += delete_objects(keys)


def _login_sessions(items: list[Due], at: datetime, out: KindReport) -> None:
    cutoff = login_cutoff(at)
    ids = [item.object_id for item in items]
    for start in range(0, len(ids), LOGIN_BATCH):
        chunk = ids[start:start + LOGIN_BATCH]
        try:
            gone = db.session.execute(delete(LoginSession).where(
                LoginSession.id.in_(chunk), LoginSession.last_seen_at <= cutoff,
                or_(LoginSession.revoked_at.is_(None), LoginSession.revoked_at <= cutoff))).rowcount
            if gone:
                record("retention.purge", "login_session", "batch", actor_id=None,
                       payload={"kind": "login_records", "sessions": gone})
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - retried next run
            db.session.rollback()
            out.failed += 1
            log.error("retention: deleting %d login session(s) failed (%s)", len(chunk), type(exc).__name__)
            continue
        out.items += gone
        out.add({"sessions": gone})


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

def _preview(found: Plan, report: RunReport) -> None:
    """Counts of what a run would do (dry run): items, and the sections and annexes of the dossiers."""
    for kind in RUN_KINDS:
        items = found.items[kind]
        out = report.kinds[kind]
        out.items = len(items)
        ids = [item.dossier_id for item in items]
        if kind in ("draft", "dossier_after_decision", "inadmissible") and ids:
            for model, name in ((SectionDraft, "sections"), (Annex, "annexes")):
                total = 0
                for start in range(0, len(ids), 500):
                    total += db.session.scalar(select(func.count(model.id)).where(
                        model.dossier_id.in_(ids[start:start + 500]))) or 0
                out.add({name: total})
        elif kind == "fee_records":
            out.add({"fees": len(items)})
        elif kind == "login_records":
            out.add({"sessions": len(items)})


def run(now: datetime | None = None, dry_run: bool = False) -> RunReport:
    """Apply the retention rules at ``now`` (default: now); ``dry_run``: only say what would be done."""
    at = aware(now) or utcnow()
    db.session.rollback()  # start from a clean transaction: every item is its own
    found = plan(at)
    report = RunReport(at, dry_run, unknown_certifications=sorted(found.unknown_certifications))
    if dry_run:
        _preview(found, report)
        db.session.rollback()
        return report
    for kind in RUN_KINDS:
        if kind == "login_records":
            _login_sessions(found.items[kind], at, report.kinds[kind])
            continue
        for item in found.items[kind]:
            _one(item, at, report.kinds[kind], report)
    record("retention.run", "retention", at.strftime("%Y-%m-%dT%H:%M:%SZ"), actor_id=None, payload=report.totals())
    db.session.commit()
    log.info("retention run: %s", report.totals())
    return report


def run_scheduled() -> None:
    """Job function of the scheduler's daily ``retention`` task (:mod:`core.scheduler`)."""
    report = run()
    if report.failed:
        log.warning("retention run: %d item(s) failed; they are retried at the next run", report.failed)

