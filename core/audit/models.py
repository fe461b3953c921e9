"""The audit trail: append-only events chained by SHA-256."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.auth.models import utcnow
from core.extensions import db


class AuditEvent(db.Model):
    """Who did what, when, on which object, with which outcome.

    ``payload`` holds ids and codes only, never personal data. ``hash`` is
    SHA-256 over the previous event's hash and this event's canonical JSON,
    so editing or deleting any row breaks every later link.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column()  # no foreign key: the trail outlives accounts
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(db.Model):
    """An RFC 3161 timestamp over the chain's head at some moment.

    The token's message imprint is SHA-256 of ``checkpoint_message(event_id,
    head_hash)`` (see :mod:`core.audit.services`): whoever rewrites the chain
    after a checkpoint, even recomputing every hash, cannot make it match a
    token signed earlier by the TSA.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event_id: Mapped[int] = mapped_column()  # head of the chain when the checkpoint was taken
    head_hash: Mapped[str] = mapped_column(String(64))
    token: Mapped[bytes] = mapped_column(LargeBinary)  # DER ContentInfo (TimeStampToken)
    tsa_url: Mapped[str] = mapped_column(String(500))
    timestamp_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # genTime of the token
