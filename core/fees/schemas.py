"""Marshmallow schemas of the fee API (:mod:`core.fees.api`)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class FeeRequestSchema(ResponseSchema):
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    required = fields.Bool(required=True, metadata=_d("Faux si la certification ne demande aucun frais."))
    settled = fields.Bool(required=True, metadata=_d(
        "Vrai si rien n'est dû (frais réglés, exonérés, ou aucun frais) : l'étude de recevabilité peut commencer."))
    missing = fields.List(fields.Str(), required=True, metadata=_d("Ce qui manque, en français, pour le candidat."))
    state = fields.Str(allow_none=True, metadata={"enum": ["requested", "paid", "waived", "cancelled"], **_d(
        "État de la demande : requested → paid | waived | cancelled ; null sans frais.")})
    state_label = fields.Str(allow_none=True, metadata=_d("Libellé français de l'état."))
    amount_cents = fields.Int(allow_none=True, metadata=_d("Montant dû en centimes."))
    currency = fields.Str(allow_none=True, metadata=_d("Devise (EUR)."))
    label = fields.Str(allow_none=True, metadata=_d("Objet des frais."))
    covers = fields.Str(allow_none=True, metadata=_d("Ce que couvrent les frais."))
    refundable = fields.Bool(allow_none=True, metadata=_d("Faux : un remboursement est refusé."))
    payer_kind = fields.Str(allow_none=True, metadata={"enum": ["candidate", "third_party"], **_d(
        "Qui paie, d'après la section « Financement ».")})
    payer_email = fields.Str(allow_none=True, metadata=_d("Adresse du financeur (tiers payeur)."))
    provider = fields.Str(allow_none=True, metadata=_d(
        "Moyen de paiement : bank_transfer, third_party_invoice ou la clé d'un fournisseur ajouté par un "
        "plugin (hook livret_payment_providers)."))
    transfer_reference = fields.Str(allow_none=True, metadata=_d("Référence unique à porter sur le virement."))
    paid_amount_cents = fields.Int(allow_none=True, metadata=_d("Montant reçu en centimes."))
    paid_on = fields.Date(allow_none=True, metadata=_d("Date de réception du paiement."))
    paid_at = UtcDateTime(allow_none=True, metadata=_d("Date d'enregistrement du paiement."))
    invoice_number = fields.Str(allow_none=True, metadata=_d("Numéro de facture (séquentiel par organisme et année)."))
    receipt_document_id = fields.Int(allow_none=True, metadata=_d("Document de la facture acquittée scellée."))
    waived_reason = fields.Str(allow_none=True, metadata=_d("Motif de l'exonération."))
    links = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata=_d("Chemins liés (reçu)."))


class FeePaymentRequestSchema(RequestSchema):
    amount_cents = fields.Int(required=True, validate=validate.Range(min=1), metadata=_d(
        "Montant reçu en centimes ; doit être égal au montant dû."))
    paid_on = fields.Date(load_default=None, metadata=_d("Date de réception (AAAA-MM-JJ ; défaut : aujourd'hui)."))
    note = fields.Str(load_default="", validate=validate.Length(max=300), metadata=_d("Note libre."))
