"""The juror's space: which sessions and candidates a juror reaches, and their own grid.

Every page and endpoint of the area goes through :func:`juror_session` and
:func:`juror_candidate`: anybody who does not sit on the session (other
jurors, candidates, staff, managers) gets a 404, whatever the URL. Each change
of a grid is one function here that checks the session's state, writes an
audit event and fails with a French message otherwise:

- :func:`save_draft` keeps whatever was typed (a stale revision is refused);
- :func:`complete` checks the grid is whole (422 with the problems per field);
- :func:`reopen` goes back to draft until the jury records its decision.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.descriptor import Certification, Grid
from core.errors import Conflict, NotFound, ValidationFailed
from core.evaluation import grids
from core.extensions import db
from core.jury.models import (
    Attendance,
    EvaluationGrid,
    GridStatus,
    JurorDeclaration,
    JurySession,
    SessionCandidate,
    SessionStatus,
)
from core.jury.services import (
    certification_of,
    decisions_locked,
    get_candidate_for,
    grid_of,
    sessions_of,
    sits_on,
)


# ---------------------------------------------------------------------------
# access
# ---------------------------------------------------------------------------

def juror_sessions(user: User) -> list[JurySession]:
    """The sessions ``user`` sits on as a juror (empty for any other role)."""
    return [s for s in sessions_of(user) if sits_on(user, s)]


def juror_session(user: User, session_id: int) -> JurySession:
    """The session if ``user`` sits on it as a juror (``session.evaluate``); 404 otherwise."""
    from core.policy import require

    session = db.session.get(JurySession, session_id)
    if session is None:
        raise NotFound(code="session_not_found")
    require(user, "session.evaluate", session, code="session_not_found")
    return session


def juror_candidate(user: User, session_id: int, candidate_id: int) -> tuple[JurySession, SessionCandidate]:
    """A candidate of a session ``user`` sits on, once the session is open (409 while it is planned:
    neither the dossiers nor the grids open before)."""
    session = juror_session(user, session_id)
    candidate = get_candidate_for(user, session, candidate_id)
    require_dossiers_open(session)
    return session, candidate


def dossiers_refusal(session: JurySession) -> str | None:
    """Why the dossiers of ``session`` cannot be read now (French), or ``None``."""
    if session.status is SessionStatus.DRAFT:
        return _("La session est en préparation : les dossiers des candidats s'ouvrent aux membres du jury à "
                 "l'ouverture de la session.")
    return None


def require_dossiers_open(session: JurySession) -> None:
    refusal = dossiers_refusal(session)
    if refusal:
        raise Conflict(refusal, code="session_not_open", details={"status": session.status.value})


def definition(session: JurySession) -> tuple[Certification, Grid]:
    cert = certification_of(session)
    return cert, grid_of(cert)


def grid_for(candidate: SessionCandidate, user: User) -> EvaluationGrid | None:
    return db.session.scalar(select(EvaluationGrid).where(EvaluationGrid.candidate_id == candidate.id,
                                                          EvaluationGrid.juror_id == user.id))


def declaration_for(candidate: SessionCandidate, user: User) -> JurorDeclaration | None:
    return next((d for d in candidate.declarations if d.juror_id == user.id), None)


# ---------------------------------------------------------------------------
# when a grid may change
# ---------------------------------------------------------------------------

def editing_refusal(session: JurySession, candidate: SessionCandidate) -> str | None:
    """Why the jurors' grids of ``candidate`` cannot change now (French), or ``None``."""
    if session.status is SessionStatus.DRAFT:
        return _("La session est en préparation : les grilles s'ouvrent à l'ouverture de la session.")
    if session.status is SessionStatus.CLOSED:
        return _("La session est close : les grilles ne peuvent plus changer.")
    if candidate.attendance is Attendance.ABSENT:
        return _("%(name)s est absent ou absente : il n'y a pas de grille à remplir pour ce candidat ou cette candidate.",
                 name=candidate.dossier.candidate.full_name)
    if candidate.decision is not None:
        return _("La décision du jury est enregistrée pour ce candidat ou cette candidate : les grilles ne peuvent "
                 "plus changer.")
    return decisions_locked(session)


def _require_editable(session: JurySession, candidate: SessionCandidate) -> None:
    refusal = editing_refusal(session, candidate)
    if refusal:
        raise Conflict(refusal, code="grid_locked")


