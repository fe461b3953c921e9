"""Pages of the sessions area: the session manager plans, opens and runs jury
sessions; jurors make their declarations.

Every page loads the session with :func:`core.jury.services.get_session_for`
(``manage=True`` for the manager's pages): anybody else gets a 404.

The pages of candidates, jurors and declarations are in :mod:`core.sessions.views_members`, the shared
helpers in :mod:`core.sessions.views_common` (same blueprint, same endpoint names; re-exported here).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.auth.models import Role
from core.errors import NotFound, UserError
from core.extensions import db
from core.jury import services as jury
from core.sessions import services
from core.sessions.blueprint import blueprint
from core.sessions.forms import EmptyForm, ObservationsForm, SessionForm, schedule_form
from core.sessions.views_common import (
    _eligible, _eligible_label, _failed, _managed, _render_session, _simple_action)
from forms.fields import choices

LIST_ROLES = (Role.SESSION_MANAGER, Role.JUROR, Role.CERTIFIER_STAFF, Role.CERTIFIER_ADMIN)


@blueprint.app_template_global("jury_sessions_of")
def jury_sessions_of(user):
    """The sessions ``user`` may see (for the dashboards)."""
    return jury.sessions_of(user)


# ---------------------------------------------------------------------------
# list, creation, information
# ---------------------------------------------------------------------------

@blueprint.get("")
@login_required
def index():
    if current_user.role not in LIST_ROLES:
        raise NotFound()
    no_organisation = current_user.role is Role.SESSION_MANAGER and current_user.organisation_id is None
    sessions = jury.sessions_of(current_user)
    return render_template("sessions/list.html", sessions=sessions, no_organisation=no_organisation,
                           counts={s.id: services.counts(s) for s in sessions},
                           can_create=current_user.role is Role.SESSION_MANAGER and not no_organisation)


def _info_from(form: SessionForm) -> services.SessionInfo:
    return services.SessionInfo(title=form.title.data, day=form.day.data, clock=form.clock.data,
                                ends_on=form.ends_on.data, centre=form.centre.data, address=form.address.data,
                                video_link=form.video_link.data, manager_position=form.manager_position.data)


def _create_page(form: SessionForm, org, status: int = 200):
    certs = services.enabled_certifications(org)
    form.certification.choices = choices(("", _("— choisissez —")), *[(c.code, f"{c.code} – {c.title}")
                                                                      for c in certs])
    return render_template("sessions/edit.html", form=form, session=None, certifications=certs,
                           organisation=org), status


@blueprint.route("/nouvelle", methods=["GET", "POST"])
@login_required
def create():
    org = services.manager_organisation(current_user)
    form = SessionForm()
    if request.method == "GET":
        form.centre.data = org.name
        return _create_page(form, org)
    if not form.validate_on_submit():
        return _create_page(form, org, 422)
    try:
        session = services.create_session(current_user, certification_code=form.certification.data or "",
                                          info=_info_from(form))
        db.session.commit()
    except UserError as exc:
        _failed(form, exc)
        return _create_page(form, services.manager_organisation(current_user), exc.status)
    flash(_("La session « %(t)s » est créée, avec le déroulé type de la certification. Ajoutez maintenant les "
            "candidats et les jurés.", t=session.title), "success")
    return redirect(url_for("sessions.show", session_id=session.id))


@blueprint.route("/<int:session_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(session_id: int):
    session = _managed(session_id)
    if not session.editable:
        flash(_("La session est au statut « %(s)s » : ses informations ne peuvent plus changer.",
                s=session.status.label), "error")
        return redirect(url_for("sessions.show", session_id=session.id))
    form = SessionForm(obj=services.info_of(session)) if request.method == "GET" else SessionForm()
    del form.certification
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.update_info(session, current_user, _info_from(form))
                db.session.commit()
                flash(_("Les informations de la session sont enregistrées."), "success")
                return redirect(url_for("sessions.show", session_id=session.id))
            except UserError as exc:
                _failed(form, exc)
                status = exc.status
                session = _managed(session_id)
    return render_template("sessions/edit.html", form=form, session=session,
                           cert=jury.certification_of(session)), status


# ---------------------------------------------------------------------------
# the session page
# ---------------------------------------------------------------------------

@blueprint.get("/<int:session_id>")
@login_required
def show(session_id: int):
    return _render_session(jury.get_session_for(current_user, session_id))


@blueprint.post("/<int:session_id>/ouvrir")
@login_required
def open_(session_id: int):
    session = _managed(session_id)
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
        return redirect(url_for("sessions.show", session_id=session.id))
    try:
        services.open_session(session, current_user)
    except UserError as exc:
        db.session.rollback()
        session = _managed(session_id)
        problems = (exc.details or {}).get("problems") if isinstance(exc.details, dict) else None
        if not problems:
            problems = [{"message": str(exc), "rule": exc.code}]
        return _render_session(session, exc.status, open_problems=problems)
    flash(_("La session est ouverte : les dossiers sont convoqués, les candidats et les jurés ont reçu leur "
            "convocation par courriel. Les jurés, les candidats et le déroulé sont désormais figés."), "success")
    return redirect(url_for("sessions.show", session_id=session.id))


# ---------------------------------------------------------------------------
# schedule and slots
# ---------------------------------------------------------------------------

@blueprint.route("/<int:session_id>/deroule", methods=["GET", "POST"])
@login_required
def schedule(session_id: int):
    session = _managed(session_id)
    form, status = schedule_form(session.schedule), 200
    if request.method == "POST":
        form, status = schedule_form(), 422
        if form.validate_on_submit():
            try:
                services.set_schedule(session, current_user, form.rows())
                db.session.commit()
                flash(_("Le déroulé est enregistré ; les horaires de passage sont recalculés."), "success")
                return redirect(url_for("sessions.show", session_id=session.id) + "#deroule")
            except UserError as exc:
                _failed(form, exc)
                status = exc.status
                session = _managed(session_id)
    return render_template("sessions/schedule.html", session=session, form=form,
                           cert=jury.certification_of(session), action_form=EmptyForm()), status


@blueprint.post("/<int:session_id>/deroule/modele")
@login_required
def reset_schedule(session_id: int):
    session = _managed(session_id)
    return _simple_action(session, lambda: services.reset_schedule(session, current_user),
                          _("Le déroulé type de la certification est rétabli ; les horaires sont recalculés."),
                          "#deroule")


# ---------------------------------------------------------------------------
# during the session
# ---------------------------------------------------------------------------

@blueprint.post("/<int:session_id>/presences")
@login_required
def attendance(session_id: int):
    session = _managed(session_id)
    values = {c.id: request.form.get(f"attendance-{c.id}") for c in session.candidates
              if request.form.get(f"attendance-{c.id}")}
    if not EmptyForm().validate_on_submit():
        return _render_session(session, 400, attendance_errors={"form": [_("Le formulaire a expiré, veuillez "
                                                                            "recommencer.")]})
    try:
        changed = services.set_attendance(session, current_user, values)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        session = _managed(session_id)
        details = exc.details if exc.status == 422 and isinstance(exc.details, dict) else {}
        return _render_session(session, exc.status, attendance_errors=details or {"form": [str(exc)]})
    flash(_("Présences enregistrées (%(n)d modification(s)).", n=len(changed)), "success")
    return redirect(url_for("sessions.show", session_id=session.id) + "#presences")


@blueprint.post("/<int:session_id>/observations")
@login_required
def observations(session_id: int):
    session = _managed(session_id)
    form = ObservationsForm()
    if not form.validate_on_submit():
        return _render_session(session, 422, observations_form=form)
    try:
        services.set_observations(session, current_user, observations=form.observations.data,
                                  manager_position=form.manager_position.data)
        db.session.commit()
    except UserError as exc:
        _failed(form, exc)
        return _render_session(_managed(session_id), exc.status, observations_form=form)
    flash(_("Vos observations sont enregistrées."), "success")
    return redirect(url_for("sessions.show", session_id=session.id) + "#section-observations")


# The pages of the members (candidates, jurors, declarations), on the same blueprint.
from core.sessions.views_members import (  # noqa: E402
    _candidate, _declaring_session, _juror_info, _juror_page, add_candidate, add_juror, declarations, edit_juror,
    move_down, move_up, remove_candidate, remove_juror, slot)

__all__ = [
    "LIST_ROLES", "jury_sessions_of", "index", "create", "edit", "show", "open_", "schedule", "reset_schedule",
    "attendance", "observations",
    "_managed", "_failed", "_simple_action", "_eligible", "_render_session", "_eligible_label",
    "_info_from", "_create_page",
    "add_candidate", "_candidate", "remove_candidate", "move_up", "move_down", "slot",
    "_juror_info", "_juror_page", "add_juror", "edit_juror", "remove_juror", "_declaring_session", "declarations",
]
