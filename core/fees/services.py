"""Fee services: requests, payer, transitions (audited), invoice numbering, receipts, gate (statements: :mod:`core.fees.statements`).

Transitions never commit: the caller (a view, the API, a job) commits, so that
a payment, its invoice number and its audit event are one transaction. The
receipt PDF is issued after that commit (:func:`queue_receipt`), through the
job queue: sealing may call a remote TSA and must not hold the counter lock.

The work is split by responsibility, every name re-exported here: :mod:`core.fees.base` (constants,
references, access checks), :mod:`core.fees.payer` (third-party payer), :mod:`core.fees.paying` (payment
providers), :mod:`core.fees.transitions` (staff transitions, invoice numbers) and :mod:`core.fees.receipts`
(receipt PDF); the request itself and the admissibility gate are here.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import User
from core.certifications.services import get_certification
from core.dossiers.models import Dossier
from core.errors import Conflict
from core.extensions import db
from core.fees.base import (
    _TOKEN_SALT, FINANCING_SECTION, RECEIPT_KIND, THIRD_PARTY_MODES, _compact, _locked, _mod97_check, _require_staff,
    _state_conflict, get_dossier_for_fee, reference_is_valid, transfer_reference)
from core.fees.models import FeeRequest, FeeState, PayerKind
from core.fees.payer import _serializer, fee_from_token, payer_token, record_purchase_order, send_payer_request
from core.fees.paying import (
    _seller_of, handle_notification, payment_providers, provider_options, providers_for, start_payment)
from core.fees.providers import format_cents
from core.fees.receipts import _buyer, issue_receipt, issue_receipt_job, queue_receipt, receipt_context
from core.fees.transitions import (
    _emit, _mark_paid, cancel, next_invoice_number, record_payment, request_refund, waive)

# Jobs are queued under this module's names (``core.fees.services.issue_receipt_job``): keep them re-exported.
__all__ = [
    "FINANCING_SECTION", "THIRD_PARTY_MODES", "RECEIPT_KIND", "_TOKEN_SALT",
    "_mod97_check", "transfer_reference", "_compact", "reference_is_valid", "get_dossier_for_fee", "_require_staff",
    "certification_fee", "fee_of", "payer_from_financing",
    "_state_conflict", "_provider_for", "_request_values", "fee_view", "ensure_request", "_insert_ignoring_conflicts",
    "follow_financing", "_locked",
    "_serializer", "payer_token", "fee_from_token", "send_payer_request", "record_purchase_order",
    "payment_providers", "providers_for", "provider_options", "start_payment", "_seller_of", "handle_notification",
    "next_invoice_number", "_mark_paid", "_emit", "record_payment", "waive", "cancel", "request_refund",
    "queue_receipt", "issue_receipt_job", "_buyer", "receipt_context", "issue_receipt",
    "fee_settled", "fee_missing", "check_admissibility_can_start",
]


# ---------------------------------------------------------------------------
# The certification's fee, its payer
# ---------------------------------------------------------------------------

def certification_fee(dossier: Dossier):
    """The plugin's ``Fee`` for the dossier's certification, or ``None`` (nothing to pay, or a route the
    fee does not apply to: RNCP37827's training route)."""
    from core.dossiers.routes import route_of

    cert = get_certification(dossier.certification_code)
    fee = cert.fee
    if fee is None or fee.amount_cents <= 0 or not route_of(dossier, cert).fee:
        return None
    return fee


def fee_of(dossier: Dossier) -> FeeRequest | None:
    return db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == dossier.id))


def payer_from_financing(dossier: Dossier) -> tuple[PayerKind, str | None]:
    """Who pays, from the financing section (individuel or none → the candidate)."""
    section = next((s for s in dossier.sections if s.key == FINANCING_SECTION), None)
    if dossier.latest_version is not None and not dossier.editable:
        data = (dossier.latest_version.content or {}).get(FINANCING_SECTION) or {}
    else:
        data = dict(section.data or {}) if section is not None else {}
    mode = data.get("mode") or None
    return (PayerKind.THIRD_PARTY if mode in THIRD_PARTY_MODES else PayerKind.CANDIDATE), mode


# ---------------------------------------------------------------------------
# The request
# ---------------------------------------------------------------------------

def _provider_for(kind: PayerKind) -> str:
    return "third_party_invoice" if kind is PayerKind.THIRD_PARTY else "bank_transfer"


def _request_values(dossier: Dossier, descriptor) -> dict[str, Any]:
    """The columns of a new request for ``dossier``: the descriptor's fee, the payer from the financing section."""
    kind, mode = payer_from_financing(dossier)
    return {"dossier_id": dossier.id, "amount_cents": int(descriptor.amount_cents), "currency": descriptor.currency,
            "label": descriptor.label, "covers": descriptor.covers or "", "refundable": descriptor.refundable,
            "state": FeeState.REQUESTED, "payer_kind": kind, "financing_mode": mode, "provider": _provider_for(kind),
            "transfer_reference": transfer_reference(dossier)}


def fee_view(dossier: Dossier) -> FeeRequest | None:
    """What the pages and the API show, read-only: the dossier's request, or the one that will be due.

    Without a request yet (a draft, a dossier submitted before requests were created at submission),
    the answer is a transient ``FeeRequest`` built from the descriptor and the financing section: it is
    never added to the session, so reading the fee writes nothing. ``None``: nothing to pay.
    """
    fee = fee_of(dossier)
    if fee is not None:
        return fee
    descriptor = certification_fee(dossier)
    if descriptor is None:
        return None
    return FeeRequest(dossier=dossier, **_request_values(dossier, descriptor))


