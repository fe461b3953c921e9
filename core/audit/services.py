"""Writing and checking the hash-chained audit trail."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import select, text

from core.audit.models import AuditEvent
from core.auth.models import utcnow
from core.extensions import db

GENESIS = "0" * 64
_LOCK_KEY = 7_407_001  # PostgreSQL advisory lock serialising appends to the chain


def _canonical(event: AuditEvent) -> bytes:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=timezone.utc)
    body = {
        "id": event.id, "at": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": event.actor_id, "action": event.action, "object_type": event.object_type,
        "object_id": event.object_id, "outcome": event.outcome, "payload": event.payload or {},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + _canonical(event)).hexdigest()


def record(action: str, obj_type: str, obj_id: Any, *, actor_id: int | None, outcome: str = "success",
           payload: dict[str, Any] | None = None) -> AuditEvent:
    """Append an event in the current transaction (committed with the change it records)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(id=(last.id + 1) if last else 1, at=utcnow(), actor_id=actor_id, action=action,
                       object_type=obj_type, object_id=str(obj_id), outcome=outcome, payload=payload or {},
                       prev_hash=last.hash if last else GENESIS)
    event.hash = compute_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(batch: int = 1000) -> ChainReport:
    """Walk the whole chain in id order; report the first broken link."""
    prev_hash, expected_id, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last_id)
                                  .order_by(AuditEvent.id).limit(batch)).all()
        if not rows:
            return ChainReport(True, checked)
        for event in rows:
            if event.id != expected_id:
                return ChainReport(False, checked, expected_id, f"event {expected_id} is missing")
            if event.prev_hash != prev_hash:
                return ChainReport(False, checked, event.id, "previous hash does not match")
            if compute_hash(prev_hash, event) != event.hash:
                return ChainReport(False, checked, event.id, "content does not match its hash")
            prev_hash, expected_id, last_id = event.hash, expected_id + 1, event.id
            checked += 1
        db.session.expunge_all()


# ---------------------------------------------------------------------------
# Checkpoints: the chain's head timestamped by an RFC 3161 TSA
# ---------------------------------------------------------------------------

def checkpoint_message(event_id: int, head_hash: str) -> bytes:
    """What a checkpoint's timestamp token covers (its SHA-256 is the message imprint)."""
    return f"livret-audit-checkpoint\n{event_id}\n{head_hash}".encode("ascii")


@dataclass(frozen=True)
class CheckpointToken:
    """What a timestamper answers: an RFC 3161 token over the checkpoint's digest."""

    token: bytes  # DER of the TimeStampToken
    at: datetime  # its genTime
    tsa_url: str


#: ``timestamper(digest)`` asks a TSA for a token over ``digest`` (SHA-256) and returns a
#: :class:`CheckpointToken`, or raises a :class:`core.errors.UserError` when it cannot. The audit
#: chain does not know who timestamps: :mod:`core.sealing.checkpoints` passes the platform's TSA.
Timestamper = Callable[[bytes], CheckpointToken]


def create_checkpoint(timestamper: Timestamper, actor_id: int | None = None):
    """Timestamp the current head of the chain with ``timestamper`` and store the token
    (:class:`AuditCheckpoint`), then commit. Raises what the timestamper raises when no
    token could be had (nothing is stored), :class:`core.errors.Conflict` when the trail is empty.

    The job function that runs it with the platform's TSA is
    :func:`core.sealing.checkpoints.create_audit_checkpoint` (``livret audit checkpoint``, the scheduler).
    """
    from flask_babel import gettext as _

    from core.audit.models import AuditCheckpoint
    from core.errors import Conflict

    head = db.session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        raise Conflict(_("Le journal d'audit est vide : il n'y a rien à horodater."))
    stamp = timestamper(hashlib.sha256(checkpoint_message(head.id, head.hash)).digest())
    checkpoint = AuditCheckpoint(event_id=head.id, head_hash=head.hash, token=stamp.token, tsa_url=stamp.tsa_url,
                                 timestamp_at=stamp.at)
    db.session.add(checkpoint)
    db.session.flush()
    record("audit.checkpoint", "audit_checkpoint", checkpoint.id, actor_id=actor_id,
           payload={"event_id": head.id})
    db.session.commit()
    return checkpoint


@dataclass
class CheckpointReport:
    ok: bool
    checked: int
    broken_at: int | None = None  # checkpoint id
    reason: str = ""


def _check_token(checkpoint, event_hash: str, roots) -> str:
    """'' when the checkpoint's token is intact, valid, trusted and covers ``event_hash``; else why not."""
    import asyncio

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus
    from pyhanko_certvalidator import ValidationContext

    message = checkpoint_message(checkpoint.event_id, event_hash)
    try:
        signed_data = cms.ContentInfo.load(bytes(checkpoint.token))["content"]
        moment = checkpoint.timestamp_at if checkpoint.timestamp_at.tzinfo else \
            checkpoint.timestamp_at.replace(tzinfo=timezone.utc)
        vc = ValidationContext(trust_roots=roots, moment=moment, allow_fetching=False,
                               revocation_mode="soft-fail")
        kwargs = asyncio.run(validate_tst_signed_data(
            signed_data, vc, lambda alg: hashlib.new(alg, message).digest()))
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # noqa: BLE001 - an unreadable token is a broken checkpoint
        return f"timestamp token unreadable ({type(exc).__name__})"
    if not status.intact:
        return "timestamp token does not cover this chain head"
    if not status.valid:
        return "timestamp token signature is invalid"
    if not status.trusted:
        return "timestamp token is not signed by a trusted TSA"
    return ""


def verify_checkpoints(trust_roots: Callable[[], list]) -> CheckpointReport:
    """Check every checkpoint against the chain as it is now (run after :func:`verify_chain`).

    ``trust_roots()`` gives the trusted TSA roots (asn1crypto certificates); it is called once,
    and only when there is a checkpoint to check.
    """
    from core.audit.models import AuditCheckpoint

    roots = None
    checked = 0
    for checkpoint in db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)):
        event = db.session.get(AuditEvent, checkpoint.event_id)
        if event is None:
            return CheckpointReport(False, checked, checkpoint.id, f"event {checkpoint.event_id} is missing")
        if event.hash != checkpoint.head_hash:
            return CheckpointReport(False, checked, checkpoint.id,
                                    f"event {event.id} no longer has the hash that was timestamped")
        if roots is None:
            roots = trust_roots()
        problem = _check_token(checkpoint, event.hash, roots)
        if problem:
            return CheckpointReport(False, checked, checkpoint.id, problem)
        checked += 1
    return CheckpointReport(True, checked)
