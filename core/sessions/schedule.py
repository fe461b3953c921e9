"""The schedule of a session and the candidates' slots: the certification's example schedule, the steps
of one passage, the order of passage and each slot (recomputed when the schedule or the order changes,
or set by hand), and when each candidate is convened.

Part of :mod:`core.sessions.services`, which re-exports every name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _

from core.audit.services import record
from core.auth.models import User
from core.certifications.descriptor import Certification
from core.errors import ValidationFailed
from core.extensions import db
from core.jury import services as jury
from core.jury.models import JurySession, SessionCandidate
from core.sessions.common import (MAX_STEP_MINUTES, MAX_STEPS, MAX_TITLE, _text, at_local, aware, check_draft,
                                  check_manages)


def default_schedule(cert: Certification) -> list[dict[str, Any]]:
    """The certification's example schedule (e.g. RNCP37827 Annexe 2); one step of the oral otherwise."""
    steps = [{"title": s.title, "minutes": int(s.duration_minutes), "with_candidate": bool(s.with_candidate)}
             for s in (cert.scheme.schedule if cert.scheme else ())]
    if steps:
        return steps
    timed = [e for e in (cert.scheme.evaluations if cert.scheme else ()) if e.duration_minutes]
    return [{"title": f"{e.kind} : {e.title}" if e.kind else e.title, "minutes": int(e.duration_minutes),
             "with_candidate": True} for e in timed] or [
        {"title": _("Épreuve"), "minutes": 30, "with_candidate": True}]


def clean_schedule(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ``{"title", "minutes", "with_candidate"}``; empty rows are skipped; 422 per row otherwise."""
    cleaned, errors = [], {}
    for index, step in enumerate(steps or []):
        title, minutes = _text(step.get("title")), step.get("minutes")
        if not title and minutes in (None, ""):
            continue
        if not title:
            errors[f"steps.{index}.title"] = [_("Donnez un intitulé à cette étape.")]
        elif len(title) > MAX_TITLE:
            errors[f"steps.{index}.title"] = [_("%(n)d caractères au plus.", n=MAX_TITLE)]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_STEP_MINUTES:
            errors[f"steps.{index}.minutes"] = [_("Indiquez une durée entière entre 1 et %(n)d minutes.",
                                                  n=MAX_STEP_MINUTES)]
        cleaned.append({"title": title, "minutes": minutes, "with_candidate": bool(step.get("with_candidate"))})
    if not cleaned and not errors:
        errors["steps"] = [_("Le déroulé doit compter au moins une étape.")]
    if len(cleaned) > MAX_STEPS:
        errors["steps"] = [_("Le déroulé compte %(n)d étapes au plus.", n=MAX_STEPS)]
    if errors:
        raise ValidationFailed(_("Le déroulé contient des erreurs : rien n'a été enregistré."), details=errors)
    return cleaned


def set_schedule(session: JurySession, actor: User, steps: list[dict[str, Any]]) -> None:
    """Replace the schedule of one candidate's passage; every slot is recomputed."""
    check_manages(actor, session)
    check_draft(session)
    session.schedule = clean_schedule(steps)
    recompute_slots(session)
    record("session.schedule_updated", "jury_session", session.id, actor_id=actor.id,
           payload={"steps": len(session.schedule), "slot_minutes": session.slot_minutes})


def reset_schedule(session: JurySession, actor: User) -> None:
    """Back to the certification's example schedule."""
    set_schedule(session, actor, default_schedule(jury.certification_of(session)))


def ordered(session: JurySession) -> list[SessionCandidate]:
    return sorted(session.candidates, key=lambda c: (c.position, c.id or 0))


def recompute_slots(session: JurySession) -> None:
    """Positions 0..n-1 in order of passage; each slot starts when the previous candidate's passage ends
    (its length follows the candidate: :func:`core.sessions.timetable.passage_minutes`)."""
    from core.sessions.timetable import passage_minutes

    moment = aware(session.starts_at)
    for index, candidate in enumerate(ordered(session)):
        candidate.position = index
        candidate.starts_at = moment
        moment = moment + timedelta(minutes=passage_minutes(session, candidate))
    db.session.flush()


def move_candidate(session: JurySession, actor: User, candidate: SessionCandidate, offset: int) -> None:
    """Move a candidate earlier (-1) or later (+1) in the order of passage (the page's arrows); nothing
    happens at either end. Slots are recomputed."""
    check_manages(actor, session)
    check_draft(session)
    target = ordered(session).index(candidate) + offset
    if 0 <= target < len(session.candidates):
        move_candidate_to(session, actor, candidate, target)


def move_candidate_to(session: JurySession, actor: User, candidate: SessionCandidate, position: Any) -> None:
    """Put a candidate at ``position`` (0: first) in the order of passage, the others keeping their
    order; slots are recomputed. 422 for a position outside the order of passage."""
    check_manages(actor, session)
    check_draft(session)
    rows = ordered(session)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < len(rows):
        message = _("Indiquez un rang de passage entre 0 (premier) et %(n)d (dernier).", n=len(rows) - 1)
        raise ValidationFailed(_("L'ordre de passage n'a pas été modifié."), details={"position": [message]})
    if rows.index(candidate) == position:
        return
    rows.remove(candidate)
    rows.insert(position, candidate)
    for index, row in enumerate(rows):
        row.position = index
    recompute_slots(session)
    record("session.candidate_moved", "jury_session", session.id, actor_id=actor.id,
           payload={"candidate_id": candidate.id, "position": candidate.position})


def set_slot(session: JurySession, actor: User, candidate: SessionCandidate, day: date | None,
             clock: time | None) -> None:
    """Set one candidate's slot by hand (until the schedule or the order changes again)."""
    check_manages(actor, session)
    check_draft(session)
    errors = {}
    if day is None:
        errors["day"] = [_("Indiquez la date du passage.")]
    if clock is None:
        errors["clock"] = [_("Indiquez l'heure du passage.")]
    if errors:
        raise ValidationFailed(_("L'horaire de passage contient des erreurs : rien n'a été enregistré."),
                               details=errors)
    candidate.starts_at = at_local(day, clock)
    db.session.flush()
    record("session.slot_updated", "jury_session", session.id, actor_id=actor.id,
           payload={"candidate_id": candidate.id, "starts_at": candidate.starts_at.isoformat()})


@dataclass
class TimedStep:
    title: str
    minutes: int
    with_candidate: bool
    starts_at: datetime
    ends_at: datetime


def steps_of(session: JurySession, candidate: SessionCandidate) -> list[TimedStep]:
    """The steps of one candidate's passage (:func:`core.sessions.timetable.steps_for`), with their times."""
    from core.sessions.timetable import steps_for

    moment = aware(candidate.starts_at or session.starts_at)
    rows = []
    for step in steps_for(session, candidate):
        end = moment + timedelta(minutes=int(step.get("minutes") or 0))
        rows.append(TimedStep(str(step.get("title") or ""), int(step.get("minutes") or 0),
                              bool(step.get("with_candidate")), moment, end))
        moment = end
    return rows


def convocation_time(session: JurySession, candidate: SessionCandidate) -> datetime:
    """When the candidate is expected: the first step with the candidate (the slot's start otherwise)."""
    steps = steps_of(session, candidate)
    first = next((s for s in steps if s.with_candidate), None)
    return first.starts_at if first else aware(candidate.starts_at or session.starts_at)

