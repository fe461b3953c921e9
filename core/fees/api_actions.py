"""Fee API, the candidate's and the staff's actions: online payment, third-party payer, waiver, bank statement.

Same services as the fee pages (:mod:`core.fees.views`). A dossier the token's account may not act on is a
404 (``dossier_not_found``); a refused action changes nothing (the request the action would have created
included).
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.errors import Conflict, NotFound, UserError, ValidationFailed
from core.extensions import db
from core.fees import services, statements
from core.fees.api import blueprint, fee_payload
from core.fees.schemas import (FeeCheckoutRequestSchema, FeeCheckoutSchema, FeePayerLinkRequestSchema,
                               FeeRequestSchema, FeeWaiverRequestSchema, StatementReportSchema)
from core.policy import require

declare_error_response("FeeStateConflict", code="wrong_fee_state",
                       description="Les frais ne sont plus en attente de règlement (`wrong_fee_state`, "
                                   "`details.state`), ou la certification n'en demande aucun (`no_fee`).",
                       message="Impossible d'exonérer les frais : les frais de ce dossier sont dans l'état "
                               "« Réglés ».")
declare_error_response("ProviderNotFound", code="provider_not_found",
                       description="Le dossier n'existe pas pour ce compte (`dossier_not_found`), ou aucun moyen "
                                   "de paiement en ligne proposé pour ces frais ne porte cette clé "
                                   "(`provider_not_found`).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("ProviderUnavailable", code="provider_unavailable",
                       description="Le prestataire n'a pas ouvert de paiement (`provider_unavailable`), ou le "
                                   "financement du dossier est individuel (`payer_is_candidate`).",
                       message="Le paiement en ligne n'a pas pu démarrer : réessayez plus tard ou choisissez un "
                               "autre moyen de paiement.")
declare_error_response("StatementRefused", code="statement_invalid",
                       description="Le relevé est refusé sans rien enregistrer : fichier absent ou de plus de "
                                   "5 Mo (`details.statement`), ou lignes illisibles, chacune dans `details.lines` "
                                   "(`line` : numéro de ligne, 0 pour un fichier vide ; `message`).",
                       message="Le relevé contient des lignes illisibles : aucun paiement n'est enregistré.")

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file


def _no_fee() -> Conflict:
    return Conflict(_("Cette certification ne demande aucun frais."), code="no_fee")


def _act(dossier, actor, run):
    """Create the request if needed, run the action, commit; roll everything back on a refusal."""
    try:
        fee = services.ensure_request(dossier, actor=actor)
        if fee is None:
            raise _no_fee()
        result = run(fee)
        db.session.commit()
    except UserError:
        db.session.rollback()
        raise
    return result


@blueprint.post("/dossiers/<int:dossier_id>/fee/checkout")
@token_required
def start_payment(dossier_id: int):
    """The candidate starts an online payment: the provider's page to send the payer to.
    ---
    post:
      summary: Payer les frais en ligne
      description: >-
        Réservé au candidat ou à la candidate du dossier, pour un moyen de paiement en ligne proposé
        (`online` dans la liste des moyens, fourni par un plugin). La réponse donne l'adresse de la page
        du prestataire ; il y renvoie ensuite le payeur vers la page des frais et notifie la plateforme du
        paiement. Inscrit au journal d'audit (`fee.payment_started`).
      tags: [fees]
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
        404: ProviderNotFound
        409: FeeStateConflict
    """
    user = current_api_user()
    dossier = services.get_dossier_for_fee(user, dossier_id, "fee.pay")
    if dossier.candidate_id != user.id:
        raise NotFound(code="dossier_not_found")
    body = load_json(FeeCheckoutRequestSchema)
    back = url_for("fees.dossier_fee", dossier_id=dossier.id, _external=True)
    redirect_url = _act(dossier, user, lambda fee: services.start_payment(fee, body["provider"], return_url=back,
                                                                           actor=user))
    return jsonify(FeeCheckoutSchema().dump({"provider": body["provider"], "redirect_url": redirect_url}))


@blueprint.post("/dossiers/<int:dossier_id>/fee/payer")
@token_required
def send_payer_link(dossier_id: int):
    """The candidate names the third-party payer, who receives the payment request by e-mail.
    ---
    post:
      summary: Envoyer la demande de paiement au financeur
      description: >-
        Réservé au candidat ou à la candidate du dossier dont le financement est assuré par un tiers
        (section « Financement »). Le financeur reçoit par courriel le montant, la référence du virement
        et un lien personnel (sans compte, valable un temps limité) vers la demande, où il indique son bon
        de commande ou paie en ligne. Un nouvel envoi remplace le lien précédent. Inscrit au journal
        d'audit (`fee.payer_notified`).
      tags: [fees]
      requestBody:
        required: true
        content:
          application/json:
            schema: FeePayerLinkRequestSchema
      responses:
        200:
          description: Les frais, avec l'adresse du financeur.
          content:
            application/json:
              schema: FeeRequestSchema
        400: ProviderUnavailable
        404: DossierNotFound
        409: FeeStateConflict
        422: ValidationFailed
    """
    user = current_api_user()
    dossier = services.get_dossier_for_fee(user, dossier_id, "fee.pay")
    body = load_json(FeePayerLinkRequestSchema)

    def run(fee):
        services.send_payer_request(fee, email=body["payer_email"], name=body["payer_name"], actor=user)
        return fee

    fee = _act(dossier, user, run)
    return jsonify(FeeRequestSchema().dump(fee_payload(dossier, fee)))


@blueprint.post("/dossiers/<int:dossier_id>/fee/waiver")
@token_required
def waive(dossier_id: int):
    """Waive the fee (certifier staff of the organisation; reason required; audited).
    ---
    post:
      summary: Exonérer les frais
      description: >-
        Réservé à l'équipe du certificateur. Les frais en attente de règlement passent à l'état
        « Exonérés » avec leur motif ; l'étude de recevabilité peut commencer. Inscrit au journal d'audit
        (`fee.waived`).
      tags: [fees]
      requestBody:
        required: true
        content:
          application/json:
            schema: FeeWaiverRequestSchema
      responses:
        200:
          description: Les frais, exonérés.
          content:
            application/json:
              schema: FeeRequestSchema
        404: DossierNotFound
        409: FeeStateConflict
        422: ValidationFailed
    """
    user = current_api_user()
    dossier = services.get_dossier_for_fee(user, dossier_id, "fee.manage")
    body = load_json(FeeWaiverRequestSchema)
    fee = _act(dossier, user, lambda fee: services.waive(fee, actor=user, reason=body["reason"]))
    return jsonify(FeeRequestSchema().dump(fee_payload(dossier, fee)))


@blueprint.post("/fees/statements")
@token_required
def import_statement():
    """Import a bank statement: each credit line whose label names a transfer reference is recorded.
    ---
    post:
      summary: Importer un relevé bancaire
      description: >-
        Réservé à l'équipe du certificateur. Un fichier CSV (`date;libellé;montant`, séparateur `;` ou `,`,
        UTF-8 ou Windows-1252, ligne d'en-tête facultative, 5 Mo au plus) envoyé en `multipart/form-data`
        dans le champ `statement`. Un fichier dont une ligne est illisible est refusé en entier (422, rien
        n'est enregistré). Sinon, chaque ligne dont le libellé porte la référence de virement d'un dossier
        de l'organisme et le montant dû est enregistrée comme paiement (facture numérotée, facture
        acquittée scellée) ; le compte rendu donne le sort de chaque ligne.
      tags: [fees]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [statement]
              properties:
                statement: {type: string, format: binary, description: "Le relevé, en CSV."}
      responses:
        200:
          description: Le compte rendu de l'import.
          content:
            application/json:
              schema: StatementReportSchema
        403: Forbidden
        413: RequestTooLarge
        422: StatementRefused
    """
    user = current_api_user()
    require(user, "backoffice.list")
    if user.organisation is None:
        raise NotFound()
    request.max_content_length = statements.MAX_STATEMENT_SIZE + MULTIPART_OVERHEAD
    upload = request.files.get("statement") if request.mimetype == "multipart/form-data" else None
    if upload is None:
        message = _("Joignez le relevé (fichier CSV) dans le champ « statement », en multipart/form-data.")
        raise ValidationFailed(message, code="statement_invalid", details={"statement": [message]})
    raw = upload.stream.read(statements.MAX_STATEMENT_SIZE + 1)
    if len(raw) > statements.MAX_STATEMENT_SIZE:
        message = _("Le relevé dépasse 5 Mo.")
        raise ValidationFailed(message, code="statement_invalid", details={"statement": [message]})
    text = statements.decode_statement(raw)
    problems = statements.statement_problems(text)
    if problems:
        raise ValidationFailed(_("Le relevé contient des lignes illisibles : aucun paiement n'est enregistré."),
                               code="statement_invalid", details={"lines": problems})
    report = statements.import_statement(text, actor=user)
    return jsonify(StatementReportSchema().dump({
        "matched": len(report.matched), "unmatched": len(report.unmatched),
        "lines": [{"number": line.number, "date": line.date, "label": line.label, "amount": line.amount,
                   "status": line.status, "message": line.message, "dossier_reference": line.dossier_reference,
                   "invoice_number": line.invoice_number} for line in report.lines]}))
