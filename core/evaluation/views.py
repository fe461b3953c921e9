"""The juror's pages: their sessions, a candidate's dossier (Livret 2 and annexes), their grid."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from core.errors import Conflict, UserError, ValidationFailed
from core.evaluation import forms, grids, reading, services
from core.evaluation.blueprint import blueprint
from core.evaluation.forms import ReopenForm, grid_form
from core.extensions import db
from core.jury.models import GridStatus


@blueprint.app_template_global("juror_sessions")
def juror_sessions_global(user):
    """The sessions ``user`` sits on (for the juror's dashboard)."""
    return services.juror_sessions(user)


@blueprint.app_template_filter("grid_mark")
def grid_mark(value) -> str:
    """A mark in the reader's language (``3,5``)."""
    return grids.format_mark(value)


@blueprint.app_template_global("jury_link")
def jury_link(endpoint: str, path: str, **values) -> str:
    """``url_for(endpoint)``, or ``path`` under the application root while that page is not there."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return request.script_root + path


def _grid_states(session, user) -> dict[int, str]:
    states = {}
    for candidate in session.candidates:
        row = next((g for g in candidate.grids if g.juror_id == user.id), None)
        states[candidate.id] = row.status.value if row is not None else "new"
    return states


@blueprint.get("/")
@login_required
def index():
    return render_template("evaluation/index.html", sessions=services.juror_sessions(current_user))


@blueprint.get("/sessions/<int:session_id>")
@login_required
def session(session_id: int):
    jury_session = services.juror_session(current_user, session_id)
    return render_template("evaluation/session.html", session=jury_session,
                           refusal=services.dossiers_refusal(jury_session),
                           states=_grid_states(jury_session, current_user),
                           declared={c.id: services.declaration_for(c, current_user) is not None
                                     for c in jury_session.candidates})


@blueprint.get("/sessions/<int:session_id>/candidats/<int:candidate_id>/dossier")
@login_required
def dossier(session_id: int, candidate_id: int):
    from core.dossiers.livret import build_livret2
    from core.dossiers.services import sections_for

    jury_session, candidate = services.juror_candidate(current_user, session_id, candidate_id)
    services.require_dossiers_open(jury_session)
    cert, _grid = services.definition(jury_session)
    read = reading.reading_of(candidate, cert)
    return render_template("evaluation/dossier.html", session=jury_session, candidate=candidate, cert=cert,
                           read=read, livret=build_livret2(read.dossier, read.version, cert, sections_for(cert, read.dossier)))


@blueprint.get("/sessions/<int:session_id>/candidats/<int:candidate_id>/livret2")
@login_required
def livret2(session_id: int, candidate_id: int):
    jury_session, candidate = services.juror_candidate(current_user, session_id, candidate_id)
    services.require_dossiers_open(jury_session)
    return reading.livret2_response(current_user, candidate, download=request.args.get("telecharger") == "1")


@blueprint.get("/sessions/<int:session_id>/candidats/<int:candidate_id>/annexes/<int:number>")
@login_required
def annex(session_id: int, candidate_id: int, number: int):
    jury_session, candidate = services.juror_candidate(current_user, session_id, candidate_id)
    services.require_dossiers_open(jury_session)
    return reading.annex_response(current_user, candidate, number,
                                  download=request.args.get("telecharger") == "1")


# ---------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------

def _render_grid(jury_session, candidate, form, *, status: int = 200, summary: str | None = None):
    cert, grid_def = services.definition(jury_session)
    row = services.grid_for(candidate, current_user)
    refusal = services.editing_refusal(jury_session, candidate)
    completed = row is not None and row.status is GridStatus.COMPLETED
    done, expected = grids.answered(cert, grid_def, row.data if row is not None else {})
    return render_template(
        "evaluation/grid.html", session=jury_session, candidate=candidate, cert=cert, grid=grid_def, form=form,
        row=row, refusal=refusal, completed=completed, editable=refusal is None and not completed,
        summary=summary, answered=done, expected=expected, reopen_form=ReopenForm(),
        reading_open=services.dossiers_refusal(jury_session) is None,
        outcome_hints={o.code: o.description for o in grid_def.outcomes if o.description},
        criterion_name=forms.criterion_name, mark_name=forms.mark_name, comment_name=forms.comment_name,
        block_name=forms.block_name, score_name=forms.score_name), status


@blueprint.get("/sessions/<int:session_id>/candidats/<int:candidate_id>/grille")
@login_required
def grid(session_id: int, candidate_id: int):
    jury_session, candidate = services.juror_candidate(current_user, session_id, candidate_id)
    cert, grid_def = services.definition(jury_session)
    row = services.grid_for(candidate, current_user)
    data = row.data if row is not None else {}
    form = grid_form(cert, grid_def, data=data, revision=row.revision if row is not None else 0)
    if row is not None and row.status is GridStatus.DRAFT:
        form.attach(grids.value_problems(cert, grid_def, data))
    return _render_grid(jury_session, candidate, form)


@blueprint.post("/sessions/<int:session_id>/candidats/<int:candidate_id>/grille")
@login_required
def save_grid(session_id: int, candidate_id: int):
    jury_session, candidate = services.juror_candidate(current_user, session_id, candidate_id)
    cert, grid_def = services.definition(jury_session)
    form = grid_form(cert, grid_def, formdata=request.form)
    try:
        expected = int(form.revision.data or 0)
    except ValueError:
        expected = -1
    try:
        row, found = services.save_draft(jury_session, candidate, current_user, form.to_payload(cert, grid_def),
                                         expected_revision=expected)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        if exc.code == "stale_revision":
            # keep what was typed; saving again replaces the other version, knowingly
            form.revision.data = str((exc.details or {}).get("revision", expected))
            exc = Conflict(str(exc) + " " + _("Vos saisies sont affichées ci-dessous : enregistrez à nouveau pour "
                                              "remplacer la version enregistrée ailleurs, ou rechargez la page "
                                              "pour la voir (vos saisies seront alors perdues)."), code=exc.code)
        elif isinstance(exc, ValidationFailed):
            form.attach(exc.details or {})
        return _render_grid(jury_session, candidate, form, status=exc.status, summary=str(exc))
    form.revision.data = str(row.revision)
    if request.form.get("action") == "complete":
        return _complete(jury_session, candidate, form, row.revision)
    shown = grids.value_problems(cert, grid_def, row.data)
    if shown:
        form.attach(shown)
        return _render_grid(jury_session, candidate, form, status=422, summary=_(
            "Brouillon enregistré. Certaines valeurs sont à corriger avant de terminer la grille."))
    flash(_("Brouillon de votre grille enregistré."), "success")
    return redirect(url_for("evaluation.grid", session_id=jury_session.id, candidate_id=candidate.id))


def _complete(jury_session, candidate, form, revision: int):
    try:
        services.complete(jury_session, candidate, current_user, expected_revision=revision)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        if isinstance(exc, ValidationFailed):
            form.attach(exc.details or {})
        return _render_grid(jury_session, candidate, form, status=exc.status,
                            summary=_("Brouillon enregistré.") + " " + str(exc))
    flash(_("Votre grille pour %(name)s est terminée. Vous pouvez la rouvrir tant que la décision du jury n'est "
            "pas enregistrée.", name=candidate.dossier.candidate.full_name), "success")
    return redirect(url_for("evaluation.session", session_id=jury_session.id))


@blueprint.post("/sessions/<int:session_id>/candidats/<int:candidate_id>/grille/rouvrir")
@login_required
def reopen_grid(session_id: int, candidate_id: int):
    jury_session, candidate = services.juror_candidate(current_user, session_id, candidate_id)
    try:
        services.reopen(jury_session, candidate, current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(_("Votre grille est de nouveau en brouillon : vous pouvez la modifier."), "success")
    return redirect(url_for("evaluation.grid", session_id=jury_session.id, candidate_id=candidate.id))
