"""Transitions by the certifier's staff: payment (with its gapless invoice number), waiver, cancel, refund.

They never commit: the caller does, so that a payment, its invoice number and its audit event are one
transaction.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from core.audit.services import record
from core.auth.models import User, utcnow
from core.errors import Conflict, UserError, ValidationFailed
from core.extensions import db
from core.fees.base import _locked, _require_staff, _state_conflict
from core.fees.models import FeeInvoiceCounter, FeeRequest, FeeState
from core.fees.providers import format_cents


def next_invoice_number(organisation_id: int, year: int) -> str:
    """Take the next number of ``organisation_id`` for ``year`` — in the caller's transaction.

    The counter row is created if missing (``INSERT … ON CONFLICT DO NOTHING``),
    then locked (``SELECT … FOR UPDATE`` on PostgreSQL) until the transaction
    that records the payment commits: a rolled-back payment gives its number
    back, so numbers have no gaps. SQLite serialises write transactions.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(FeeInvoiceCounter).values(organisation_id=organisation_id, year=year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["organisation_id", "year"]))
    current = db.session.execute(
        select(FeeInvoiceCounter.last_number).where(FeeInvoiceCounter.organisation_id == organisation_id,
                                                    FeeInvoiceCounter.year == year).with_for_update()).scalar_one()
    number = current + 1
    db.session.execute(update(FeeInvoiceCounter).where(FeeInvoiceCounter.organisation_id == organisation_id,
                                                       FeeInvoiceCounter.year == year)
                       .values(last_number=number))
    return f"{year}-{number:06d}"


def _mark_paid(fee: FeeRequest, *, amount_cents: int, paid_on: date | None, note: str, source: str,
               actor_id: int | None, seller_id: int) -> FeeRequest:
    """``fee`` (locked, requested) becomes paid for exactly the amount due and takes its invoice number."""
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("enregistrer un paiement"))
    if int(amount_cents) != fee.amount_cents:
        raise ValidationFailed(_("Le montant reçu (%(got)s) ne correspond pas au montant dû (%(due)s).",
                                 got=format_cents(int(amount_cents)), due=format_cents(fee.amount_cents)),
                               code="amount_mismatch", details={"amount_cents": [fee.amount_cents]})
    now = utcnow()
    fee.state = FeeState.PAID
    fee.paid_amount_cents = int(amount_cents)
    fee.paid_on = paid_on or now.date()
    fee.paid_at = now
    fee.payment_note = (note or "").strip()[:300] or None
    fee.recorded_by_id = actor_id
    fee.seller_id = seller_id
    fee.invoice_number = next_invoice_number(seller_id, now.year)
    db.session.flush()
    record("fee.paid", "dossier", fee.dossier_id, actor_id=actor_id,
           payload={"fee_id": fee.id, "amount_cents": fee.paid_amount_cents, "invoice": fee.invoice_number,
                    "source": source, "provider": fee.provider, "paid_on": fee.paid_on.isoformat()})
    _emit(fee, "fee.paid", amount_cents=fee.paid_amount_cents, currency=fee.currency,
          invoice_number=fee.invoice_number, paid_on=fee.paid_on.isoformat())
    return fee


def _emit(fee: FeeRequest, event: str, **data: Any) -> None:
    """The webhook ``event`` to the dossier's organisation, sent after the caller's commit."""
    from core.webhooks.services import emit

    dossier = fee.dossier
    emit(event, dossier.organisation_id, {"fee_id": fee.id, "dossier_id": dossier.id, "reference": dossier.reference,
                                          "certification": dossier.certification_code, **data})


def record_payment(fee: FeeRequest, *, actor: User, amount_cents: int, paid_on: date | None = None,
                   note: str = "", source: str = "manual") -> FeeRequest:
    """Staff record the payment received: the request becomes paid and gets its invoice number."""
    _require_staff(actor, fee.dossier)
    fee = _locked(fee)
    return _mark_paid(fee, amount_cents=amount_cents, paid_on=paid_on, note=note, source=source,
                      actor_id=actor.id, seller_id=actor.organisation_id)


def waive(fee: FeeRequest, *, actor: User, reason: str) -> FeeRequest:
    _require_staff(actor, fee.dossier)
    if not (reason or "").strip():
        raise ValidationFailed(_("Indiquez le motif de l'exonération."), details={"reason": [_("Champ obligatoire.")]})
    fee = _locked(fee)
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("exonérer les frais"))
    fee.state, fee.waived_reason, fee.waived_by_id, fee.waived_at = FeeState.WAIVED, reason.strip(), actor.id, utcnow()
    db.session.flush()
    record("fee.waived", "dossier", fee.dossier_id, actor_id=actor.id, payload={"fee_id": fee.id, "reason": reason})
    from core.webhooks.services import iso

    _emit(fee, "fee.waived", amount_cents=fee.amount_cents, currency=fee.currency, waived_at=iso(fee.waived_at))
    return fee


def cancel(fee: FeeRequest, *, actor: User) -> FeeRequest:
    _require_staff(actor, fee.dossier)
    fee = _locked(fee)
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("annuler la demande"))
    fee.state, fee.cancelled_at = FeeState.CANCELLED, utcnow()
    db.session.flush()
    record("fee.cancelled", "dossier", fee.dossier_id, actor_id=actor.id, payload={"fee_id": fee.id})
    return fee


def request_refund(fee: FeeRequest, *, actor: User) -> None:
    """A refund is refused with its reason: the plugin declares the fee non-refundable.

    The refusal is audited. A refundable fee is refunded by the certifier outside the platform.
    """
    if fee.state is not FeeState.PAID:
        raise _state_conflict(fee, _("demander un remboursement"))
    if not fee.refundable:
        record("fee.refund_refused", "dossier", fee.dossier_id, actor_id=actor.id, outcome="refused",
               payload={"fee_id": fee.id})
        raise Conflict(_("Remboursement refusé : les frais « %(label)s » ne sont pas remboursables "
                         "(%(covers)s).", label=fee.label, covers=fee.covers or _("règle de la certification")),
                       code="not_refundable")
    raise UserError(_("Le remboursement de ces frais se fait directement auprès du certificateur."),
                    code="refund_outside_platform")
