"""Marshmallow schemas of the fee API (:mod:`core.fees.api`)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate

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
    receipt_sha256 = fields.Str(allow_none=True, metadata=_d(
        "Empreinte SHA-256 de la facture acquittée, celle des octets de `links.receipt` (son `ETag`) ; "
        "null sans facture."))
    receipt_size = fields.Int(allow_none=True, metadata=_d("Taille en octets de la facture acquittée ; null sans "
                                                           "facture."))
    waived_reason = fields.Str(allow_none=True, metadata=_d("Motif de l'exonération."))
    links = fields.Dict(keys=fields.Str(), values=fields.Str(), metadata=_d("Chemins liés (reçu)."))


class FeePaymentRequestSchema(RequestSchema):
    amount_cents = fields.Int(required=True, validate=validate.Range(min=1), metadata=_d(
        "Montant reçu en centimes ; doit être égal au montant dû."))
    paid_on = fields.Date(load_default=None, metadata=_d("Date de réception (AAAA-MM-JJ ; défaut : aujourd'hui)."))
    note = fields.Str(load_default="", validate=validate.Length(max=300), metadata=_d("Note libre."))


class FeeCheckoutRequestSchema(RequestSchema):
    provider = fields.Str(required=True, validate=validate.Length(min=1, max=60), metadata=_d(
        "Clé d'un moyen de paiement en ligne proposé pour ces frais (voir `providers` ; fourni par un plugin)."))


class FeeCheckoutSchema(ResponseSchema):
    provider = fields.Str(required=True, metadata=_d("Le moyen de paiement choisi."))
    redirect_url = fields.Str(required=True, metadata=_d(
        "Page du prestataire de paiement où envoyer le payeur ; le prestataire le renvoie ensuite sur la page "
        "des frais et notifie la plateforme du paiement."))


class FeePayerLinkRequestSchema(RequestSchema):
    payer_email = fields.Email(required=True, validate=validate.Length(max=254), metadata=_d(
        "Adresse électronique du financeur (entreprise, OPCO, agence…) : le lien de paiement y est envoyé."))
    payer_name = fields.Str(load_default="", validate=validate.Length(max=200), metadata=_d(
        "Nom du financeur (facultatif)."))


class FeeWaiverRequestSchema(RequestSchema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000, error=_l(
        "Le motif doit faire entre 1 et 2000 caractères.")), metadata=_d("Motif de l'exonération (obligatoire)."))


class FeeProviderSchema(ResponseSchema):
    key = fields.Str(required=True, metadata=_d("Clé du moyen de paiement."))
    label = fields.Str(required=True, metadata=_d("Libellé, en français."))
    instructions = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True, metadata=_d(
        "Les indications à suivre (coordonnées bancaires, référence…), libellé → valeur."))
    online = fields.Bool(required=True, metadata=_d(
        "Vrai pour un paiement en ligne (`POST …/checkout` avec cette clé)."))


class PayerCertificationSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))


class PayerFeeSchema(ResponseSchema):
    dossier_reference = fields.Str(required=True, metadata=_d("Référence du dossier."))
    candidate_name = fields.Str(required=True, metadata=_d("Le candidat ou la candidate qui désigne le financeur."))
    certification = fields.Nested(PayerCertificationSchema, required=True)
    state = fields.Str(required=True, metadata={"enum": ["requested", "paid", "waived"], **_d(
        "État de la demande.")})
    state_label = fields.Str(required=True, metadata=_d("Libellé français de l'état."))
    amount_cents = fields.Int(required=True, metadata=_d("Montant dû en centimes."))
    currency = fields.Str(required=True, metadata=_d("Devise (EUR)."))
    label = fields.Str(required=True, metadata=_d("Objet des frais."))
    covers = fields.Str(required=True, metadata=_d("Ce que couvrent les frais."))
    refundable = fields.Bool(required=True, metadata=_d("Faux : un remboursement est refusé."))
    transfer_reference = fields.Str(required=True, metadata=_d("Référence à porter sur le virement."))
    payer_name = fields.Str(required=True, allow_none=True, metadata=_d("Raison sociale du financeur."))
    payer_siret = fields.Str(required=True, allow_none=True, metadata=_d("SIRET du financeur."))
    payer_address = fields.Str(required=True, allow_none=True, metadata=_d("Adresse de facturation."))
    purchase_order = fields.Str(required=True, allow_none=True, metadata=_d("Numéro de bon de commande."))
    providers = fields.List(fields.Nested(FeeProviderSchema), required=True, metadata=_d(
        "Les moyens de paiement proposés (aucun une fois les frais réglés)."))


def _siret(value: str) -> bool:
    from forms.validators import siret_is_valid

    if not siret_is_valid("".join((value or "").split())):
        raise ValidationError(_l("Le numéro de SIRET n'est pas valide."))
    return True


class PurchaseOrderRequestSchema(RequestSchema):
    payer_name = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata=_d(
        "Raison sociale du financeur (la facture est établie à ce nom)."))
    payer_siret = fields.Str(required=True, validate=[validate.Length(max=30), _siret], metadata=_d(
        "Numéro de SIRET (14 chiffres, espaces acceptées, clé vérifiée)."))
    payer_address = fields.Str(required=True, validate=validate.Length(min=1, max=500), metadata=_d(
        "Adresse de facturation."))
    purchase_order = fields.Str(required=True, validate=validate.Length(min=1, max=60), metadata=_d(
        "Numéro de bon de commande."))

    @post_load
    def _compact(self, data, **kwargs):
        data["payer_siret"] = "".join(data["payer_siret"].split())
        return data


class StatementLineSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de la ligne dans le fichier."))
    date = fields.Str(required=True, metadata=_d("Date, telle qu'écrite dans le relevé."))
    label = fields.Str(required=True, metadata=_d("Libellé de l'opération."))
    amount = fields.Str(required=True, metadata=_d("Montant, tel qu'écrit dans le relevé."))
    status = fields.Str(required=True, metadata={"enum": ["matched", "unmatched", "already_settled",
                                                          "amount_mismatch", "invalid"], **_d(
        "`matched` : paiement enregistré ; `unmatched` : aucune référence reconnue ; `already_settled` : frais "
        "déjà réglés ou exonérés ; `amount_mismatch` : montant différent du montant dû.")})
    message = fields.Str(required=True, metadata=_d("Explication, en français."))
    dossier_reference = fields.Str(required=True, allow_none=True, metadata=_d("Dossier reconnu, ou null."))
    invoice_number = fields.Str(required=True, allow_none=True, metadata=_d("Facture émise, ou null."))


class StatementReportSchema(ResponseSchema):
    matched = fields.Int(required=True, metadata=_d("Paiements enregistrés."))
    unmatched = fields.Int(required=True, metadata=_d("Lignes sans paiement enregistré."))
    lines = fields.List(fields.Nested(StatementLineSchema), required=True, metadata=_d(
        "Chaque ligne du relevé et ce qui en a été fait."))
