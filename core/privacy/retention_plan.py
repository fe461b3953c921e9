"""What the retention rules make due at a given moment: :func:`plan` (read only).

Each kind of data of :data:`core.privacy.declarations.CORE_RULES` that the run
acts on has a finder here. A finder reads the database and answers the items
due at ``at`` under the rule that applies to each dossier (its certification's,
with its organisation's settings: :func:`core.privacy.declarations.rules_for`).
The run (:mod:`core.privacy.retention`) calls :func:`plan` once for the list,
then again for each item, inside the item's own transaction, to check it is
still due before acting on it. The report page compares ``plan(now)`` with
``plan(now + 1 month)``.

Periods in months are counted as French law counts délais (:func:`core.utils.add_months`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable

from sqlalchemy import func, or_, select

from core.auth.models import LoginSession
from core.dossiers.models import Annex, Document, Dossier, DossierStatus, DossierVersion, SectionDraft
from core.extensions import db
from core.privacy.declarations import CORE_RULES, KEEP, RetentionRule, rules_for
from core.utils import add_months

log = logging.getLogger(__name__)

#: a draft is deleted no sooner than this after its reminder went out
REMINDER_NOTICE = timedelta(days=30)

#: kinds about the whole platform, not one certification: core's rule applies, no organisation changes it
PLATFORM_KINDS = ("audit_events", "login_records", "rate_limit_records")

#: the kinds the run acts on, in the order it acts (a reminder before a deletion)
RUN_KINDS = ("draft_reminder", "draft", "dossier_after_decision", "inadmissible", "fee_records", "login_records")

INADMISSIBLE_ACTION = "dossier.inadmissible"  # the audit event of the decision (core.review.services)
LETTER_KIND = "admissibility_letter"  # its sealed letter (core.review.services.LETTER_KIND)
FEE_FIELDS = ("payer_email", "payer_name", "payer_address", "purchase_order", "payment_note")
FINAL_STATUSES = (DossierStatus.DECIDED, DossierStatus.CLOSED)


def aware(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC datetime (SQLite answers naive ones, which are UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _latest(*moments: datetime | None) -> datetime | None:
    present = [aware(m) for m in moments if m is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class Due:
    """One thing a rule makes due: a dossier (or its fee, or a login session) and when."""

    kind: str
    object_type: str  # "dossier", "fee", "login_session"
    object_id: int
    due_at: datetime  # the moment the rule makes it due
    starts_at: datetime  # the event the period counts from
    dossier_id: int | None = None
    reference: str | None = None
    certification_code: str | None = None
    organisation_id: int | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.kind, self.object_type, self.object_id


@dataclass
class Plan:
    """Everything due at ``at``, per kind (:data:`RUN_KINDS`)."""

    at: datetime
    items: dict[str, list[Due]] = field(default_factory=lambda: {kind: [] for kind in RUN_KINDS})
    unknown_certifications: set[str] = field(default_factory=set)

    def count(self, kind: str) -> int:
        return len(self.items.get(kind, ()))

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.items.values())

    def all(self) -> list[Due]:
        return [item for kind in RUN_KINDS for item in self.items.get(kind, ())]

    def minus(self, other: "Plan") -> "Plan":
        """What this plan has that ``other`` has not (e.g. next month's plan minus today's)."""
        known = {item.key for item in other.all()}
        out = Plan(self.at, unknown_certifications=set(self.unknown_certifications))
        for kind, items in self.items.items():
            out.items[kind] = [item for item in items if item.key not in known]
        return out


class RuleBook:
    """The rules per (certification, organisation), read once per plan; ``None`` for a certification
    that is not installed (its data is left alone: nobody knows its periods)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int | None], dict[str, RetentionRule] | None] = {}
        self.unknown: set[str] = set()

    def get(self, code: str, organisation_id: int | None) -> dict[str, RetentionRule] | None:
        key = (code, organisation_id)
        if key not in self._cache:
            from flask import current_app

            cert = current_app.extensions["livret"].certifications.get(code)
            if cert is None:
                self.unknown.add(code)
                self._cache[key] = None
            else:
                self._cache[key] = rules_for(cert, organisation_id)
        return self._cache[key]

    def months(self, code: str, organisation_id: int | None, kind: str) -> int | None:
        rules = self.get(code, organisation_id)
        rule = rules.get(kind) if rules else None
        if rule is None or rule.action == KEEP or rule.months is None:
            return None
        return rule.months


def platform_rules() -> dict[str, RetentionRule]:
    """The rules of the kinds that concern the whole platform (:data:`PLATFORM_KINDS`): core's."""
    return {rule.kind: rule for rule in CORE_RULES if rule.kind in PLATFORM_KINDS}


