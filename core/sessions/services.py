"""Jury sessions as the session manager plans them: information, schedule and
slots, the composition check, opening, attendance and observations.

Candidates, jurors and declarations are in :mod:`core.sessions.members`.
Every change is one function that checks who acts (a session manager of the
session's organisation: anyone else gets a 404, as for a session that does
not exist), the session's state (a 409 naming the state otherwise), writes an
audit event and flushes; the views and the API commit. :func:`open_session`
commits itself, then sends the convocations.

Times are typed and shown in French legal time (Europe/Paris) and stored in UTC.

The work is split by responsibility, every name re-exported here: :mod:`core.sessions.common` (limits,
times, who acts), :mod:`core.sessions.schedule` (schedule, order of passage, slots),
:mod:`core.sessions.opening` (composition check, opening, convocations) and
:mod:`core.sessions.running` (attendance, observations); the session's information is here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any
from urllib.parse import urlparse

from flask_babel import gettext as _

from core.audit.services import record
from core.auth.models import User
from core.certifications.services import get_certification
from core.errors import ValidationFailed
from core.extensions import db
from core.jury.models import Attendance, JurySession, SessionStatus
from core.sessions.common import (MAX_ADDRESS, MAX_STEP_MINUTES, MAX_STEPS, MAX_TEXT, MAX_TITLE, _text, at_local,
                                  aware, check_draft, check_manages, enabled_certifications, hhmm, local,
                                  manager_organisation, session_day)
from core.sessions.opening import open_session, problem_dict, problems_of, send_convocations
from core.sessions.running import observations_editable, set_attendance, set_observations
from core.sessions.schedule import (TimedStep, clean_schedule, convocation_time, default_schedule, move_candidate,
                                    move_candidate_to, ordered, recompute_slots, reset_schedule, set_schedule,
                                    set_slot, steps_of)

__all__ = [
    "MAX_TITLE", "MAX_ADDRESS", "MAX_TEXT", "MAX_STEP_MINUTES", "MAX_STEPS",
    "aware", "local", "at_local", "session_day", "hhmm",
    "manager_organisation", "enabled_certifications", "check_manages", "check_draft",
    "default_schedule", "valid_https", "SessionInfo", "clean_info", "create_session", "info_of", "update_info",
    "clean_schedule", "set_schedule", "reset_schedule", "ordered", "recompute_slots", "move_candidate",
    "move_candidate_to", "set_slot", "TimedStep", "steps_of", "convocation_time",
    "problems_of", "problem_dict", "open_session", "send_convocations",
    "set_attendance", "observations_editable", "set_observations",
    "counts",
]


# ---------------------------------------------------------------------------
# information
# ---------------------------------------------------------------------------

def valid_https(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme == "https" and bool(parsed.netloc) and not any(c.isspace() for c in url)


@dataclass
class SessionInfo:
    """What the manager types about a session (the page's form and the API body)."""

    title: str = ""
    day: date | None = None
    clock: time | None = None
    ends_on: date | None = None
    centre: str = ""
    address: str = ""
    video_link: str = ""
    manager_position: str = ""


def clean_info(info: SessionInfo) -> dict[str, Any]:
    """Checked values for :class:`JurySession`; 422 with the French errors per field otherwise."""
    errors: dict[str, list[str]] = {}
    title, centre = _text(info.title), _text(info.centre)
    address, link, position = _text(info.address), _text(info.video_link), _text(info.manager_position)
    if not title:
        errors["title"] = [_("Donnez un intitulé à la session.")]
    for name, value, limit in (("title", title, MAX_TITLE), ("centre", centre, MAX_TITLE),
                               ("address", address, MAX_ADDRESS), ("video_link", link, MAX_ADDRESS),
                               ("manager_position", position, MAX_TITLE)):
        if len(value) > limit:
            errors.setdefault(name, []).append(_("%(n)d caractères au plus.", n=limit))
    if info.day is None:
        errors["day"] = [_("Indiquez la date de début de la session.")]
    if info.clock is None:
        errors["clock"] = [_("Indiquez l'heure de passage du premier candidat.")]
    if info.ends_on is not None and info.day is not None and info.ends_on < info.day:
        errors["ends_on"] = [_("La fin de la session ne peut pas précéder son début.")]
    if link and not valid_https(link):
        errors["video_link"] = [_("Le lien de visioconférence doit être une adresse web sécurisée commençant par "
                                  "https://, par exemple https://visio.example.org/jury.")]
    if not address and not link:
        message = _("Indiquez l'adresse du lieu de la session ou le lien de la visioconférence (au moins l'un des "
                    "deux).")
        errors["address"] = [message]
        errors.setdefault("video_link", []).append(message)
    if errors:
        raise ValidationFailed(_("Les informations de la session contiennent des erreurs : rien n'a été "
                                 "enregistré."), details=errors)
    return {"title": title, "starts_at": at_local(info.day, info.clock), "ends_on": info.ends_on or info.day,
            "centre": centre, "address": address, "video_link": link, "manager_position": position}


def create_session(actor: User, *, certification_code: str, info: SessionInfo) -> JurySession:
    """A draft session of one of the manager's organisation's certifications, with the plugin's schedule."""
    org = manager_organisation(actor)
    codes = {c.code for c in enabled_certifications(org)}
    code = _text(certification_code).upper()
    errors = {}
    if code not in codes:
        errors["certification"] = [_("Choisissez une certification délivrée par votre organisme.")]
    try:
        values = clean_info(info)
    except ValidationFailed as exc:
        errors.update(exc.details)
    if errors:
        raise ValidationFailed(_("Les informations de la session contiennent des erreurs : rien n'a été "
                                 "enregistré."), details=errors)
    if not values["centre"]:
        values["centre"] = org.name
    cert = get_certification(code)
    session = JurySession(organisation_id=org.id, certification_code=code, manager_id=actor.id,
                          schedule=default_schedule(cert), status=SessionStatus.DRAFT, **values)
    db.session.add(session)
    db.session.flush()
    record("session.created", "jury_session", session.id, actor_id=actor.id,
           payload={"certification": code, "starts_at": values["starts_at"].isoformat()})
    return session


def info_of(session: JurySession) -> SessionInfo:
    start = local(session.starts_at)
    return SessionInfo(title=session.title, day=start.date(), clock=start.time().replace(tzinfo=None),
                       ends_on=session.ends_on, centre=session.centre, address=session.address,
                       video_link=session.video_link, manager_position=session.manager_position)


def update_info(session: JurySession, actor: User, info: SessionInfo) -> list[str]:
    """Change the information of a draft session; returns the names of the fields that changed."""
    check_manages(actor, session)
    check_draft(session, _("La session est au statut « %(s)s » : ses informations ne peuvent plus changer "
                           "(seuls les observations et la fonction du responsable restent modifiables).",
                           s=session.status.label))
    values = clean_info(info)
    if not values["centre"]:
        values["centre"] = session.organisation.name
    changed = []
    for name, value in values.items():
        current = aware(session.starts_at) if name == "starts_at" else getattr(session, name)
        if current != value:
            setattr(session, name, value)
            changed.append(name)
    if "starts_at" in changed:
        recompute_slots(session)
    if changed:
        record("session.updated", "jury_session", session.id, actor_id=actor.id, payload={"fields": changed})
    return changed


# ---------------------------------------------------------------------------
# lists
# ---------------------------------------------------------------------------

def counts(session: JurySession) -> dict[str, int]:
    rows = session.candidates
    return {"candidates": len(rows), "jurors": len(session.jurors),
            "present": sum(1 for c in rows if c.attendance is Attendance.PRESENT),
            "absent": sum(1 for c in rows if c.attendance is Attendance.ABSENT)}
