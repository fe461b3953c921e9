"""Jury: who may see what, the plugin's grid, consolidation and the decision rules.

Every jury area (``core/sessions``, ``core/evaluation``, ``core/deliberation``,
``core/pv``) reaches sessions and candidates through :func:`get_session_for`
and :func:`get_candidate_for`: anybody who is not the session's manager, one
of its jurors or the certifier's staff gets a 404, whatever the URL.
"""
from __future__ import annotations

from statistics import fmean
from typing import Any

from sqlalchemy import select

from core.auth.models import Role, User
from core.certifications.descriptor import (
    Certification,
    Consolidation,
    DecisionProposal,
    Grid,
    JuryProblem,
    RecordedDecision,
)
from core.certifications.services import get_certification
from core.errors import NotFound
from core.extensions import db
from core.jury.models import (
    Attendance,
    EvaluationGrid,
    GridStatus,
    JurySession,
    SessionCandidate,
    SessionJuror,
    SessionStatus,
)
from core.plugins import certification_hook

STAFF_ROLES = (Role.CERTIFIER_STAFF, Role.CERTIFIER_ADMIN)


# ---------------------------------------------------------------------------
# access
# ---------------------------------------------------------------------------

def manages(user: User, session: JurySession) -> bool:
    """``session.manage`` of :mod:`core.policy`: the session's own manager, or a session manager of its
    organisation."""
    from core.policy import allowed

    return allowed(user, "session.manage", session)


def sits_on(user: User, session: JurySession) -> bool:
    return user.role is Role.JUROR and any(j.user_id == user.id for j in session.jurors)


def is_staff_of(user: User, session: JurySession) -> bool:
    return user.role in STAFF_ROLES and user.organisation_id == session.organisation_id


def can_view(user: User, session: JurySession) -> bool:
    """``session.view`` of :mod:`core.policy`."""
    from core.policy import allowed

    return allowed(user, "session.view", session)


def get_session_for(user: User, session_id: int, *, manage: bool = False) -> JurySession:
    """The session if ``user`` may see it (with ``manage``: run it); 404 otherwise."""
    session = db.session.get(JurySession, session_id)
    if session is None or not can_view(user, session) or (manage and not manages(user, session)):
        raise NotFound(code="session_not_found")
    return session


def get_candidate_for(user: User, session: JurySession, candidate_id: int) -> SessionCandidate:
    """A candidate of ``session`` (already checked with :func:`get_session_for`); 404 otherwise."""
    candidate = db.session.get(SessionCandidate, candidate_id)
    if candidate is None or candidate.session_id != session.id:
        raise NotFound(code="candidate_not_found")
    return candidate


def juror_of(session: JurySession, user: User) -> SessionJuror | None:
    return next((j for j in session.jurors if j.user_id == user.id), None)


def sessions_of(user: User) -> list[JurySession]:
    """The sessions ``user`` may see, most recent first."""
    stmt = select(JurySession).order_by(JurySession.starts_at.desc(), JurySession.id.desc())
    if user.role is Role.JUROR:
        stmt = stmt.join(SessionJuror).where(SessionJuror.user_id == user.id)
    elif user.role is Role.SESSION_MANAGER:
        if user.organisation_id is None:
            stmt = stmt.where(JurySession.manager_id == user.id)
        else:
            stmt = stmt.where((JurySession.organisation_id == user.organisation_id)
                              | (JurySession.manager_id == user.id))
    elif user.role in STAFF_ROLES and user.organisation_id is not None:
        stmt = stmt.where(JurySession.organisation_id == user.organisation_id)
    else:
        return []
    return list(db.session.scalars(stmt))


def pv_in_signing(session: JurySession):
    """The procès-verbal being signed, if any (decisions are then frozen)."""
    from core.jury.models import SignedDocument, SignedDocumentStatus

    return db.session.scalar(select(SignedDocument).where(
        SignedDocument.session_id == session.id, SignedDocument.kind == "pv",
        SignedDocument.status == SignedDocumentStatus.SIGNING))


def decisions_locked(session: JurySession) -> str | None:
    """Why the jury may not record or amend decisions now (French), or ``None``.

    Decisions are recorded while the session is open; once the PV is
    generated they are frozen; after it is sealed, only a correction
    (``session.correction_started_at``) reopens them for a corrective PV.
    """
    from flask_babel import gettext as _

    if pv_in_signing(session) is not None:
        return _("Le procès-verbal est en cours de signature : les décisions ne peuvent plus changer.")
    if session.status is SessionStatus.DRAFT:
        return _("La session n'est pas encore ouverte.")
    if session.status is SessionStatus.CLOSED and session.correction_started_at is None:
        return _("Le procès-verbal est signé et scellé : une correction passe par un procès-verbal rectificatif.")
    return None


