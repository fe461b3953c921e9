"""Generating the procès-verbal and the grids; starting a correction.

:func:`generate` (session manager) renders, in one transaction, the individual
evaluation grid of every present candidate (signed by every juror) and the
procès-verbal (signed by every juror, then the session manager), each
certified by the organisation (see :mod:`core.pv.services`). It is refused,
with the French list of what is missing, unless the session is open (or
closed with a correction under way) and every candidate has their attendance
and a current decision.

A correction (:func:`start_correction`) reopens the decisions of a closed
session; the next generated PV is « rectificatif » (``number`` + 1,
``replaces_id`` = the sealed PV, the reason printed) and grids are generated
again only for the candidates whose decision changed (their new decision is
not sealed yet).
"""
from __future__ import annotations

from flask_babel import gettext as _

import core.sealing.services as sealing
from core.audit.services import record
from core.auth.models import User, utcnow
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.jury.models import Attendance, JurySession, SessionCandidate, SessionStatus, SignedDocument, \
    SignedDocumentStatus
from core.jury.services import certification_of, grid_of, manages, pv_in_signing
from core.pv import documents, outcomes
from core.pv.services import GRID, PV, Work, create, latest_pv, planned_for, run

MAX_REASON = 4000


def _name(candidate: SessionCandidate) -> str:
    return candidate.dossier.candidate.full_name


def missing(session: JurySession, grid) -> list[str]:
    """What keeps the PV from being generated, in French (empty when it can be)."""
    found = []
    if not session.jurors:
        found.append(_("Le jury ne compte aucun membre."))
    if not session.candidates:
        found.append(_("La session ne compte aucun candidat."))
    for candidate in session.candidates:
        decision = candidate.decision
        if candidate.attendance is Attendance.UNKNOWN:
            found.append(_("%(name)s : la présence n'est pas renseignée.", name=_name(candidate)))
        if decision is None:
            found.append(_("%(name)s : aucune décision du jury n'est enregistrée.", name=_name(candidate)))
        elif candidate.attendance is Attendance.ABSENT and decision.outcome != outcomes.ABSENT:
            found.append(_("%(name)s est absent ou absente mais la décision enregistrée n'est pas « Absent ou absente ».",
                           name=_name(candidate)))
        elif candidate.attendance is Attendance.PRESENT and decision.outcome == outcomes.ABSENT:
            found.append(_("%(name)s est présent ou présente mais la décision enregistrée est « Absent ou absente ».",
                           name=_name(candidate)))
        elif outcomes.category(grid, decision.outcome) is None:
            found.append(_("%(name)s : la décision « %(outcome)s » n'existe pas pour cette certification.",
                           name=_name(candidate), outcome=decision.outcome))
    return found


def correcting(session: JurySession) -> bool:
    return session.status is SessionStatus.CLOSED and session.correction_started_at is not None


def state_problem(session: JurySession) -> Conflict | None:
    """Why no PV may be generated now, whatever the decisions (a 409), or ``None``."""
    details = {"status": session.status.value}
    if session.status is SessionStatus.DRAFT:
        return Conflict(_("La session n'est pas encore ouverte : le procès-verbal se génère après la délibération."),
                        code="wrong_state", details=details)
    if session.status is SessionStatus.CLOSED and not correcting(session):
        return Conflict(_("La session est close et son procès-verbal scellé : pour corriger une décision, "
                          "ouvrez d'abord une correction (procès-verbal rectificatif)."),
                        code="wrong_state", details=details)
    signing = pv_in_signing(session)
    if signing is not None:
        return Conflict(_("Le procès-verbal n° %(n)d est déjà en cours de signature.", n=signing.number),
                        code="pv_in_signing", details={**details, "pv_id": signing.id})
    return None


def check_ready(session: JurySession) -> None:
    problem = state_problem(session)
    if problem is not None:
        raise problem
    found = missing(session, grid_of(certification_of(session)))
    if found:
        raise Conflict(_("Le procès-verbal ne peut pas encore être généré : %(list)s", list=" ".join(found)),
                       code="pv_not_ready", details={"missing": found})


