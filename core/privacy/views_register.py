"""Privacy pages: the register of rights requests (certifier admin, platform admin); see core/privacy/blueprint.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.auth.models import utcnow
from core.errors import ValidationFailed
from core.extensions import db
from core.form_errors import apply_errors
from core.privacy import register as services
from core.privacy.blueprint import blueprint
from core.privacy.forms_register import HandleForm, RequestForm

REGISTER_URL = "/donnees-personnelles/demandes"




def _register_page(form: RequestForm | None = None, status: int = 200):
    chosen = services.parse_filter(request.args.get("status"))
    page = services.list_requests(current_user, chosen, page=request.args.get("page", 1, type=int) or 1)
    return render_template("privacy/register_list.html", page=page, chosen=chosen, form=form or RequestForm(),
                           filters=services.FILTERS, filter_labels=services.FILTER_LABELS, now=utcnow(),
                           services=services), status


@blueprint.get(REGISTER_URL)
@login_required
def register():
    return _register_page()


@blueprint.post(REGISTER_URL)
@login_required
def create_request():
    form = RequestForm()
    if not form.validate():
        return _register_page(form, 422)
    try:
        row = services.record_request(
            current_user, kind=form.kind.data or "", channel=form.channel.data or "", details=form.details.data or "",
            subject_email=form.subject_email.data or "", subject_label=form.subject_label.data or "",
            received_on=form.received_on.data)
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _register_page(form, exc.status)
    flash(_("Demande enregistrée : réponse attendue au plus tard le %(date)s.",
            date=services.to_paris(row.due_at).strftime("%d/%m/%Y")), "success")
    return redirect(url_for("privacy.request", request_id=row.id))


def _request_page(row, form: HandleForm | None = None, status: int = 200):
    return render_template("privacy/register_request.html", row=row, form=form or HandleForm(), now=utcnow(),
                           services=services), status


@blueprint.get(REGISTER_URL + "/<int:request_id>", endpoint="request")
@login_required
def show_request(request_id: int):
    return _request_page(services.get_request(current_user, request_id))


@blueprint.post(REGISTER_URL + "/<int:request_id>")
@login_required
def handle_request(request_id: int):
    row = services.get_request(current_user, request_id)
    form = HandleForm()
    if not form.validate():
        return _request_page(row, form, 422)
    try:
        services.handle_request(current_user, row, status=form.status.data or "", response=form.response.data or "")
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _request_page(services.get_request(current_user, request_id), form, exc.status)
    flash(_("La demande est close : la réponse est enregistrée dans le registre."), "success")
    return redirect(url_for("privacy.register"))