def juror_reads_dossier(user: User, dossier_id: int) -> bool:
    """A juror reads a dossier while it sits in an open (or closed) session of theirs."""
    if user.role is not Role.JUROR:
        return False
    stmt = (select(SessionCandidate.id)
            .join(JurySession, JurySession.id == SessionCandidate.session_id)
            .join(SessionJuror, SessionJuror.session_id == JurySession.id)
            .where(SessionCandidate.dossier_id == dossier_id, SessionJuror.user_id == user.id,
                   JurySession.status.in_([SessionStatus.OPEN, SessionStatus.CLOSED]))
            .limit(1))
    return db.session.scalar(stmt) is not None


# ---------------------------------------------------------------------------
# the plugin's rules
# ---------------------------------------------------------------------------

def certification_of(session: JurySession) -> Certification:
    return get_certification(session.certification_code)


def grid_of(cert: Certification) -> Grid:
    grid = certification_hook(cert, "livret_evaluation_grid")(certification=cert)
    if grid is None:  # pragma: no cover - the default plugin always answers
        raise RuntimeError(f"no evaluation grid for {cert.code}")
    return grid


def jury_problems(session: JurySession) -> list[JuryProblem]:
    cert = certification_of(session)
    found: list[JuryProblem] = []
    for extra in certification_hook(cert, "livret_jury_problems")(certification=cert, session=session):
        found.extend(extra or [])
    return found


def completed_grids(candidate: SessionCandidate) -> list[EvaluationGrid]:
    return [g for g in candidate.grids if g.status is GridStatus.COMPLETED]


def consolidate(candidate: SessionCandidate) -> Consolidation:
    """Put the completed grids of ``candidate`` side by side (jurors in session order)."""
    order = {j.user_id: i for i, j in enumerate(candidate.session.jurors)}
    grids = sorted(completed_grids(candidate), key=lambda g: order.get(g.juror_id, len(order)))
    criteria: dict[str, dict[str, int]] = {}
    marks: dict[str, list[float]] = {}
    blocks: dict[str, dict[str, int]] = {}
    scores: dict[str, list[float]] = {}
    proposals: dict[str, int] = {}
    for grid in grids:
        data = grid.data or {}
        for code, value in (data.get("criteria") or {}).items():
            if value in ("met", "not_met"):
                criteria.setdefault(code, {"met": 0, "not_met": 0})[value] += 1
        for code, entry in (data.get("competencies") or {}).items():
            mark = (entry or {}).get("mark")
            if isinstance(mark, (int, float)):
                marks.setdefault(code, []).append(float(mark))
        for code, value in (data.get("blocks") or {}).items():
            if value in ("validated", "not_validated"):
                blocks.setdefault(code, {"validated": 0, "not_validated": 0})[value] += 1
        for key, value in (data.get("scores") or {}).items():
            if isinstance(value, (int, float)):
                scores.setdefault(key, []).append(float(value))
        if data.get("proposal"):
            proposals[data["proposal"]] = proposals.get(data["proposal"], 0) + 1
    return Consolidation(
        present=candidate.attendance is not Attendance.ABSENT,
        jurors=len(grids),
        criteria=criteria,
        marks={k: tuple(v) for k, v in marks.items()},
        blocks=blocks,
        scores={k: tuple(v) for k, v in scores.items()},
        proposals=proposals,
        attempt=candidate.attempt,
    )


def mean(values) -> float | None:
    """The jurors' mean of one mark, to two decimals (never across competencies)."""
    values = list(values or ())
    return round(fmean(values), 2) if values else None


def compute_decision(cert: Certification, consolidation: Consolidation) -> DecisionProposal:
    proposal = certification_hook(cert, "livret_jury_decision")(certification=cert, consolidation=consolidation)
    if proposal is None:  # pragma: no cover - the default plugin always answers
        raise RuntimeError(f"no decision rule for {cert.code}")
    return proposal


def decision_problems(cert: Certification, consolidation: Consolidation, decision: RecordedDecision) -> list[str]:
    found: list[str] = []
    for extra in certification_hook(cert, "livret_decision_problems")(certification=cert, consolidation=consolidation,
                                                                       decision=decision):
        found.extend(extra or [])
    return found


def consolidation_dict(consolidation: Consolidation) -> dict[str, Any]:
    """A JSON-ready snapshot (stored with the decision)."""
    return {
        "present": consolidation.present, "jurors": consolidation.jurors,
        "criteria": consolidation.criteria,
        "marks": {k: list(v) for k, v in consolidation.marks.items()},
        "blocks": consolidation.blocks,
        "scores": {k: list(v) for k, v in consolidation.scores.items()},
        "proposals": consolidation.proposals, "attempt": consolidation.attempt,
    }