def shortest_months(kind: str) -> int:
    """The shortest period any installed certification or organisation may give ``kind`` (a coarse SQL
    bound: nothing more recent can be due)."""
    from flask import current_app

    from core.privacy.declarations import certification_rules

    shortest = None
    for cert in current_app.extensions["livret"].certifications.values():
        rule = certification_rules(cert).get(kind)
        if rule is None or rule.months is None:
            continue
        low = min(rule.months, rule.minimum) if rule.adjustable else rule.months
        shortest = low if shortest is None else min(shortest, low)
    return shortest if shortest is not None else 0


# ---------------------------------------------------------------------------
# Finders: one per kind (or pair of kinds), each answering the items due at ``at``
# ---------------------------------------------------------------------------

def _scope(query, organisation_id: int | None, dossier_ids: Iterable[int] | None):
    if organisation_id is not None:
        query = query.where(Dossier.organisation_id == organisation_id)
    if dossier_ids is not None:
        query = query.where(Dossier.id.in_(list(dossier_ids)))
    return query


def _max_by_dossier(column, dossier_col, ids: list[int], *where) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.session.execute(select(dossier_col, func.max(column)).where(dossier_col.in_(chunk), *where)
                                  .group_by(dossier_col))
        for dossier_id, moment in rows:
            if moment is not None:
                out[dossier_id] = aware(moment)
    return out


def last_activity(dossiers: list[Dossier]) -> dict[int, datetime]:
    """The last thing the candidate did on each dossier: the dossier's own change, a section saved, an annex
    added or removed."""
    ids = [d.id for d in dossiers]
    sections = _max_by_dossier(SectionDraft.updated_at, SectionDraft.dossier_id, ids)
    added = _max_by_dossier(Annex.created_at, Annex.dossier_id, ids)
    removed = _max_by_dossier(Annex.removed_at, Annex.dossier_id, ids)
    return {d.id: _latest(d.updated_at, d.created_at, sections.get(d.id), added.get(d.id), removed.get(d.id))
            for d in dossiers}


def drafts(at: datetime, book: RuleBook, organisation_id: int | None = None,
           dossier_ids: Iterable[int] | None = None) -> tuple[list[Due], list[Due]]:
    """Reminders due and deletions due among never-submitted drafts.

    A reminder counts only if nothing happened on the draft after it went out; a draft is deleted once its
    ``draft`` period has run since the last activity and a reminder went out at least
    :data:`REMINDER_NOTICE` before.
    """
    from core.fees.models import FeeRequest

    bound = add_months(at, -min(shortest_months("draft_reminder"), shortest_months("draft")))
    query = _scope(select(Dossier).where(
        Dossier.status == DossierStatus.DRAFT, Dossier.submitted_at.is_(None), Dossier.purged_at.is_(None),
        Dossier.updated_at <= bound,
        ~select(DossierVersion.id).where(DossierVersion.dossier_id == Dossier.id).exists(),
        ~select(Document.id).where(Document.dossier_id == Dossier.id).exists(),  # a sealed document stays
        ~select(FeeRequest.id).where(FeeRequest.dossier_id == Dossier.id, or_(
            FeeRequest.invoice_number.is_not(None), FeeRequest.receipt_document_id.is_not(None))).exists(),
    ).order_by(Dossier.id), organisation_id, dossier_ids)
    rows = list(db.session.scalars(query))
    activity = last_activity(rows)
    reminders, deletions = [], []
    for dossier in rows:
        code, org = dossier.certification_code, dossier.organisation_id
        if book.get(code, org) is None:
            continue
        last = activity[dossier.id]
        remind = book.months(code, org, "draft_reminder")
        delete = book.months(code, org, "draft")
        reminded = aware(dossier.reminded_at)
        if reminded is not None and reminded < last:
            reminded = None  # the candidate came back after the reminder: it no longer counts
        common = dict(object_type="dossier", object_id=dossier.id, starts_at=last, dossier_id=dossier.id,
                      reference=dossier.reference, certification_code=code, organisation_id=org)
        if remind is not None and reminded is None:
            due = add_months(last, remind)
            if due <= at:
                reminders.append(Due("draft_reminder", due_at=due, **common))
        if delete is not None:
            due = add_months(last, delete)
            if remind is not None:
                if reminded is None:
                    continue  # never deleted without the reminder
                due = max(due, reminded + REMINDER_NOTICE)
            if due <= at:
                deletions.append(Due("draft", due_at=due, **common))
    return reminders, deletions


