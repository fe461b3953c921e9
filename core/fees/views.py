"""Fee pages: the candidate's fee page, the third-party payer's page (signed link), staff actions."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.certifications.services import get_certification
from core.dossiers.services import can_review
from core.errors import NotFound, UserError
from core.extensions import csrf, db
from core.fees import services, statements
from core.fees.blueprint import blueprint
from core.fees.forms import PayerForm, PaymentForm, PurchaseOrderForm, StatementForm, WaiveForm
from core.fees.models import FeeState
from core.fees.providers import format_cents


def _page(dossier, fee, status=200, **forms):
    staff = can_review(current_user, dossier)
    return render_template(
        "fees/dossier.html", dossier=dossier, fee=fee, cert=get_certification(dossier.certification_code),
        staff=staff, is_owner=dossier.candidate_id == current_user.id, missing=services.fee_missing(dossier, staff=staff and dossier.candidate_id != current_user.id),
        providers=services.provider_options(fee),
        start_url=(lambda key: url_for("fees.start_payment", dossier_id=dossier.id, key=key))
        if dossier.candidate_id == current_user.id else None,
        format_cents=format_cents, payer_form=forms.get("payer_form") or PayerForm(),
        payment_form=forms.get("payment_form") or PaymentForm(amount=fee.amount_cents if fee else None),
        waive_form=forms.get("waive_form") or WaiveForm()), status


@blueprint.get("/dossiers/<int:dossier_id>/frais")
@login_required
def dossier_fee(dossier_id: int):
    """What is due, read-only: the stored request or the one that will be due (nothing is written)."""
    dossier = services.get_dossier_for_fee(current_user, dossier_id)
    return _page(dossier, services.fee_view(dossier))


def _action(dossier_id: int, form_name: str, form, run, action: str = "fee.manage"):
    dossier = services.get_dossier_for_fee(current_user, dossier_id, action)
    if services.fee_view(dossier) is None:
        raise NotFound()
    if not form.validate_on_submit():
        return _page(dossier, services.fee_view(dossier), 422, **{form_name: form})
    try:
        # the request is created here when it does not exist yet (a draft, a dossier submitted earlier)
        fee = services.ensure_request(dossier, actor=current_user)
        message = run(fee)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        dossier = services.get_dossier_for_fee(current_user, dossier_id)
        return _page(dossier, services.fee_view(dossier), exc.status, **{form_name: form})
    flash(message, "success")
    return redirect(url_for("fees.dossier_fee", dossier_id=dossier_id))


@blueprint.post("/dossiers/<int:dossier_id>/frais/financeur")
@login_required
def payer_email(dossier_id: int):
    form = PayerForm()

    def run(fee):
        services.send_payer_request(fee, email=form.payer_email.data, name=form.payer_name.data or "",
                                    actor=current_user)
        return _("La demande de paiement a été envoyée à %(email)s.", email=fee.payer_email)

    return _action(dossier_id, "payer_form", form, run, action="fee.pay")


@blueprint.post("/dossiers/<int:dossier_id>/frais/paiement")
@login_required
def record_payment(dossier_id: int):
    form = PaymentForm()
    paid = []

    def run(fee):
        paid.append(services.record_payment(fee, actor=current_user, amount_cents=form.amount.data,
                                            paid_on=form.paid_on.data, note=form.note.data or ""))
        return _("Paiement enregistré : facture n° %(n)s.", n=paid[0].invoice_number)

    response = _action(dossier_id, "payment_form", form, run)
    if paid:
        try:
            services.queue_receipt(paid[0])
        except UserError as exc:  # sealing failed: the payment stands, the receipt can be issued again
            db.session.rollback()
            flash(str(exc), "error")
    return response


@blueprint.post("/dossiers/<int:dossier_id>/frais/exoneration")
@login_required
def waive(dossier_id: int):
    form = WaiveForm()

    def run(fee):
        services.waive(fee, actor=current_user, reason=form.reason.data)
        return _("Les frais sont exonérés.")

    return _action(dossier_id, "waive_form", form, run)


@blueprint.route("/frais/releve", methods=["GET", "POST"])
@login_required
def statement():
    from core.policy import require

    require(current_user, "backoffice.list")
    form = StatementForm()
    report = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            raw = form.statement.data.read(statements.MAX_STATEMENT_SIZE + 1)
            if len(raw) > statements.MAX_STATEMENT_SIZE:
                form.statement.errors.append(_("Le relevé dépasse 5 Mo."))
                status = 422
            else:
                report = statements.import_statement(statements.decode_statement(raw), actor=current_user)
        else:
            status = 422
    return render_template("fees/statement.html", form=form, report=report), status


@blueprint.route("/frais/tiers/<token>", methods=["GET", "POST"])
def payer(token: str):
    fee = services.fee_from_token(token)
    form = PurchaseOrderForm(obj=None) if request.method == "POST" else PurchaseOrderForm(
        payer_name=fee.payer_name, payer_siret=fee.payer_siret, payer_address=fee.payer_address,
        purchase_order=fee.purchase_order)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.record_purchase_order(fee, purchase_order=form.purchase_order.data,
                                               siret=form.payer_siret.data, name=form.payer_name.data,
                                               address=form.payer_address.data)
                db.session.commit()
                flash(_("Bon de commande enregistré. La facture sera établie à votre nom à réception du virement."),
                      "success")
                return redirect(url_for("fees.payer", token=token))
            except UserError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                status = exc.status
        else:
            status = 422
    return render_template("fees/payer.html", fee=fee, form=form, cert=get_certification(fee.dossier.certification_code),
                           providers=services.provider_options(fee),
                           start_url=lambda key: url_for("fees.payer_start_payment", token=token, key=key),
                           format_cents=format_cents, FeeState=FeeState), status


@blueprint.post("/dossiers/<int:dossier_id>/frais/payer/<key>")
@login_required
def start_payment(dossier_id: int, key: str):
    """The candidate pays online: sent to the provider's page (``start``)."""
    dossier = services.get_dossier_for_fee(current_user, dossier_id, "fee.pay")
    if dossier.candidate_id != current_user.id:
        raise NotFound()
    fee = services.ensure_request(dossier, actor=current_user)
    if fee is None:
        raise NotFound()
    return _start(fee, key, url_for("fees.dossier_fee", dossier_id=dossier_id, _external=True), current_user,
                  url_for("fees.dossier_fee", dossier_id=dossier_id))


@blueprint.post("/frais/tiers/<token>/payer/<key>")
def payer_start_payment(token: str, key: str):
    """The third-party payer pays online, through its signed link."""
    fee = services.fee_from_token(token)
    back = url_for("fees.payer", token=token)
    return _start(fee, key, url_for("fees.payer", token=token, _external=True), None, back)


def _start(fee, key: str, return_url: str, actor, back: str):
    try:
        url = services.start_payment(fee, key, return_url=return_url, actor=actor)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(str(exc), "error")
        return redirect(back)
    return redirect(url)


@blueprint.post("/frais/notifications/<key>")
@csrf.exempt
def provider_notification(key: str):
    """A provider's callback (no session, no CSRF token: the provider checks its own signature)."""
    try:
        fee = services.handle_notification(key, request)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        return {"error": exc.code, "message": str(exc)}, exc.status
    if fee is not None:
        services.queue_receipt(fee)
    return {"ok": True, "paid": fee is not None}
