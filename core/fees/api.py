"""Fee API: read a dossier's fee; record a payment (certifier staff)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_tag
from core.extensions import db
from core.fees import services
from core.fees.schemas import FeePaymentRequestSchema, FeeRequestSchema

blueprint = api_blueprint("fees_api", __name__)

declare_tag("fees", "Les frais d'une certification (par exemple 300 € de recevabilité) : montant, payeur, "
                    "référence de virement, paiements et facture acquittée.", "Frais")


def fee_payload(dossier, fee) -> dict[str, Any]:
    data: dict[str, Any] = {"dossier_id": dossier.id, "required": fee is not None,
                            "settled": services.fee_settled(dossier), "missing": services.fee_missing(dossier),
                            "links": {}}
    if fee is not None:
        data.update(state=fee.state.value, state_label=fee.state.label, amount_cents=fee.amount_cents,
                    currency=fee.currency, label=fee.label, covers=fee.covers, refundable=fee.refundable,
                    payer_kind=fee.payer_kind.value, payer_email=fee.payer_email, provider=fee.provider,
                    transfer_reference=fee.transfer_reference, paid_amount_cents=fee.paid_amount_cents,
                    paid_on=fee.paid_on, paid_at=fee.paid_at, invoice_number=fee.invoice_number,
                    receipt_document_id=fee.receipt_document_id, waived_reason=fee.waived_reason)
        if fee.receipt_document_id:
            data["links"]["receipt"] = url_for("documents_api.document_content",
                                               document_id=fee.receipt_document_id)
            if fee.receipt is not None:  # the digest and size of the bytes the link serves (issue 13 §1)
                data.update(receipt_sha256=fee.receipt.sha256, receipt_size=fee.receipt.size)
    return data


@blueprint.get("/dossiers/<int:dossier_id>/fee")
@token_required
def get_fee(dossier_id: int):
    """The dossier's fee, read-only: the stored request, or what will be due (nothing is written).
    ---
    get:
      summary: Frais d'un dossier
      description: >-
        Le montant, ce qu'il couvre, s'il est remboursable, qui paie (d'après la section
        « Financement »), la référence du virement, l'état de la demande et ce qui manque
        avant l'étude de recevabilité. Sans frais déclarés : `required` vaut `false`.
      tags: [fees]
      responses:
        200:
          description: Les frais du dossier.
          content:
            application/json:
              schema: FeeRequestSchema
        404: DossierNotFound
    """
    user = current_api_user()
    dossier = services.get_dossier_for_fee(user, dossier_id)
    return jsonify(FeeRequestSchema().dump(fee_payload(dossier, services.fee_view(dossier))))


@blueprint.post("/dossiers/<int:dossier_id>/fee/payments")
@token_required
def post_payment(dossier_id: int):
    """Record the payment received (certifier staff of the organisation).
    ---
    post:
      summary: Enregistrer un paiement
      description: >-
        Réservé à l'équipe du certificateur. Le montant doit être égal au montant dû
        (422 `amount_mismatch` sinon) ; des frais qui ne sont plus en attente donnent un
        409 `wrong_fee_state`. Le paiement reçoit un numéro de facture séquentiel et la
        facture acquittée scellée est émise.
      tags: [fees]
      requestBody:
        required: true
        content:
          application/json:
            schema: FeePaymentRequestSchema
      responses:
        201:
          description: Les frais, réglés.
          content:
            application/json:
              schema: FeeRequestSchema
        404: DossierNotFound
    """
    user = current_api_user()
    dossier = services.get_dossier_for_fee(user, dossier_id, "fee.manage")
    body = load_json(FeePaymentRequestSchema)
    fee = services.ensure_request(dossier, actor=user)
    if fee is None:
        from core.errors import Conflict
        from flask_babel import gettext as _

        raise Conflict(_("Cette certification ne demande aucun frais."), code="no_fee")
    fee = services.record_payment(fee, actor=user, amount_cents=body["amount_cents"], paid_on=body["paid_on"],
                                  note=body["note"], source="api")
    db.session.commit()
    services.queue_receipt(fee)
    db.session.refresh(fee)
    return jsonify(FeeRequestSchema().dump(fee_payload(dossier, fee))), 201


# the fee pages' other actions, on the same blueprint
from core.fees import api_actions, api_payer  # noqa: E402,F401
