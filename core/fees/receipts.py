"""Receipt (invoice) PDF: queued after the payment's commit, rendered, sealed (``receipt_fee``) and stored.

The job is queued under its historical name ``core.fees.services.issue_receipt_job`` (re-exported there).
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from core.auth.models import Organisation
from core.certifications.services import get_certification
from core.extensions import db
from core.fees.base import RECEIPT_KIND
from core.fees.models import FeeRequest, FeeState, PayerKind
from core.fees.providers import format_cents


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
