"""Pages of the deliberation area: the session's overview and one candidate's deliberation."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.routing import BuildError
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.deliberation import forms, services
from core.deliberation.blueprint import blueprint
from core.deliberation.results import result_of, sealed_decision_of
from core.errors import UserError
from core.extensions import db
from core.jury import services as jury

blueprint.add_app_template_global(sealed_decision_of, "sealed_decision_of")
blueprint.add_app_template_global(result_of, "dossier_result")


def link(endpoint: str, **values) -> str | None:
    """The URL of another jury area's page, or ``None`` when that area does not serve it."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _load(session_id: int, candidate_id: int):
    session = jury.get_session_for(current_user, session_id)
    candidate = jury.get_candidate_for(current_user, session, candidate_id)
    return services.deliberation_of(session, candidate)


def _render(delib, form=None, status: int = 200):
    if form is None:
        form = forms.build_form(delib.cert, delib.grid, data=forms.defaults(
            delib.cert, delib.grid, delib.consolidation, delib.proposal, delib.decision))
    return render_template(
        "deliberation/candidate.html", d=delib, form=form, absence_form=forms.AbsenceForm(),
        can_record=services.may_record(current_user, delib.session) and not delib.locked and delib.ready,
        is_juror=services.may_record(current_user, delib.session),
        is_manager=jury.manages(current_user, delib.session), link=link,
        only_split=request.args.get("desaccords") == "1",
        outcome_label=lambda code: services.outcome_label(delib.grid, code),
        vae_label=lambda code: services.vae_label(delib.cert, code)), status


@blueprint.get("/<int:session_id>/deliberation")
@login_required
def session_overview(session_id: int):
    session = jury.get_session_for(current_user, session_id)
    cert = jury.certification_of(session)
    return render_template("deliberation/session.html", session=session, cert=cert,
                           rows=services.overview(session), locked=jury.decisions_locked(session),
                           is_juror=services.may_record(current_user, session), link=link)


@blueprint.get("/<int:session_id>/candidats/<int:candidate_id>/deliberation")
@login_required
def candidate(session_id: int, candidate_id: int):
    return _render(_load(session_id, candidate_id))


def _refused(delib, form, exc: UserError):
    db.session.rollback()
    details = exc.details if isinstance(exc.details, dict) else {}
    if details.get("fields"):
        form.attach_errors(details["fields"])
    else:
        form.form_errors.append(str(exc))
    return _render(delib, form=form, status=exc.status)


@blueprint.post("/<int:session_id>/candidats/<int:candidate_id>/deliberation")
@login_required
def record(session_id: int, candidate_id: int):
    delib = _load(session_id, candidate_id)
    form = forms.build_form(delib.cert, delib.grid)
    if not form.validate_on_submit():  # CSRF only: everything else is checked by the service
        return _render(delib, form=form, status=400)
    decision, typing_errors = form.read(delib.grid)
    if typing_errors:
        form.attach_errors(typing_errors)
        return _render(delib, form=form, status=422)
    try:
        row = services.record_decision(delib, current_user, decision)
        db.session.commit()
    except UserError as exc:
        return _refused(delib, form, exc)
    flash(_("Décision enregistrée pour %(name)s : « %(label)s ».", name=delib.candidate.dossier.candidate.full_name,
            label=services.outcome_label(delib.grid, row.outcome)), "success")
    return redirect(url_for("deliberation.candidate", session_id=session_id, candidate_id=candidate_id))


@blueprint.post("/<int:session_id>/candidats/<int:candidate_id>/absence")
@login_required
def absence(session_id: int, candidate_id: int):
    delib = _load(session_id, candidate_id)
    form = forms.AbsenceForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return redirect(url_for("deliberation.candidate", session_id=session_id, candidate_id=candidate_id))
    try:
        services.record_absence(delib, current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render(delib, status=exc.status)
    flash(_("Absence enregistrée pour %(name)s.", name=delib.candidate.dossier.candidate.full_name), "success")
    return redirect(url_for("deliberation.candidate", session_id=session_id, candidate_id=candidate_id))
