"""Fee API, the third-party payer's side: the request behind its e-mailed link, purchase order, online payment.

Public, like the payer's page (:func:`core.fees.views.payer`): the secret is the signed link's token, in the
path as on the page. A wrong, superseded or cancelled link is a 404 ``not_found``; an expired one a 404
``link_expired`` (same checks: :func:`core.fees.services.fee_from_token`).
"""
from __future__ import annotations

from flask import jsonify, url_for

from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.certifications.services import get_certification
from core.errors import UserError
from core.extensions import db
from core.fees import services
from core.fees.api import blueprint
from core.fees.schemas import FeeCheckoutRequestSchema, FeeCheckoutSchema, PayerFeeSchema, PurchaseOrderRequestSchema

declare_error_response("PayerLinkNotFound", code="not_found",
                       description="Lien inconnu, remplacé par un envoi plus récent ou frais annulés (`not_found`), "
                                   "lien expiré (`link_expired`), ou aucun moyen de paiement en ligne ne porte "
                                   "cette clé (`provider_not_found`).",
                       message="Ce lien a expiré. Demandez au candidat ou à la candidate de vous en renvoyer un.")


def payer_payload(fee) -> dict:
    cert = get_certification(fee.dossier.certification_code)
    return PayerFeeSchema().dump({
        "dossier_reference": fee.dossier.reference, "candidate_name": fee.dossier.candidate.full_name,
        "certification": {"code": cert.code, "title": cert.title}, "state": fee.state.value,
        "state_label": fee.state.label, "amount_cents": fee.amount_cents, "currency": fee.currency,
        "label": fee.label, "covers": fee.covers or "", "refundable": bool(fee.refundable),
        "transfer_reference": fee.transfer_reference, "payer_name": fee.payer_name, "payer_siret": fee.payer_siret,
        "payer_address": fee.payer_address, "purchase_order": fee.purchase_order,
        "providers": services.provider_options(fee)})


@blueprint.get("/fee-links/<token>")
def payer_fee(token: str):
    """The fee request behind a third-party payer's link (no account).
    ---
    get:
      summary: Demande de paiement d'un financeur
      description: >-
        Sans compte : le jeton est celui du lien envoyé par courriel au financeur. Le montant, ce qu'il
        couvre, la référence du virement, le bon de commande déjà indiqué et les moyens de paiement
        proposés (coordonnées bancaires, paiement en ligne).
      tags: [fees]
      security: []
      parameters:
        - {name: token, in: path, required: true, schema: {type: string, maxLength: 500},
           description: "Le jeton du lien reçu par courriel."}
      responses:
        200:
          description: La demande de paiement.
          content:
            application/json:
              schema: PayerFeeSchema
        404: PayerLinkNotFound
    """
    return jsonify(payer_payload(services.fee_from_token(token)))


@blueprint.put("/fee-links/<token>/purchase-order")
def payer_purchase_order(token: str):
    """The third-party payer gives its purchase order and its identity for the invoice.
    ---
    put:
      summary: Indiquer le bon de commande (financeur)
      description: >-
        Sans compte, par le jeton du lien. La facture acquittée sera établie à ce nom, à réception du
        virement. Possible tant que les frais sont en attente de règlement. Inscrit au journal d'audit
        (`fee.purchase_order`).
      tags: [fees]
      security: []
      parameters:
        - {name: token, in: path, required: true, schema: {type: string, maxLength: 500},
           description: "Le jeton du lien reçu par courriel."}
      requestBody:
        required: true
        content:
          application/json:
            schema: PurchaseOrderRequestSchema
      responses:
        200:
          description: La demande de paiement, avec le bon de commande.
          content:
            application/json:
              schema: PayerFeeSchema
        404: PayerLinkNotFound
        409: FeeStateConflict
        422: ValidationFailed
    """
    fee = services.fee_from_token(token)
    body = load_json(PurchaseOrderRequestSchema)
    try:
        services.record_purchase_order(fee, purchase_order=body["purchase_order"], siret=body["payer_siret"],
                                       name=body["payer_name"], address=body["payer_address"])
        db.session.commit()
    except UserError:
        db.session.rollback()
        raise
    return jsonify(payer_payload(fee))


@blueprint.post("/fee-links/<token>/checkout")
def payer_start_payment(token: str):
    """The third-party payer starts an online payment through its link.
    ---
    post:
      summary: Payer en ligne (financeur)
      description: >-
        Sans compte, par le jeton du lien, pour un moyen de paiement en ligne proposé. La réponse donne
        l'adresse de la page du prestataire, qui renvoie ensuite le payeur vers la page de sa demande.
        Inscrit au journal d'audit (`fee.payment_started`).
      tags: [fees]
      security: []
      parameters:
        - {name: token, in: path, required: true, schema: {type: string, maxLength: 500},
           description: "Le jeton du lien reçu par courriel."}
      requestBody:
        required: true
        content:
          application/json:
            schema: FeeCheckoutRequestSchema
      responses:
        200:
          description: L'adresse de la page de paiement.
          content:
            application/json:
              schema: FeeCheckoutSchema
        400: ProviderUnavailable
        404: PayerLinkNotFound
        409: FeeStateConflict
    """
    fee = services.fee_from_token(token)
    body = load_json(FeeCheckoutRequestSchema)
    back = url_for("fees.payer", token=token, _external=True)
    try:
        redirect_url = services.start_payment(fee, body["provider"], return_url=back, actor=None)
        db.session.commit()
    except UserError:
        db.session.rollback()
        raise
    return jsonify(FeeCheckoutSchema().dump({"provider": body["provider"], "redirect_url": redirect_url}))
