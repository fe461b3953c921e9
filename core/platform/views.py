"""Pages of the platform's administration: organisations and the certifications granted to them."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import UserError
from core.extensions import db
from core.platform import services
from core.platform.blueprint import blueprint
from core.platform.forms import ActionForm, GrantForm


def _grant_form(org, formdata=None) -> GrantForm:
    form = GrantForm(formdata=formdata) if formdata is not None else GrantForm()
    certs = sorted(current_app.extensions["livret"].certifications.values(), key=lambda c: c.code)
    form.certification.choices = [(c.code, f"{c.code} – {c.title}") for c in certs]
    return form


@blueprint.get("/organisations")
@login_required
def organisations():
    return render_template("platform/organisations.html", organisations=services.organisations(current_user),
                           requests=services.pending_requests(current_user))


def _organisation_page(org, form=None, status=200):
    certs = current_app.extensions["livret"].certifications
    return render_template("platform/organisation.html", organisation=org, certs=certs,
                           links=sorted(org.certifications, key=lambda link: link.certification_code),
                           form=form or _grant_form(org), action_form=ActionForm()), status


@blueprint.get("/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    return _organisation_page(services.organisation_for(current_user, organisation_id))


@blueprint.post("/organisations/<int:organisation_id>/certifications")
@login_required
def grant(organisation_id: int):
    org = services.organisation_for(current_user, organisation_id)
    form = _grant_form(org, request.form)
    if not form.validate():
        return _organisation_page(org, form, 422)
    try:
        services.grant(org, form.certification.data, services.parse_role(form.role.data), actor=current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _organisation_page(services.organisation_for(current_user, organisation_id), form, exc.status)
    flash(_("La certification %(code)s est accordée à %(org)s.", code=form.certification.data, org=org.name),
          "success")
    return redirect(url_for("platform.organisation", organisation_id=org.id))


@blueprint.post("/organisations/<int:organisation_id>/certifications/<code>/retirer")
@login_required
def withdraw(organisation_id: int, code: str):
    org = services.organisation_for(current_user, organisation_id)
    if not ActionForm().validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return _organisation_page(org, status=400)
    try:
        services.withdraw(org, code, actor=current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _organisation_page(services.organisation_for(current_user, organisation_id), status=exc.status)
    flash(_("La certification %(code)s n'est plus accordée à %(org)s.", code=code, org=org.name), "success")
    return redirect(url_for("platform.organisation", organisation_id=org.id))
