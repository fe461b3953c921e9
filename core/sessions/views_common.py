"""Shared pieces of the sessions pages: the managed session, refusals shown on a form, one-button actions
and the session page itself (re-rendered with errors by several actions)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import UserError
from core.extensions import db
from core.jury import services as jury
from core.jury.models import ATTENDANCE_LABELS, Attendance, SessionStatus
from core.sessions import members, services
from core.sessions.forms import CandidateForm, EmptyForm, ObservationsForm, attach_errors
from core.sessions.regulation import regulation_of
from forms.fields import choices


def _managed(session_id: int):
    return jury.get_session_for(current_user, session_id, manage=True)


def _failed(form, exc: UserError) -> None:
    """Roll back and show a refusal on the form: per field for a 422, as a form error otherwise."""
    db.session.rollback()
    if exc.status != 422 or not attach_errors(form, exc.details) or not exc.details:
        form.form_errors.append(str(exc))


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
