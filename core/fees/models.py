"""Fee requests (one per dossier) and the per-organisation, per-year invoice counters."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import Organisation, User, utcnow
from core.dossiers.models import Document, Dossier
from core.extensions import db

_enum = dict(native_enum=False, length=32)


class FeeState(str, enum.Enum):
    REQUESTED = "requested"
    PAID = "paid"
    WAIVED = "waived"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    FeeState.REQUESTED: _l("En attente de règlement"),
    FeeState.PAID: _l("Réglés"),
    FeeState.WAIVED: _l("Exonérés"),
    FeeState.CANCELLED: _l("Annulés"),
}


class PayerKind(str, enum.Enum):
    CANDIDATE = "candidate"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        return str({PayerKind.CANDIDATE: _l("Le candidat ou la candidate"),
                    PayerKind.THIRD_PARTY: _l("Un financeur (employeur, OPCO, France Travail…)")}[self])


def _values(e):
    return [m.value for m in e]


class FeeRequest(db.Model):
    """What a dossier owes: amount copied from the plugin's descriptor when the request is created."""

    __tablename__ = "fee_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="RESTRICT"), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    label: Mapped[str] = mapped_column(String(200))
    covers: Mapped[str] = mapped_column(Text, default="")
    refundable: Mapped[bool] = mapped_column(default=False)
    state: Mapped[FeeState] = mapped_column(Enum(FeeState, values_callable=_values, **_enum),
                                            default=FeeState.REQUESTED)
    payer_kind: Mapped[PayerKind] = mapped_column(Enum(PayerKind, values_callable=_values, **_enum),
                                                  default=PayerKind.CANDIDATE)
    financing_mode: Mapped[str | None] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(40), default="bank_transfer")
    transfer_reference: Mapped[str] = mapped_column(String(80), unique=True)
    # third-party payer
    payer_email: Mapped[str | None] = mapped_column(String(254))
    payer_name: Mapped[str | None] = mapped_column(String(200))
    payer_siret: Mapped[str | None] = mapped_column(String(14))
    payer_address: Mapped[str | None] = mapped_column(String(500))
    purchase_order: Mapped[str | None] = mapped_column(String(60))
    payer_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # outcome
    paid_amount_cents: Mapped[int | None] = mapped_column(Integer)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_note: Mapped[str | None] = mapped_column(String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    waived_reason: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    waived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # invoice / receipt
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    invoice_number: Mapped[str | None] = mapped_column(String(20))
    receipt_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    dossier: Mapped[Dossier] = relationship()
    seller: Mapped[Organisation | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id])
    receipt: Mapped[Document | None] = relationship()

    __table_args__ = (UniqueConstraint("seller_id", "invoice_number", name="uq_fee_requests_invoice"),)

    @property
    def settled(self) -> bool:
        return self.state in (FeeState.PAID, FeeState.WAIVED)


class FeeInvoiceCounter(db.Model):
    """The last invoice number given by an organisation in a year (locked while a number is taken)."""

    __tablename__ = "fee_invoice_counters"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"),
                                                 primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


# The staff list's fee filter (core/backoffice) looks fee requests up by state, then by dossier.
Index("ix_fee_requests_state_dossier", FeeRequest.state, FeeRequest.dossier_id)
