"""Fee services: requests, payer, transitions (audited), invoice numbering, receipts, gate (statements: :mod:`core.fees.statements`).

Transitions never commit: the caller (a view, the API, a job) commits, so that
a payment, its invoice number and its audit event are one transaction. The
receipt PDF is issued after that commit (:func:`queue_receipt`), through the
job queue: sealing may call a remote TSA and must not hold the counter lock.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from core.audit.services import record
from core.auth.models import Organisation, User, utcnow
from core.certifications.services import get_certification
from core.dossiers.models import Dossier
from core.errors import Conflict, NotFound, UserError, ValidationFailed
from core.extensions import db
from core.fees.models import FeeInvoiceCounter, FeeRequest, FeeState, PayerKind
from core.fees.providers import check_provider, format_cents

FINANCING_SECTION = "financement"
THIRD_PARTY_MODES = frozenset({"france_travail", "plan_competences", "opco", "autre"})
RECEIPT_KIND = "receipt_fee"
_TOKEN_SALT = "livret.fees.payer"


# ---------------------------------------------------------------------------
# References and access
# ---------------------------------------------------------------------------

def _mod97_check(text: str) -> str:
    """Two check digits (ISO 7064 MOD 97-10, as in IBANs) over letters and digits."""
    digits = "".join(str(int(c, 36)) for c in text.upper() if c.isalnum())
    return f"{98 - int(digits + '00') % 97:02d}"


def transfer_reference(dossier: Dossier) -> str:
    """``LVT-<dossier reference>-<2 check digits>``: unique per dossier, typo-resistant."""
    base = f"LVT-{dossier.reference}"
    return f"{base}-{_mod97_check(base)}"


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def reference_is_valid(reference: str) -> bool:
    head, _sep, check = reference.rpartition("-")
    return bool(head) and _mod97_check(head) == check


def get_dossier_for_fee(user: User, dossier_id: int, action: str = "fee.view") -> Dossier:
    """The dossier if ``user`` may do ``action`` (``fee.view``, ``fee.pay``, ``fee.manage``) on its fee:
    the fee follows the dossier's visibility (a draft's fee is its candidate's alone); 404 otherwise."""
    from core.policy import require

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(code="dossier_not_found")
    require(user, action, dossier, code="dossier_not_found")
    return dossier


def _require_staff(user: User, dossier: Dossier) -> None:
    from core.policy import require

    require(user, "fee.manage", dossier, code="dossier_not_found")


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

def _state_conflict(fee: FeeRequest, action: str) -> Conflict:
    return Conflict(_("Impossible de %(action)s : les frais de ce dossier sont dans l'état « %(state)s ».",
                      action=action, state=fee.state.label), code="wrong_fee_state",
                    details={"state": fee.state.value})


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


def _locked(fee: FeeRequest) -> FeeRequest:
    """Re-read the request with a row lock (PostgreSQL), so two staff members cannot both act on it."""
    locked = db.session.scalar(select(FeeRequest).where(FeeRequest.id == fee.id)
                               .with_for_update().execution_options(populate_existing=True))
    return locked


# ---------------------------------------------------------------------------
# Third-party payer: e-mail with a signed link, purchase order
# ---------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def payer_token(fee: FeeRequest) -> str:
    return _serializer().dumps({"f": fee.id, "e": fee.payer_email})


def fee_from_token(token: str) -> FeeRequest:
    """The request a payer's link names; 404 for a wrong, expired or superseded link."""
    max_age = int(current_app.config["FEES_PAYER_LINK_DAYS"]) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise NotFound(_("Ce lien a expiré. Demandez au candidat ou à la candidate de vous en renvoyer un."),
                       code="link_expired")
    except BadSignature:
        raise NotFound(code="not_found")
    fee = db.session.get(FeeRequest, data.get("f")) if isinstance(data, dict) else None
    if fee is None or fee.payer_email != data.get("e") or fee.state is FeeState.CANCELLED:
        raise NotFound(code="not_found")
    return fee


