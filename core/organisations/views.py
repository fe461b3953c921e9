"""Organisation settings pages (certifier admin) and the certifier's figures (staff and admin)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import UserError
from core.extensions import db
from core.form_errors import apply_errors
from core.organisations import services
from core.organisations.blueprint import blueprint
from core.organisations import seals
from core.organisations.forms import DetailsForm, EmptyForm, InviteForm, SealForm, TsaForm
from core.organisations.seal_checks import MAX_PKCS12_SIZE


def _settings_page(org, status=200, details_form=None, invite_form=None, seal_form=None, tsa_form=None,
                   typed_certifications=None):
    overview = services.certifications_overview(org, typed_certifications)
    certifications, requested, requestable = overview.granted, overview.requested, overview.requestable
    seal_status = seals.seal_status(org)
    return render_template(
        "organisations/settings.html", organisation=org, certifications=certifications, requested=requested,
        requestable=requestable,
        staff=services.staff_of(org),
        details_form=details_form or DetailsForm(obj=org),
        invite_form=invite_form or InviteForm(), action_form=EmptyForm(),
        seal_status=seal_status, seal_form=seal_form or SealForm(),
        seal_chain=seals.chain_of(seal_status.seal) if seal_status.seal else [],
        tsa_form=tsa_form or TsaForm(data={"tsa_url": seal_status.tsa_url}),
        seal_max_kb=MAX_PKCS12_SIZE // 1024), status


@blueprint.get("/organisation")
@login_required
def settings():
    return _settings_page(services.organisation_for_admin(current_user))




@blueprint.post("/organisation/coordonnees")
@login_required
def update_details():
    org = services.organisation_for_admin(current_user)
    form = DetailsForm()
    if not form.validate_on_submit():
        return _settings_page(org, 422, details_form=form)
    try:
        changed = services.update_details(org, actor=current_user, name=form.name.data,
                                          contact_email=form.contact_email.data, address=form.address.data,
                                          siret=form.siret.data)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _settings_page(services.organisation_for_admin(current_user), exc.status, details_form=form)
    flash(_("Les coordonnées de l'organisme ont été enregistrées.") if changed
          else _("Aucune modification à enregistrer."), "success")
    return redirect(url_for("organisations.settings"))


@blueprint.post("/organisation/certifications")
@login_required
def update_certifications():
    org = services.organisation_for_admin(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return _settings_page(org, 400)
    wanted = set(request.form.getlist("certifications"))
    done, refused = services.set_enabled_certifications(org, wanted, actor=current_user)
    if refused:  # all or nothing: the boxes stay as typed, nothing is recorded
        db.session.rollback()
        for exc in refused:
            flash(str(exc), "error")
        return _settings_page(services.organisation_for_admin(current_user), refused[0].status,
                              typed_certifications=wanted)
    db.session.commit()
    if done:
        flash(_("Certifications mises à jour : %(codes)s.", codes=", ".join(done)), "success")
    else:
        flash(_("Aucune modification à enregistrer."), "success")
    return redirect(url_for("organisations.settings"))


@blueprint.post("/organisation/certifications/demande")
@login_required
def request_certification():
    org = services.organisation_for_admin(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return _settings_page(org, 400)
    code = request.form.get("certification", "")
    try:
        services.request_certification(org, code, actor=current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _settings_page(services.organisation_for_admin(current_user), exc.status)
    flash(_("Votre demande pour la certification %(code)s est transmise à l'administration de la plateforme.",
            code=code), "success")
    return redirect(url_for("organisations.settings", _anchor="certifications-title"))


@blueprint.post("/organisation/equipe")
@login_required
def invite():
    org = services.organisation_for_admin(current_user)
    form = InviteForm()
    if not form.validate_on_submit():
        return _settings_page(org, 422, invite_form=form)
    try:
        user = services.invite_staff(org, actor=current_user, email=form.email.data,
                                     first_name=form.first_name.data, last_name=form.last_name.data)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _settings_page(services.organisation_for_admin(current_user), exc.status, invite_form=form)
    flash(_("Le compte de %(name)s a été créé ; un lien pour choisir son mot de passe lui a été envoyé à %(email)s.",
            name=user.full_name, email=user.email), "success")
    return redirect(url_for("organisations.settings"))


@blueprint.post("/organisation/equipe/<int:user_id>/desactiver")
@login_required
def deactivate(user_id: int):
    org = services.organisation_for_admin(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return _settings_page(org, 400)
    try:
        user = services.deactivate_staff(org, user_id, actor=current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(str(exc), "error")
        return _settings_page(services.organisation_for_admin(current_user), exc.status)
    flash(_("Le compte de %(name)s est désactivé.", name=user.full_name), "success")
    return redirect(url_for("organisations.settings"))


@blueprint.get("/tableau-de-bord")
@login_required
def figures():
    org = services.organisation_for_staff(current_user)
    from core.deliberation.results import results_by_certification

    return render_template("organisations/figures.html", organisation=org, **services.dashboard_figures(org),
                           results=results_by_certification(org))


@blueprint.post("/organisation/cachet")
@login_required
def upload_seal():
    org = services.organisation_for_admin(current_user)
    form = SealForm()
    if not form.validate_on_submit():
        return _settings_page(org, 422, seal_form=form)
    upload = request.files.get("pkcs12")
    data = upload.stream.read(MAX_PKCS12_SIZE + 1) if upload else b""
    try:
        seal = seals.upload_seal(org, actor=current_user, data=data, password=form.password.data or "")
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _settings_page(services.organisation_for_admin(current_user), exc.status, seal_form=form)
    flash(_("Le certificat de cachet « %(name)s » est enregistré : les documents de l'organisme seront "
            "désormais scellés avec lui.", name=seal.subject_cn or seal.subject), "success")
    return redirect(url_for("organisations.settings", _anchor="cachet-title"))


@blueprint.post("/organisation/cachet/retirer")
@login_required
def remove_seal():
    org = services.organisation_for_admin(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return _settings_page(org, 400)
    removed = seals.remove_seal(org, actor=current_user)
    db.session.commit()
    flash(_("Le certificat de cachet de l'organisme est retiré : le cachet de la plateforme est de nouveau "
            "utilisé.") if removed else _("Aucun certificat de cachet n'était enregistré."), "success")
    return redirect(url_for("organisations.settings", _anchor="cachet-title"))


@blueprint.post("/organisation/horodatage")
@login_required
def update_tsa():
    org = services.organisation_for_admin(current_user)
    form = TsaForm()
    if not form.validate_on_submit():
        return _settings_page(org, 422, tsa_form=form)
    try:
        changed = seals.set_tsa_url(org, actor=current_user, url=form.tsa_url.data or "")
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return _settings_page(services.organisation_for_admin(current_user), exc.status, tsa_form=form)
    if not changed:
        flash(_("Aucune modification à enregistrer."), "success")
    elif form.tsa_url.data and form.tsa_url.data.strip():
        flash(_("Le service d'horodatage de l'organisme est enregistré."), "success")
    else:
        flash(_("Le service d'horodatage de la plateforme est de nouveau utilisé."), "success")
    return redirect(url_for("organisations.settings", _anchor="horodatage-title"))
