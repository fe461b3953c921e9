"""Writing and checking the hash-chained audit trail."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

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