def send_payer_request(fee: FeeRequest, *, email: str, name: str, actor: User) -> None:
    """The candidate names the third-party payer; it receives the request by e-mail (no account needed)."""
    from core.mail import send_mail
    from core.utils import absolute_url

    if fee.dossier.candidate_id != actor.id:
        raise NotFound(code="dossier_not_found")
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("envoyer la demande de paiement"))
    if fee.payer_kind is not PayerKind.THIRD_PARTY:
        raise UserError(_("Votre financement est individuel : c'est vous qui réglez les frais."),
                        code="payer_is_candidate")
    fee.payer_email = email.strip().lower()
    fee.payer_name = name.strip() or None
    fee.payer_notified_at = utcnow()
    db.session.flush()
    record("fee.payer_notified", "dossier", fee.dossier_id, actor_id=actor.id,
           payload={"fee_id": fee.id, "payer_email": fee.payer_email})
    cert = get_certification(fee.dossier.certification_code)
    link = absolute_url("fees.payer", token=payer_token(fee))
    text = _(
        "Bonjour,\n\n%(candidate)s vous désigne comme financeur des frais de sa démarche de validation des "
        "acquis de l'expérience pour la certification %(code)s – %(title)s.\n\n"
        "Montant : %(amount)s (%(label)s). %(refund)s\n"
        "Référence à rappeler dans le virement : %(reference)s\n\n"
        "Consultez la demande, indiquez votre numéro de bon de commande et obtenez les coordonnées bancaires "
        "sur cette page (aucun compte n'est nécessaire ; le lien est valable %(days)d jours) :\n%(link)s\n\n"
        "Si vous n'êtes pas concerné, ignorez ce message.",
        candidate=fee.dossier.candidate.full_name, code=cert.code, title=cert.title,
        amount=format_cents(fee.amount_cents), label=fee.label,
        refund=_("Ces frais ne sont pas remboursables.") if not fee.refundable else "",
        reference=fee.transfer_reference, days=int(current_app.config["FEES_PAYER_LINK_DAYS"]), link=link)
    send_mail(fee.payer_email, _("Demande de paiement des frais de VAE – dossier %(ref)s", ref=fee.dossier.reference),
              text)


def record_purchase_order(fee: FeeRequest, *, purchase_order: str, siret: str, name: str, address: str) -> None:
    """The third-party payer (through its signed link) gives its purchase order and identity for the invoice."""
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("enregistrer le bon de commande"))
    fee.purchase_order = purchase_order.strip()
    fee.payer_siret = siret
    fee.payer_name = name.strip()
    fee.payer_address = address.strip()
    fee.provider = "third_party_invoice"
    db.session.flush()
    record("fee.purchase_order", "dossier", fee.dossier_id, actor_id=None,
           payload={"fee_id": fee.id, "purchase_order": fee.purchase_order, "siret": siret})


# ---------------------------------------------------------------------------
# Payment providers (hook ``livret_payment_providers``)
# ---------------------------------------------------------------------------

def payment_providers(certification) -> list[Any]:
    """Every provider the plugins offer for ``certification``, by key (the plugin registered last wins)."""
    from core.plugins import call_each

    pm = current_app.extensions["livret"].pm
    found: dict[str, Any] = {}
    for plugin, providers in call_each(pm, "livret_payment_providers", certification=certification):
        for provider in providers:
            check_provider(provider, plugin)
            found.setdefault(provider.key, provider)
    return list(found.values())


def providers_for(fee: FeeRequest) -> list[Any]:
    """The providers the payer of ``fee`` may use (none once the request is no longer waiting)."""
    if fee.state is not FeeState.REQUESTED:
        return []
    cert = get_certification(fee.dossier.certification_code)
    return [p for p in payment_providers(cert) if p.available_for(fee)]


def provider_options(fee: FeeRequest | None) -> list[dict[str, Any]]:
    """What the pages show: ``{"key", "label", "instructions", "online"}`` per available provider."""
    if fee is None:
        return []
    return [{"key": p.key, "label": p.label, "instructions": dict(p.instructions(fee) or {}),
             "online": callable(getattr(p, "start", None))} for p in providers_for(fee)]


def start_payment(fee: FeeRequest, key: str, *, return_url: str, actor: User | None) -> str:
    """Send the payer to an online provider: the URL its ``start`` returns (audited ``fee.payment_started``)."""
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("payer en ligne"))
    provider = next((p for p in providers_for(fee) if p.key == key), None)
    if provider is None or not callable(getattr(provider, "start", None)):
        raise NotFound(code="provider_not_found")
    url = provider.start(fee, return_url)
    if not url:
        raise UserError(_("Le paiement en ligne n'a pas pu démarrer : réessayez plus tard ou choisissez "
                          "un autre moyen de paiement."), code="provider_unavailable")
    record("fee.payment_started", "dossier", fee.dossier_id, actor_id=getattr(actor, "id", None),
           payload={"fee_id": fee.id, "provider": key})
    return url