def ensure_request(dossier: Dossier, *, actor: User | None) -> FeeRequest | None:
    """The dossier's fee request, created from the descriptor if missing; ``None`` if no fee (no commit).

    Called where the fee becomes due (:func:`core.dossiers.services.submit`) and by the actions
    that need a stored request (a payment, a waiver, the payer's e-mail, an online payment), never
    by a read. Safe when two requests create it at once: the dossier row is locked first
    (PostgreSQL) and the insert is ``ON CONFLICT DO NOTHING`` (the unique dossier and transfer
    reference), so the second one gets the first one's row and records no second event.
    While the request waits for payment, the payer follows the financing section (:func:`follow_financing`).
    """
    if dossier.id is None:
        db.session.flush()
    fee = fee_of(dossier)
    if fee is not None:
        return follow_financing(dossier, fee, actor=actor)
    descriptor = certification_fee(dossier)
    if descriptor is None:
        return None
    # A second creation at the same time waits here for the first one's commit (PostgreSQL), then its
    # insert finds the row and does nothing; SQLite serialises writers and the insert does nothing too.
    db.session.execute(select(Dossier.id).where(Dossier.id == dossier.id).with_for_update())
    inserted = db.session.execute(_insert_ignoring_conflicts(_request_values(dossier, descriptor))).scalar()
    fee = fee_of(dossier)
    if inserted is None:  # the other creation won: its row, no second event
        return follow_financing(dossier, fee, actor=actor)
    record("fee.requested", "dossier", dossier.id, actor_id=getattr(actor, "id", None),
           payload={"fee_id": fee.id, "amount_cents": fee.amount_cents, "payer": fee.payer_kind.value,
                    "reference": fee.transfer_reference})
    return fee


def _insert_ignoring_conflicts(values: dict[str, Any]):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(FeeRequest).values(**values).on_conflict_do_nothing().returning(FeeRequest.id)


def follow_financing(dossier: Dossier, fee: FeeRequest | None = None, *, actor: User | None) -> FeeRequest | None:
    """A request waiting for payment follows the financing section: its payer is updated (audited
    ``fee.payer_changed``) when the section says otherwise. Called when the section is saved, when
    the dossier is submitted and before an action on the request; a read never calls it."""
    fee = fee if fee is not None else fee_of(dossier)
    if fee is None or fee.state is not FeeState.REQUESTED:
        return fee
    kind, mode = payer_from_financing(dossier)
    if (kind, mode) != (fee.payer_kind, fee.financing_mode):
        fee.payer_kind, fee.financing_mode, fee.provider = kind, mode, _provider_for(kind)
        db.session.flush()
        record("fee.payer_changed", "dossier", dossier.id, actor_id=getattr(actor, "id", None),
               payload={"fee_id": fee.id, "payer": kind.value, "mode": mode})
    return fee


# ---------------------------------------------------------------------------
# Admissibility gate
# ---------------------------------------------------------------------------

def fee_settled(dossier: Dossier) -> bool:
    """True when nothing is owed: no fee declared, or the fee paid or waived."""
    if certification_fee(dossier) is None:
        return True
    fee = fee_of(dossier)
    return fee is not None and fee.settled


def fee_missing(dossier: Dossier, *, staff: bool = False) -> list[str]:
    """What the candidate (or, with ``staff``, the certifier's staff) must know is missing before
    admissibility review, in French."""
    if fee_settled(dossier):
        return []
    fee = fee_of(dossier)
    descriptor = certification_fee(dossier)
    amount = format_cents(fee.amount_cents if fee else descriptor.amount_cents)
    if fee is None or fee.state is FeeState.REQUESTED:
        kind = fee.payer_kind if fee else payer_from_financing(dossier)[0]
        if kind is PayerKind.THIRD_PARTY and not (fee and fee.payer_email):
            return [_("Les frais de %(amount)s ne sont pas réglés : indiquez l'adresse électronique du financeur "
                      "pour qu'il reçoive la demande de paiement.", amount=amount)]
        if kind is PayerKind.THIRD_PARTY:
            return [_("Les frais de %(amount)s ne sont pas réglés : la demande a été envoyée à %(email)s ; "
                      "le certificateur attend son virement (référence %(ref)s).",
                      amount=amount, email=fee.payer_email, ref=fee.transfer_reference)]
        ref = fee.transfer_reference if fee else transfer_reference(dossier)
        if staff:
            return [_("Les frais de %(amount)s ne sont pas réglés : le virement du candidat ou de la candidate "
                      "(référence %(ref)s) n'a pas encore été enregistré.", amount=amount, ref=ref)]
        return [_("Les frais de %(amount)s ne sont pas réglés : le certificateur attend votre virement avec la "
                  "référence %(ref)s.", amount=amount, ref=ref)]
    return [_("La demande de frais a été annulée (%(state)s) : contactez le certificateur.", state=fee.state.label)]


def check_admissibility_can_start(dossier: Dossier) -> None:
    """Called by the admissibility review: refuses (409 ``fee_not_settled``) while the fee is owed."""
    missing = fee_missing(dossier, staff=True)  # the refusal is the staff's (review page and API)
    if missing:
        raise Conflict(missing[0], code="fee_not_settled", details={"missing": missing})
