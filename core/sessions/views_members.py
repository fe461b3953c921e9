"""Pages of the session's members: candidates (add, remove, order, slot), jurors (add, edit, remove) and
the jurors' declarations. Same blueprint (``sessions``) and endpoint names as :mod:`core.sessions.views`."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import NotFound, UserError
from core.extensions import db
from core.jury import services as jury
from core.jury.models import SessionStatus
from core.sessions import members, services
from core.sessions.blueprint import blueprint
from core.sessions.forms import CandidateForm, EmptyForm, JurorEditForm, JurorForm, SlotForm, name_the_field
from core.sessions.views_common import _failed, _managed, _render_session, _simple_action


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