def _latest_grid(candidate: SessionCandidate) -> SignedDocument | None:
    from sqlalchemy import select

    return db.session.scalar(select(SignedDocument).where(
        SignedDocument.candidate_id == candidate.id, SignedDocument.kind == GRID,
        SignedDocument.status != SignedDocumentStatus.REPLACED).order_by(SignedDocument.id.desc()).limit(1))


def _grid_for(candidate: SessionCandidate, cert, grid, actor: User, work: Work, now, reason: str) -> SignedDocument:
    old = _latest_grid(candidate)
    if old is not None and old.status is SignedDocumentStatus.SIGNING:
        old.status = SignedDocumentStatus.REPLACED  # its decision was amended before everyone signed
        record("jury_document.replaced", "jury_document", old.id, actor_id=actor.id, payload={"kind": GRID})
    planned = planned_for(candidate.session, GRID)
    context = documents.grid_context(candidate, cert, grid, planned=planned, generated_at=now)
    title = documents.grid_title(candidate, cert)
    pdf = documents.render(cert, "grid.html", context, title=title, author=candidate.session.organisation.name,
                           created=now)
    return create(GRID, candidate.session, candidate, pdf, planned, actor, work,
                  number=(old.number + 1) if old else 1, replaces=old, reason=reason if old else "")


def generate(session: JurySession, actor: User) -> tuple[SignedDocument, list[SignedDocument]]:
    """Render, certify and store the grids to sign and the PV (one transaction)."""
    if not manages(actor, session):
        raise NotFound(code="session_not_found")
    check_ready(session)
    cert = certification_of(session)
    grid = grid_of(cert)
    previous = latest_pv(session, SignedDocumentStatus.SEALED) if correcting(session) else None
    reason = session.correction_reason if previous else ""
    number = previous.number + 1 if previous else 1
    now = utcnow()
    work = Work()

    def action():
        grids = [_grid_for(c, cert, grid, actor, work, now, reason) for c in session.candidates
                 if c.attendance is Attendance.PRESENT and c.decision.sealed_at is None]
        planned = planned_for(session, PV)
        context = documents.pv_context(session, cert, grid, number=number, planned=planned, replaces=previous,
                                       reason=reason, generated_at=now)
        pdf = documents.render(cert, "pv.html", context, title=documents.pv_title(session, cert, number),
                               author=session.organisation.name, created=now)
        pv = create(PV, session, None, pdf, planned, actor, work, number=number, replaces=previous, reason=reason)
        record("pv.generated", "jury_session", session.id, actor_id=actor.id,
               payload={"pv_id": pv.id, "number": number, "replaces_id": pv.replaces_id,
                        "grids": [g.id for g in grids]})
        return pv, grids

    return run(work, action)


def can_start_correction(session: JurySession) -> bool:
    return session.status is SessionStatus.CLOSED and session.correction_started_at is None


def _clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    message = None
    if not text:
        message = _("Indiquez le motif de la correction : il figure sur le procès-verbal rectificatif.")
    elif len(text) > MAX_REASON:
        message = _("Le motif est trop long (%(n)d caractères au plus).", n=MAX_REASON)
    if message:
        raise ValidationFailed(message, details={"reason": [message]})
    return text


def start_correction(session: JurySession, actor: User, *, password: str, reason: str | None) -> None:
    """Reopen the decisions of a closed session for a corrective PV (session manager, re-authenticated)."""
    if not manages(actor, session):
        raise NotFound(code="session_not_found")
    if session.status is not SessionStatus.CLOSED:
        raise Conflict(_("Seule une session close, dont le procès-verbal est scellé, peut être corrigée ; "
                         "cette session est au statut « %(s)s ».", s=session.status.label),
                       code="wrong_state", details={"status": session.status.value})
    if session.correction_started_at is not None:
        raise Conflict(_("Une correction est déjà en cours sur cette session."), code="correction_in_progress",
                       details={"status": session.status.value})
    text = _clean_reason(reason)
    sealing.reauthenticate(actor, password)
    sealed = latest_pv(session, SignedDocumentStatus.SEALED)
    session.correction_started_at = utcnow()
    session.correction_reason = text
    record("session.correction_started", "jury_session", session.id, actor_id=actor.id,
           payload={"reason": text, "pv_id": sealed.id if sealed else None})
    db.session.commit()
