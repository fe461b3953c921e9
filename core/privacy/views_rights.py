"""Privacy pages: the person's own data, self-service (see core/privacy/blueprint.py and docs/privacy.md).

From the account page (« Mes données personnelles », ``privacy/_account_rights.html``):

- ``POST /compte/donnees/export``: the ZIP of everything held about the person (:mod:`core.privacy.export`);
- ``/compte/donnees/rectification``: what can be corrected where, the form « Demander une rectification »
  (or an objection) for sealed data, and the person's requests;
- ``/compte/supprimer``: what erasing the account deletes and keeps (why, until when), then the erasure
  with the password typed again (:mod:`core.privacy.erasure`).

The API counterparts are in :mod:`core.privacy.api_rights` (``/api/v1/me/...``).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.auth import attempts
from core.auth.forms import ConfirmForm
from core.errors import UserError
from core.extensions import db
from core.privacy.blueprint import blueprint  # noqa: F401
from core.privacy.forms_rights import ErasureForm, RightsRequestForm
from core.privacy.self_service import dossiers_of, requests_of, sealed_dossiers


@blueprint.post("/compte/donnees/export")
@login_required
def export():
    from core.auth.account import _render_account
    from core.privacy.export import ExportTooFrequent, export_response

    if not ConfirmForm().validate_on_submit():
        return _render_account(status=400)
    try:
        return export_response(current_user)
    except ExportTooFrequent as exc:
        flash(str(exc), "error")
        return _render_account(status=exc.status)


def _rectification_page(form: RightsRequestForm | None = None, status: int = 200):
    dossiers = sealed_dossiers(current_user)
    if form is None:
        form = RightsRequestForm(formdata=None).prepare(dossiers, preselect=True)
    else:
        form.prepare(dossiers)
    return render_template("privacy/rights_rectification.html", form=form, dossiers=dossiers,
                           drafts=[d for d in dossiers_of(current_user) if d.editable],
                           requests=requests_of(current_user)), status


@blueprint.route("/compte/donnees/rectification", methods=["GET", "POST"])
@login_required
def rectification():
    from core.privacy.self_service import create_request

    form = RightsRequestForm()
    if not form.is_submitted():
        return _rectification_page()
    form.prepare(sealed_dossiers(current_user))
    if not form.validate_on_submit():
        return _rectification_page(form, 422)
    dossier_id = int(form.dossier.data) if (form.dossier.data or "").isdigit() else None
    try:
        row = create_request(current_user, kind=form.kind.data, details=form.details.data, dossier_id=dossier_id)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        fields = {"kind": form.kind, "details": form.details, "dossier_id": form.dossier}
        details = exc.details if isinstance(exc.details, dict) else {"details": [str(exc)]}
        for key, messages in details.items():
            fields.get(key, form.details).errors.extend(str(m) for m in messages)
        return _rectification_page(form, exc.status)
    flash(_("Votre demande est enregistrée. L'organisme doit vous répondre au plus tard le %(date)s.",
            date=_local_date(row.due_at)), "success")
    return redirect(url_for("privacy.rectification") + "#demandes")


def _local_date(value) -> str:
    from core.templating import local_date

    return local_date(value)


def _erase_page(form: ErasureForm | None = None, status: int = 200):
    from core.privacy.erasure_plan import plan

    return render_template("privacy/rights_erase.html", plan=plan(current_user),
                           form=form or ErasureForm(formdata=None)), status


@blueprint.route("/compte/supprimer", methods=["GET", "POST"])
@login_required
def erase():
    from core.auth.sessions import end_login_session
    from core.privacy.erasure import erase as erase_account

    form = ErasureForm()
    if not form.is_submitted():
        return _erase_page()
    if not form.validate_on_submit():
        return _erase_page(form, 422)
    try:
        done = erase_account(current_user, form.password.data or "")
    except UserError as exc:
        db.session.rollback()
        if isinstance(exc.details, dict) and "password" in exc.details:
            form.password.errors.extend(str(m) for m in exc.details["password"])
        else:
            flash(str(exc), "error")
        return _erase_page(form, attempts.status_or(exc.status))
    end_login_session()
    return render_template("privacy/rights_erased.html", done=done)
