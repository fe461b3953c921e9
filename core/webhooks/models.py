"""Webhook endpoints of an organisation and the deliveries of events to them."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import Organisation, utcnow
from core.extensions import db

# The events, in the order of a dossier's life. Each has its payload schema and its documentation
# in core/webhooks/schemas.py (EVENT_PAYLOADS); docs/webhooks.md lists them (`livret webhooks doc`).
DOSSIER_SUBMITTED = "dossier.submitted"  # core/dossiers/submission.py: a version submitted (or resubmitted)
CORRECTIONS_REQUESTED = "dossier.corrections_requested"  # core/review: corrections asked on the version
ADMISSIBILITY_DECIDED = "dossier.admissibility_decided"  # core/review: any admissibility decision
FEE_PAID = "fee.paid"  # core/fees: a payment recorded
FEE_WAIVED = "fee.waived"  # core/fees: the fee waived by the certifier's staff
SESSION_OPENED = "session.opened"  # core/sessions: a jury session opened (its candidates scheduled)
DECISION_SEALED = "decision.sealed"  # core/pv: a jury decision sealed with its procès-verbal
CERTIFICATE_ISSUED = "certificate.issued"  # core/pv: a sealed nominative certificate issued
PV_SEALED = "pv.sealed"  # core/pv: a procès-verbal signed by everyone and sealed (the session closes)
ERASURE_DONE = "erasure.done"  # core/privacy/erasure.py: a candidate erased their account
EVENTS = (DOSSIER_SUBMITTED, CORRECTIONS_REQUESTED, ADMISSIBILITY_DECIDED, FEE_PAID, FEE_WAIVED, SESSION_OPENED,
          DECISION_SEALED, CERTIFICATE_ISSUED, PV_SEALED, ERASURE_DONE)
MAX_ATTEMPTS = 5


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(db.Model):
    """A URL of an organisation that receives the events it subscribed to, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(String(100))  # HMAC key: must be readable to sign, shown once
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()

    @staticmethod
    def generate_secret() -> str:
        return "whsec_" + secrets.token_urlsafe(32)

    def subscribes(self, event: str) -> bool:
        return self.active and event in (self.events or [])


class WebhookDelivery(db.Model):
    """One event for one endpoint: its payload (ids and codes only) and its delivery attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    endpoint: Mapped[WebhookEndpoint] = relationship()