def decided(at: datetime, book: RuleBook, organisation_id: int | None = None,
            dossier_ids: Iterable[int] | None = None) -> list[Due]:
    """Dossiers whose final decision is older than the ``dossier_after_decision`` period.

    Final: the dossier is decided (or closed), its decisions are sealed (their PV), none is pending in a
    session that is not closed, and the retake window of its decisions, if any, is over. The period counts
    from the latest of the decision's seal and the end of that window.
    """
    from core.jury.models import JuryDecision, JurySession, SessionCandidate, SessionStatus

    query = _scope(select(Dossier, func.max(JuryDecision.sealed_at), func.max(JuryDecision.retake_until))
                   .join(SessionCandidate, SessionCandidate.dossier_id == Dossier.id)
                   .join(JuryDecision, JuryDecision.candidate_id == SessionCandidate.id)
                   .where(Dossier.status.in_(FINAL_STATUSES), Dossier.purged_at.is_(None),
                          JuryDecision.sealed_at.is_not(None), JuryDecision.superseded_at.is_(None))
                   .group_by(Dossier.id).order_by(Dossier.id), organisation_id, dossier_ids)
    rows = list(db.session.execute(query))
    if not rows:
        return []
    ids = [dossier.id for dossier, _sealed, _retake in rows]
    pending = set(db.session.scalars(
        select(SessionCandidate.dossier_id).join(JurySession, JurySession.id == SessionCandidate.session_id)
        .where(SessionCandidate.dossier_id.in_(ids),
               or_(JurySession.status != SessionStatus.CLOSED, JurySession.correction_started_at.is_not(None)))))
    out = []
    for dossier, sealed, retake_until in rows:
        months = book.months(dossier.certification_code, dossier.organisation_id, "dossier_after_decision")
        if months is None or dossier.id in pending:
            continue
        start = aware(sealed)
        if retake_until is not None:  # the window's last day, to its end
            start = max(start, datetime.combine(retake_until + timedelta(days=1), time(), tzinfo=timezone.utc))
        due = add_months(start, months)
        if due <= at:
            out.append(Due("dossier_after_decision", "dossier", dossier.id, due, start, dossier.id,
                           dossier.reference, dossier.certification_code, dossier.organisation_id))
    return out


def inadmissibility_dates(dossiers: list[Dossier]) -> dict[int, datetime]:
    """When each dossier was declared inadmissible: its audit event, else its sealed letter, else the last
    change of the dossier."""
    from core.audit.models import AuditEvent

    out: dict[int, datetime] = {}
    by_text = {str(d.id): d.id for d in dossiers}
    texts = list(by_text)
    for start in range(0, len(texts), 500):
        rows = db.session.execute(select(AuditEvent.object_id, func.max(AuditEvent.at)).where(
            AuditEvent.action == INADMISSIBLE_ACTION, AuditEvent.object_type == "dossier",
            AuditEvent.object_id.in_(texts[start:start + 500])).group_by(AuditEvent.object_id))
        for object_id, moment in rows:
            out[by_text[object_id]] = aware(moment)
    missing = [d.id for d in dossiers if d.id not in out]
    letters = _max_by_dossier(Document.created_at, Document.dossier_id, missing, Document.kind == LETTER_KIND)
    for dossier in dossiers:
        out.setdefault(dossier.id, letters.get(dossier.id) or aware(dossier.updated_at))
    return out


def inadmissible(at: datetime, book: RuleBook, organisation_id: int | None = None,
                 dossier_ids: Iterable[int] | None = None) -> list[Due]:
    """Dossiers declared inadmissible longer ago than the ``inadmissible`` period."""
    query = _scope(select(Dossier).where(Dossier.status == DossierStatus.INADMISSIBLE, Dossier.purged_at.is_(None))
                   .order_by(Dossier.id), organisation_id, dossier_ids)
    rows = list(db.session.scalars(query))
    dates = inadmissibility_dates(rows)
    out = []
    for dossier in rows:
        months = book.months(dossier.certification_code, dossier.organisation_id, "inadmissible")
        if months is None:
            continue
        due = add_months(dates[dossier.id], months)
        if due <= at:
            out.append(Due("inadmissible", "dossier", dossier.id, due, dates[dossier.id], dossier.id,
                           dossier.reference, dossier.certification_code, dossier.organisation_id))
    return out


def fee_year_end(moment: datetime) -> datetime:
    """The close of the financial year of ``moment`` (a calendar year): 1 January of the next year, 00:00 UTC."""
    return datetime(moment.year + 1, 1, 1, tzinfo=timezone.utc)