def _check_revision(grid: EvaluationGrid | None, expected: int | None) -> None:
    current = grid.revision if grid is not None else 0
    if expected is not None and expected != current:
        raise Conflict(_("Votre grille a été modifiée ailleurs (autre onglet ou appareil) depuis que vous l'avez "
                         "ouverte : vos saisies n'ont pas été enregistrées."), code="stale_revision",
                       details={"revision": current})


def _payload(session: JurySession, candidate: SessionCandidate, grid: EvaluationGrid) -> dict[str, Any]:
    return {"session": session.id, "candidate": candidate.id, "dossier": candidate.dossier_id,
            "revision": grid.revision}


# ---------------------------------------------------------------------------
# changes
# ---------------------------------------------------------------------------

def save_draft(session: JurySession, candidate: SessionCandidate, user: User, payload: dict[str, Any], *,
               expected_revision: int | None) -> tuple[EvaluationGrid, dict[str, list[str]]]:
    """Store what ``user`` typed in their grid, as is; returns the grid and what still keeps it from completion."""
    if not sits_on(user, session):
        raise NotFound(code="session_not_found")
    _require_editable(session, candidate)
    cert, grid_def = definition(session)
    grid = grid_for(candidate, user)
    _check_revision(grid, expected_revision)
    if grid is not None and grid.status is GridStatus.COMPLETED:
        raise Conflict(_("Votre grille est terminée : rouvrez-la pour la modifier."), code="grid_completed")
    data = grids.read_input(cert, grid_def, payload)
    if grid is None:
        grid = EvaluationGrid(candidate_id=candidate.id, juror_id=user.id, data=data, revision=1,
                              status=GridStatus.DRAFT)
        db.session.add(grid)
    else:
        grid.data = data
        grid.revision += 1
    try:
        db.session.flush()
    except IntegrityError:  # the same juror created it in another tab meanwhile
        raise Conflict(_("Votre grille a été créée ailleurs (autre onglet ou appareil) : vos saisies n'ont pas été "
                         "enregistrées."), code="stale_revision") from None
    done, expected = grids.answered(cert, grid_def, data)
    record("evaluation.grid_saved", "evaluation_grid", grid.id, actor_id=user.id,
           payload={**_payload(session, candidate, grid), "answered": done, "expected": expected})
    return grid, grids.problems(cert, grid_def, data)


def complete(session: JurySession, candidate: SessionCandidate, user: User, *,
             expected_revision: int | None = None) -> EvaluationGrid:
    """Mark ``user``'s grid completed; 422 with the problems per field when it is not whole."""
    if not sits_on(user, session):
        raise NotFound(code="session_not_found")
    _require_editable(session, candidate)
    cert, grid_def = definition(session)
    grid = grid_for(candidate, user)
    _check_revision(grid, expected_revision)
    if grid is not None and grid.status is GridStatus.COMPLETED:
        raise Conflict(_("Votre grille est déjà terminée."), code="grid_completed")
    found = grids.problems(cert, grid_def, grid.data if grid is not None else {})
    if found:
        raise ValidationFailed(_("Votre grille n'est pas complète : %(n)d point(s) à régler avant de la terminer.",
                                 n=len(found)), code="grid_incomplete", details=found)
    grid.status = GridStatus.COMPLETED
    grid.completed_at = utcnow()
    grid.revision += 1
    db.session.flush()
    record("evaluation.grid_completed", "evaluation_grid", grid.id, actor_id=user.id,
           payload={**_payload(session, candidate, grid), "proposal": grid.data.get("proposal")})
    return grid


def reopen(session: JurySession, candidate: SessionCandidate, user: User) -> EvaluationGrid:
    """Back to draft, while the jury has not recorded its decision for ``candidate``."""
    if not sits_on(user, session):
        raise NotFound(code="session_not_found")
    _require_editable(session, candidate)
    grid = grid_for(candidate, user)
    if grid is None or grid.status is not GridStatus.COMPLETED:
        raise Conflict(_("Votre grille n'est pas terminée : elle est déjà modifiable."), code="grid_not_completed")
    grid.status = GridStatus.DRAFT
    grid.completed_at = None
    grid.revision += 1
    db.session.flush()
    record("evaluation.grid_reopened", "evaluation_grid", grid.id, actor_id=user.id,
           payload=_payload(session, candidate, grid))
    return grid