def _seller_of(fee: FeeRequest) -> Organisation | None:
    """The organisation the dossier was opened with: it sells the fee (online payments, invoices)."""
    return fee.dossier.organisation


def handle_notification(key: str, request) -> FeeRequest | None:
    """A provider's callback: its ``handle_notification`` says what was paid; core records it (no commit).

    Returns the paid request, or ``None`` when the provider ignored the
    notification, the payment failed or the request was already paid (a
    provider may notify twice). An unknown provider or reference is a 404.
    """
    from core.certifications.services import all_certifications

    provider = next((p for cert in all_certifications() for p in payment_providers(cert) if p.key == key), None)
    if provider is None or not callable(getattr(provider, "handle_notification", None)):
        raise NotFound(code="provider_not_found")
    result = provider.handle_notification(request)
    if result is None or not result.paid:
        return None
    fee = db.session.scalar(select(FeeRequest).where(FeeRequest.transfer_reference == result.reference))
    if fee is None:
        raise NotFound(code="fee_not_found")
    cert = get_certification(fee.dossier.certification_code)
    if key not in {p.key for p in payment_providers(cert)}:
        raise NotFound(code="provider_not_found")
    fee = _locked(fee)
    if fee.state is FeeState.PAID and fee.provider == key:
        return None
    seller = _seller_of(fee)
    if seller is None:
        raise Conflict(_("Aucun certificateur ne délivre cette certification : paiement non enregistré."),
                       code="no_seller")
    fee.provider = key
    return _mark_paid(fee, amount_cents=result.amount_cents, paid_on=result.paid_on,
                      note=f"{provider.label} {result.external_id}".strip(), source=key,
                      actor_id=None, seller_id=seller.id)


# ---------------------------------------------------------------------------
# Transitions by the certifier's staff
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Receipt (invoice) PDF
# ---------------------------------------------------------------------------

def queue_receipt(fee: FeeRequest) -> None:
    """After the payment is committed: issue the sealed receipt through the job queue."""
    current_app.extensions["livret"].jobs.enqueue("core.fees.services.issue_receipt_job", fee_id=fee.id)


def issue_receipt_job(fee_id: int) -> None:
    fee = db.session.get(FeeRequest, fee_id)
    if fee is not None and fee.state is FeeState.PAID and fee.receipt_document_id is None:
        issue_receipt(fee)


def _buyer(fee: FeeRequest) -> dict[str, Any]:
    if fee.payer_kind is PayerKind.THIRD_PARTY and fee.payer_name:
        return {"name": fee.payer_name, "address": fee.payer_address, "siret": fee.payer_siret,
                "email": fee.payer_email, "purchase_order": fee.purchase_order}
    candidate = fee.dossier.candidate
    return {"name": candidate.full_name, "address": None, "siret": None, "email": candidate.email,
            "purchase_order": None}


def receipt_context(fee: FeeRequest) -> dict[str, Any]:
    cert = get_certification(fee.dossier.certification_code)
    seller: Organisation = fee.seller
    return {"fee": fee, "cert": cert, "seller": seller, "buyer": _buyer(fee),
            "amount": format_cents(fee.paid_amount_cents or fee.amount_cents),
            "vat_mention": current_app.config["FEES_VAT_MENTION"],
            "description": _("Frais administratifs de recevabilité – non remboursables") if not fee.refundable
            else _("Frais administratifs de recevabilité"),
            "candidate": fee.dossier.candidate}


def issue_receipt(fee: FeeRequest):
    """Render, seal (``receipt_fee``) and store the receipt; link it to the request; commit."""
    from core.documents.services import render_pdf
    from core.sealing.services import issue_document

    title = _("Facture acquittée n° %(n)s", n=fee.invoice_number)
    pdf = render_pdf("fees/receipt.html", receipt_context(fee), title=title,
                     author=fee.seller.name if fee.seller else "Livret", created=fee.paid_at)
    doc = issue_document(pdf, dossier=fee.dossier, kind=RECEIPT_KIND, title=title,
                         filename=f"facture-{fee.invoice_number}.pdf", actor_id=fee.recorded_by_id, commit=False)
    fee.receipt_document_id = doc.id
    db.session.commit()
    return doc


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