def fees(at: datetime, book: RuleBook, organisation_id: int | None = None,
         dossier_ids: Iterable[int] | None = None) -> list[Due]:
    """Fee requests still holding the payer's details after the ``fee_records`` period, counted from the
    close of the financial year of the payment (or of the request, when unpaid)."""
    from core.fees.models import FeeRequest

    moment = func.coalesce(FeeRequest.paid_at, FeeRequest.created_at)
    bound = add_months(at, -shortest_months("fee_records"))
    query = _scope(select(FeeRequest, Dossier).join(Dossier, Dossier.id == FeeRequest.dossier_id).where(
        moment <= bound, or_(*(getattr(FeeRequest, name).is_not(None) for name in FEE_FIELDS)))
        .order_by(FeeRequest.id), organisation_id, dossier_ids)
    out = []
    for fee, dossier in db.session.execute(query):
        months = book.months(dossier.certification_code, dossier.organisation_id, "fee_records")
        if months is None:
            continue
        start = fee_year_end(aware(fee.paid_at or fee.created_at))
        due = add_months(start, months)
        if due <= at:
            out.append(Due("fee_records", "fee", fee.id, due, start, dossier.id, dossier.reference,
                           dossier.certification_code, dossier.organisation_id))
    return out


def login_cutoff(at: datetime) -> datetime | None:
    rule = platform_rules().get("login_records")
    if rule is None or rule.months is None or rule.action == KEEP:
        return None
    return add_months(at, -rule.months)


def login_sessions(at: datetime, ids: Iterable[int] | None = None) -> list[Due]:
    """Login sessions (IP address, browser) whose last activity or revocation is older than the
    ``login_records`` period (a platform rule)."""
    cutoff = login_cutoff(at)
    if cutoff is None:
        return []
    query = select(LoginSession.id, LoginSession.last_seen_at, LoginSession.revoked_at).where(
        LoginSession.last_seen_at <= cutoff,
        or_(LoginSession.revoked_at.is_(None), LoginSession.revoked_at <= cutoff)).order_by(LoginSession.id)
    if ids is not None:
        query = query.where(LoginSession.id.in_(list(ids)))
    months = platform_rules()["login_records"].months
    out = []
    for session_id, seen, revoked in db.session.execute(query):
        start = _latest(seen, revoked)
        out.append(Due("login_records", "login_session", session_id, add_months(start, months), start))
    return out


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------

def plan(at: datetime, *, organisation_id: int | None = None, kinds: Iterable[str] = RUN_KINDS,
         dossier_ids: Iterable[int] | None = None, book: RuleBook | None = None) -> Plan:
    """Everything the retention rules make due at ``at``, per kind (read only).

    ``organisation_id`` keeps the dossiers of one organisation (and leaves out the platform's login
    sessions); ``dossier_ids`` the given dossiers (login sessions: their ids); ``kinds`` some kinds only.
    """
    at = aware(at)
    kinds = set(kinds)
    book = book or RuleBook()
    out = Plan(at)
    if dossier_ids is not None:
        dossier_ids = list(dossier_ids)
    if kinds & {"draft_reminder", "draft"}:
        reminders, deletions = drafts(at, book, organisation_id, dossier_ids)
        out.items["draft_reminder"] = reminders if "draft_reminder" in kinds else []
        out.items["draft"] = deletions if "draft" in kinds else []
    finders: dict[str, Callable[..., list[Due]]] = {
        "dossier_after_decision": decided, "inadmissible": inadmissible, "fee_records": fees}
    for kind, finder in finders.items():
        if kind in kinds:
            out.items[kind] = finder(at, book, organisation_id, dossier_ids)
    if "login_records" in kinds and organisation_id is None:
        out.items["login_records"] = login_sessions(at, dossier_ids)
    out.unknown_certifications = set(book.unknown)
    if book.unknown:
        log.warning("retention: certification(s) %s not installed: their dossiers are left alone",
                    ", ".join(sorted(book.unknown)))
    return out


def still_due(item: Due, at: datetime) -> Due | None:
    """``item`` if it is still due at ``at`` (read again, e.g. after the candidate saved a section)."""
    ids = [item.object_id] if item.kind == "login_records" else [item.dossier_id]
    found = plan(at, kinds=(item.kind,), dossier_ids=ids).items[item.kind]
    return next((due for due in found if due.key == item.key), None)


def describe(item: Due) -> dict[str, Any]:
    """ids and dates only (audit payloads, logs, the API)."""
    return {"kind": item.kind, "object_type": item.object_type, "object_id": item.object_id,
            "dossier_id": item.dossier_id, "due_at": item.due_at.isoformat()}

