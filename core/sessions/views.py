"""Pages of the sessions area: the session manager plans, opens and runs jury
sessions; jurors make their declarations.

Every page loads the session with :func:`core.jury.services.get_session_for`
(``manage=True`` for the manager's pages): anybody else gets a 404.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.auth.models import Role
from core.errors import NotFound, UserError
from core.extensions import db
from core.jury import services as jury
from core.jury.models import ATTENDANCE_LABELS, Attendance, SessionStatus
from core.sessions import members, services
from core.sessions.regulation import regulation_of
from core.sessions.blueprint import blueprint
from core.sessions.forms import (
    CandidateForm,
    EmptyForm,
    JurorEditForm,
    JurorForm,
    ObservationsForm,
    SessionForm,
    SlotForm,
    attach_errors,
    name_the_field,
    schedule_form,
)
from forms.fields import choices

LIST_ROLES = (Role.SESSION_MANAGER, Role.JUROR, Role.CERTIFIER_STAFF, Role.CERTIFIER_ADMIN)


@blueprint.app_template_global("jury_sessions_of")
def jury_sessions_of(user):
    """The sessions ``user`` may see (for the dashboards)."""
    return jury.sessions_of(user)


def _managed(session_id: int):
    return jury.get_session_for(current_user, session_id, manage=True)


def _failed(form, exc: UserError) -> None:
    """Roll back and show a refusal on the form: per field for a 422, as a form error otherwise."""
    db.session.rollback()
    if exc.status != 422 or not attach_errors(form, exc.details) or not exc.details:
        form.form_errors.append(str(exc))


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

def _eligible(session, query: str):
    rows = members.eligible_dossiers(session) if session.editable else []
    words = query.lower().split()
    if words:
        rows = [e for e in rows if all(w in f"{e.dossier.candidate.full_name} {e.dossier.reference or ''}".lower()
                                       for w in words)]
    return rows


def _render_session(session, status: int = 200, candidate_form=None, observations_form=None,
                    attendance_errors=None, open_problems=None):
    can_manage = jury.manages(current_user, session)
    query = (request.args.get("q") or "").strip()
    eligible = _eligible(session, query) if can_manage else []
    candidate_form = candidate_form or CandidateForm()
    candidate_form.dossier_id.choices = choices(("", _("— choisissez un dossier —")), *[
        (str(e.dossier.id), _eligible_label(e)) for e in eligible])
    blocking, warnings = services.problems_of(session)
    observations_form = observations_form or ObservationsForm(obj=session)
    return render_template(
        "sessions/session.html", session=session, cert=jury.certification_of(session), can_manage=can_manage,
        juror=jury.juror_of(session, current_user), candidates=services.ordered(session),
        steps_of=services.steps_of, hhmm=services.hhmm, counts=services.counts(session),
        blocking=blocking, warnings=warnings, open_problems=open_problems, eligible=eligible, query=query,
        candidate_form=candidate_form, observations_form=observations_form, action_form=EmptyForm(),
        attendance_errors=attendance_errors or {}, attendance_labels=ATTENDANCE_LABELS, Attendance=Attendance,
        observations_editable=services.observations_editable(session), SessionStatus=SessionStatus,
        declaration_of=members.declaration_of, regulation=regulation_of(jury.certification_of(session))), status


def _eligible_label(e) -> str:
    label = f"{e.dossier.candidate.last_name.upper()} {e.dossier.candidate.first_name} – {e.dossier.reference}"
    if e.retake:
        label += " – " + _("Rattrapage (passage n° %(n)d)", n=e.attempt)
    return label


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


def _simple_action(session, action, message: str, anchor: str = ""):
    """A button: run ``action``, commit, flash; a refusal is flashed (nothing typed to keep)."""
    if not EmptyForm().validate_on_submit():
        flash(_("Le formulaire a expiré, veuillez recommencer."), "error")
    else:
        try:
            action()
            db.session.commit()
            flash(message, "success")
        except UserError as exc:
            db.session.rollback()
            if exc.status == 404:
                raise
            flash(str(exc), "error")
    return redirect(url_for("sessions.show", session_id=session.id) + anchor)


# ---------------------------------------------------------------------------
# candidates
# ---------------------------------------------------------------------------

@blueprint.post("/<int:session_id>/candidats")
@login_required
def add_candidate(session_id: int):
    session = _managed(session_id)
    form = CandidateForm()
    if form.validate_on_submit():
        try:
            candidate = members.add_candidate(session, current_user, form.dossier_id.data)
            db.session.commit()
            flash(_("%(name)s est ajouté ou ajoutée à la session (passage n° %(n)d).",
                    name=candidate.dossier.candidate.full_name, n=candidate.position + 1), "success")
            return redirect(url_for("sessions.show", session_id=session.id) + "#candidats")
        except UserError as exc:
            _failed(form, exc)
            session = _managed(session_id)
            return _render_session(session, exc.status, candidate_form=form)
    return _render_session(session, 422, candidate_form=form)


def _candidate(session_id: int, candidate_id: int):
    session = _managed(session_id)
    return session, jury.get_candidate_for(current_user, session, candidate_id)


@blueprint.post("/<int:session_id>/candidats/<int:candidate_id>/retirer")
@login_required
def remove_candidate(session_id: int, candidate_id: int):
    session, candidate = _candidate(session_id, candidate_id)
    name = candidate.dossier.candidate.full_name
    return _simple_action(session, lambda: members.remove_candidate(session, current_user, candidate),
                          _("%(name)s est retiré ou retirée de la session.", name=name), "#candidats")


@blueprint.post("/<int:session_id>/candidats/<int:candidate_id>/monter")
@login_required
def move_up(session_id: int, candidate_id: int):
    session, candidate = _candidate(session_id, candidate_id)
    return _simple_action(session, lambda: services.move_candidate(session, current_user, candidate, -1),
                          _("L'ordre de passage est modifié ; les horaires sont recalculés."), "#candidats")


@blueprint.post("/<int:session_id>/candidats/<int:candidate_id>/descendre")
@login_required
def move_down(session_id: int, candidate_id: int):
    session, candidate = _candidate(session_id, candidate_id)
    return _simple_action(session, lambda: services.move_candidate(session, current_user, candidate, 1),
                          _("L'ordre de passage est modifié ; les horaires sont recalculés."), "#candidats")


@blueprint.route("/<int:session_id>/candidats/<int:candidate_id>/horaire", methods=["GET", "POST"])
@login_required
def slot(session_id: int, candidate_id: int):
    session, candidate = _candidate(session_id, candidate_id)
    if request.method == "GET":
        start = services.local(candidate.starts_at or session.starts_at)
        form = SlotForm(data={"day": start.date(), "clock": start.time().replace(tzinfo=None)})
        return render_template("sessions/slot.html", session=session, candidate=candidate, form=form)
    form, status = SlotForm(), 422
    if form.validate_on_submit():
        try:
            services.set_slot(session, current_user, candidate, form.day.data, form.clock.data)
            db.session.commit()
            flash(_("L'horaire de passage de %(name)s est enregistré.", name=candidate.dossier.candidate.full_name),
                  "success")
            return redirect(url_for("sessions.show", session_id=session.id) + "#candidats")
        except UserError as exc:
            _failed(form, exc)
            status = exc.status
            session, candidate = _candidate(session_id, candidate_id)
    return render_template("sessions/slot.html", session=session, candidate=candidate, form=form), status


# ---------------------------------------------------------------------------
# jurors
# ---------------------------------------------------------------------------

def _juror_info(form: JurorEditForm) -> members.JurorInfo:
    return members.JurorInfo(position=form.position.data, company=form.company.data,
                             professional=form.professional.data == "1",
                             experience_years=form.experience_years.data,
                             external={"1": True, "0": False}.get(form.external.data))


def _juror_page(session, form, juror, status: int = 200):
    name_the_field(form, jury.certification_of(session))
    return render_template("sessions/juror.html", session=session, form=form, juror=juror), status


@blueprint.route("/<int:session_id>/jures/ajouter", methods=["GET", "POST"])
@login_required
def add_juror(session_id: int):
    session = _managed(session_id)
    form, status = JurorForm(), 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                juror, invited = members.add_juror(session, current_user, email=form.email.data,
                                                   info=_juror_info(form), first_name=form.first_name.data,
                                                   last_name=form.last_name.data)
                db.session.commit()
                message = _("%(name)s fait partie du jury.", name=juror.user.full_name)
                if invited:
                    message += " " + _("Un compte de membre de jury a été créé ; un lien pour choisir son mot de "
                                       "passe a été envoyé à %(email)s.", email=juror.user.email)
                flash(message, "success")
                return redirect(url_for("sessions.show", session_id=session.id) + "#jury")
            except UserError as exc:
                _failed(form, exc)
                status = exc.status
                session = _managed(session_id)
    return _juror_page(session, form, None, status)


@blueprint.route("/<int:session_id>/jures/<int:juror_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_juror(session_id: int, juror_id: int):
    session = _managed(session_id)
    juror = members.get_juror_for(session, juror_id)
    if request.method == "GET":
        form = JurorEditForm(data={"position": juror.position, "company": juror.company,
                                   "professional": "1" if juror.professional else "0",
                                   "experience_years": juror.experience_years,
                                   "external": {True: "1", False: "0"}.get(juror.external)})
        return _juror_page(session, form, juror)
    form, status = JurorEditForm(), 422
    if form.validate_on_submit():
        try:
            members.update_juror(session, current_user, juror, _juror_info(form))
            db.session.commit()
            flash(_("Les informations de %(name)s sont enregistrées.", name=juror.user.full_name), "success")
            return redirect(url_for("sessions.show", session_id=session.id) + "#jury")
        except UserError as exc:
            _failed(form, exc)
            status = exc.status
            session = _managed(session_id)
            juror = members.get_juror_for(session, juror_id)
    return _juror_page(session, form, juror, status)


@blueprint.post("/<int:session_id>/jures/<int:juror_id>/retirer")
@login_required
def remove_juror(session_id: int, juror_id: int):
    session = _managed(session_id)
    juror = members.get_juror_for(session, juror_id)
    name = juror.user.full_name
    return _simple_action(session, lambda: members.remove_juror(session, current_user, juror),
                          _("%(name)s est retiré ou retirée du jury.", name=name), "#jury")


# ---------------------------------------------------------------------------
# declarations (jurors)
# ---------------------------------------------------------------------------

def _declaring_session(session_id: int):
    session = jury.get_session_for(current_user, session_id)
    if not jury.sits_on(current_user, session):
        raise NotFound(code="session_not_found")
    return session


@blueprint.route("/<int:session_id>/declarations", methods=["GET", "POST"])
@login_required
def declarations(session_id: int):
    session = _declaring_session(session_id)
    status, errors = 200, []
    if request.method == "POST":
        entries = [{"candidate_id": c.id, "no_link": request.form.get(f"c{c.id}-no_link") == "y",
                    "no_training": request.form.get(f"c{c.id}-no_training") == "y"}
                   for c in services.ordered(session) if request.form.get(f"c{c.id}-shown") == "1"]
        if not EmptyForm().validate_on_submit():
            errors, status = [_("Le formulaire a expiré, veuillez recommencer.")], 400
        else:
            try:
                saved = members.declare(session, current_user, entries)
                db.session.commit()
                conflicts = sum(1 for d in saved if not d.clear)
                if conflicts:
                    flash(_("Vos déclarations sont enregistrées. Vous déclarez un lien ou une participation à la "
                            "formation pour %(n)d candidat(s) : le responsable de session en est informé.",
                            n=conflicts), "warning")
                else:
                    flash(_("Vos déclarations sont enregistrées."), "success")
                return redirect(url_for("sessions.declarations", session_id=session.id))
            except UserError as exc:
                db.session.rollback()
                if exc.status == 404:
                    raise
                errors, status = [str(exc)], exc.status
                session = _declaring_session(session_id)
    return render_template("sessions/declarations.html", session=session, rows=members.declaration_rows(
        session, current_user), errors=errors, hhmm=services.hhmm, cert=jury.certification_of(session),
        can_declare=session.status in (SessionStatus.DRAFT, SessionStatus.OPEN)), status


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
