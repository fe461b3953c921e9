"""Jury sessions as the session manager plans them: information, schedule and
slots, the composition check, opening, attendance and observations.

Candidates, jurors and declarations are in :mod:`core.sessions.members`.
Every change is one function that checks who acts (a session manager of the
session's organisation: anyone else gets a 404, as for a session that does
not exist), the session's state (a 409 naming the state otherwise), writes an
audit event and flushes; the views and the API commit. :func:`open_session`
commits itself, then sends the convocations.

Times are typed and shown in French legal time (Europe/Paris) and stored in UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import Organisation, Role, User, utcnow
from core.certifications.descriptor import Certification, JuryProblem
from core.certifications.services import get_certification
from core.documents.filters import document_timezone
from core.dossiers.models import DossierStatus
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.jury import services as jury
from core.jury.models import Attendance, JurySession, SessionCandidate, SessionStatus

if TYPE_CHECKING:
    from core.sessions.regulation import RegulationFile

MAX_TITLE = 200
MAX_ADDRESS = 500
MAX_TEXT = 4000
MAX_STEP_MINUTES = 600
MAX_STEPS = 30


# ---------------------------------------------------------------------------
# time
# ---------------------------------------------------------------------------

def aware(moment: datetime | None) -> datetime | None:
    """A UTC-aware datetime (SQLite gives naive UTC values back)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def local(moment: datetime) -> datetime:
    """``moment`` in French legal time."""
    return aware(moment).astimezone(document_timezone())


def at_local(day: date, clock: time) -> datetime:
    """The UTC instant of ``day`` at ``clock``, French legal time."""
    return datetime.combine(day, clock, tzinfo=document_timezone()).astimezone(timezone.utc)


def session_day(session: JurySession) -> date:
    return local(session.starts_at).date()


def hhmm(moment: datetime | None) -> str:
    return local(moment).strftime("%H:%M") if moment else ""


# ---------------------------------------------------------------------------
# who acts
# ---------------------------------------------------------------------------

def manager_organisation(user: User) -> Organisation:
    """The organisation a session manager plans sessions for.

    404 for any other role; 403 with a French explanation for a manager
    attached to no organisation."""
    if user.role is not Role.SESSION_MANAGER:
        raise NotFound()
    if user.organisation_id is None or user.organisation is None:
        raise Forbidden(_("Votre compte de responsable de session n'est rattaché à aucun organisme : vous ne "
                          "pouvez pas planifier de session. Demandez à l'administration de la plateforme de "
                          "rattacher votre compte à l'organisme certificateur."), code="no_organisation")
    return user.organisation


def enabled_certifications(org: Organisation) -> list[Certification]:
    """The organisation's enabled certifications that are installed, by code."""
    from flask import current_app

    installed = current_app.extensions["livret"].certifications
    return [installed[code] for code in sorted(org.certification_codes) if code in installed]


def check_manages(actor: User, session: JurySession) -> None:
    if not jury.manages(actor, session):
        raise NotFound(code="session_not_found")


def check_draft(session: JurySession, what: str | None = None) -> None:
    """409 naming the state when the session is no longer being planned."""
    if session.status is not SessionStatus.DRAFT:
        raise Conflict(what or _("La session est au statut « %(s)s » : les jurés, les candidats et le déroulé "
                                 "sont figés depuis son ouverture.", s=session.status.label),
                       code="wrong_state", details={"status": session.status.value})


# ---------------------------------------------------------------------------
# information
# ---------------------------------------------------------------------------

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


def _text(value: Any) -> str:
    return str(value or "").strip()


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
# schedule and slots
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# composition and opening
# ---------------------------------------------------------------------------

def _core_problems(session: JurySession) -> list[JuryProblem]:
    """What the sessions area itself requires before opening (besides the plugins' rules)."""
    problems = []
    if not session.schedule:
        problems.append(JuryProblem("schedule", _("Le déroulé de la session est vide : ajoutez au moins une "
                                                  "étape.")))
    for candidate in session.candidates:
        elsewhere = db.session.scalar(
            select(JurySession.title).join(SessionCandidate, SessionCandidate.session_id == JurySession.id)
            .where(SessionCandidate.dossier_id == candidate.dossier_id, JurySession.id != session.id,
                   JurySession.status == SessionStatus.OPEN).limit(1))
        if elsewhere is not None:
            problems.append(JuryProblem(
                "candidate_elsewhere",
                _("%(name)s est déjà convoqué ou convoquée dans la session ouverte « %(t)s » : retirez ce dossier.",
                  name=candidate.dossier.candidate.full_name, t=elsewhere), dossier_id=candidate.dossier_id))
    return problems


def problems_of(session: JurySession) -> tuple[list[JuryProblem], list[JuryProblem]]:
    """(blocking, warnings): the plugins' composition rules and the area's own checks."""
    found = jury.jury_problems(session)
    if session.status is SessionStatus.DRAFT:
        found = found + _core_problems(session)
    return [p for p in found if p.blocking], [p for p in found if not p.blocking]


def problem_dict(problem: JuryProblem) -> dict[str, Any]:
    return {"rule": problem.rule, "message": problem.message, "blocking": problem.blocking,
            "juror_id": problem.juror_id, "dossier_id": problem.dossier_id}


def open_session(session: JurySession, actor: User) -> None:
    """draft → open when no blocking problem remains: dossiers scheduled, audited, committed, convocations sent.

    Refused (409 ``jury_rules_not_met``) with every blocking problem listed, in French, rule named."""
    check_manages(actor, session)
    check_draft(session, _("La session est déjà au statut « %(s)s » : elle ne peut être ouverte qu'une fois.",
                           s=session.status.label))
    blocking, _warnings = problems_of(session)
    if blocking:
        raise Conflict(_("La session ne peut pas être ouverte : %(n)d règle(s) ne sont pas respectées. %(list)s",
                         n=len(blocking), list=" ".join(p.message for p in blocking)),
                       code="jury_rules_not_met", details={"problems": [problem_dict(p) for p in blocking]})
    from core.sessions.regulation import render_regulation

    regulation = render_regulation(session)  # before any change: a failure leaves the session as it was
    session.status = SessionStatus.OPEN
    session.opened_at = utcnow()
    for candidate in ordered(session):
        dossier = candidate.dossier
        previous = dossier.status
        dossier.status = DossierStatus.SCHEDULED
        dossier.updated_at = session.opened_at
        record("dossier.scheduled", "dossier", dossier.id, actor_id=actor.id,
               payload={"session_id": session.id, "from": previous.value, "attempt": candidate.attempt,
                        "starts_at": aware(candidate.starts_at).isoformat()})
    db.session.flush()
    record("session.opened", "jury_session", session.id, actor_id=actor.id,
           payload={"candidates": len(session.candidates), "jurors": len(session.jurors)})
    _emit_opened(session)
    db.session.commit()
    send_convocations(session, regulation, actor_id=actor.id)


def _emit_opened(session: JurySession) -> None:
    """The webhook ``session.opened`` to the session's organisation (that of its dossiers), sent after the commit."""
    from core.webhooks.models import SESSION_OPENED
    from core.webhooks.services import emit, iso

    dossier_ids = [c.dossier_id for c in ordered(session)]
    emit(SESSION_OPENED, session.organisation_id, {
        "session_id": session.id, "certification": session.certification_code,
        "date": session_day(session).isoformat(), "ends_on": session.ends_on.isoformat() if session.ends_on else None,
        "starts_at": iso(session.starts_at), "opened_at": iso(session.opened_at), "candidates": len(dossier_ids),
        "dossier_ids": dossier_ids})


def send_convocations(session: JurySession, regulation: RegulationFile | None = None,
                      actor_id: int | None = None) -> None:
    """E-mail each candidate (date, time, place or link) and each juror (candidates, link to their space,
    and ``regulation``, the certification's règlement for the jury, attached; its sending is then
    recorded and committed)."""
    from core.mail import send_mail
    from core.sessions.regulation import mark_sent
    from core.utils import absolute_url

    cert = jury.certification_of(session)
    day = session_day(session)
    for candidate in ordered(session):
        user = candidate.dossier.candidate
        text = render_template("sessions/email/convocation_candidate.txt", session=session, cert=cert,
                               candidate=candidate, user=user, at=convocation_time(session, candidate),
                               hhmm=hhmm, link=absolute_url("dossiers.overview", dossier_id=candidate.dossier_id))
        send_mail(user.email, _("Convocation à la session de jury du %(d)s – %(code)s",
                                d=day.strftime("%d/%m/%Y"), code=cert.code), text)
    for juror in session.jurors:
        text = render_template("sessions/email/convocation_juror.txt", session=session, cert=cert,
                               user=juror.user, candidates=ordered(session), hhmm=hhmm,
                               link=absolute_url("dashboard.index"),
                               declarations=absolute_url("sessions.declarations", session_id=session.id),
                               regulation=regulation)
        send_mail(juror.user.email, _("Jury du %(d)s – %(code)s : vos candidats", d=day.strftime("%d/%m/%Y"),
                                      code=cert.code), text,
                  attachments=[regulation.attachment] if regulation is not None else None)
    if regulation is not None and session.jurors:
        mark_sent(session, regulation, actor_id)
        db.session.commit()


# ---------------------------------------------------------------------------
# during the session
# ---------------------------------------------------------------------------

def _check_running(session: JurySession, what: str) -> None:
    locked = jury.pv_in_signing(session)
    if locked is not None:
        raise Conflict(_("Le procès-verbal est en cours de signature : %(what)s ne peut plus changer.", what=what),
                       code="pv_in_signing", details={"status": session.status.value})


def set_attendance(session: JurySession, actor: User, values: dict[int, str]) -> list[SessionCandidate]:
    """Record present / absent per candidate of an open session; returns the candidates that changed."""
    check_manages(actor, session)
    if session.status is not SessionStatus.OPEN:
        raise Conflict(_("Les présences se saisissent pendant la session ouverte ; elle est au statut « %(s)s ».",
                         s=session.status.label), code="wrong_state", details={"status": session.status.value})
    _check_running(session, _("la présence des candidats"))
    by_id = {c.id: c for c in session.candidates}
    errors: dict[str, list[str]] = {}
    wanted: dict[int, Attendance] = {}
    for key, value in values.items():
        candidate = by_id.get(int(key)) if str(key).isdigit() else None
        if candidate is None:
            errors[str(key)] = [_("Ce candidat ne fait pas partie de la session.")]
            continue
        try:
            wanted[candidate.id] = Attendance(value)
        except ValueError:
            errors[str(key)] = [_("Choisissez « présent ou présente », « absent ou absente » ou « non renseignée ».")]
    for cid, attendance in wanted.items():
        candidate = by_id[cid]
        if attendance is not candidate.attendance and candidate.decision is not None:
            errors[str(cid)] = [_("Une décision est déjà enregistrée pour %(name)s : sa présence ne peut plus "
                                  "changer.", name=candidate.dossier.candidate.full_name)]
    if errors:
        raise ValidationFailed(_("Les présences contiennent des erreurs : rien n'a été enregistré."),
                               details=errors)
    changed = []
    for cid, attendance in wanted.items():
        candidate = by_id[cid]
        if attendance is candidate.attendance:
            continue
        previous = candidate.attendance
        candidate.attendance = attendance
        changed.append(candidate)
        record("session.attendance_recorded", "jury_session", session.id, actor_id=actor.id,
               payload={"candidate_id": cid, "dossier_id": candidate.dossier_id, "attendance": attendance.value,
                        "previous": previous.value})
    db.session.flush()
    return changed


def observations_editable(session: JurySession) -> bool:
    running = session.status is SessionStatus.OPEN or (
        session.status is SessionStatus.CLOSED and session.correction_started_at is not None)
    return running and jury.pv_in_signing(session) is None


def set_observations(session: JurySession, actor: User, *, observations: str | None = None,
                     manager_position: str | None = None) -> list[str]:
    """The manager's observations (PV part 4) and position, while the session runs or a correction is under way."""
    check_manages(actor, session)
    if not observations_editable(session):
        _check_running(session, _("les observations"))
        raise Conflict(_("Les observations se saisissent pendant la session ouverte ou pendant une correction du "
                         "procès-verbal ; la session est au statut « %(s)s ».", s=session.status.label),
                       code="wrong_state", details={"status": session.status.value})
    values = {}
    if observations is not None:
        values["observations"] = str(observations).strip()
    if manager_position is not None:
        values["manager_position"] = str(manager_position).strip()
    errors = {}
    if len(values.get("observations", "")) > MAX_TEXT:
        errors["observations"] = [_("%(n)d caractères au plus.", n=MAX_TEXT)]
    if len(values.get("manager_position", "")) > MAX_TITLE:
        errors["manager_position"] = [_("%(n)d caractères au plus.", n=MAX_TITLE)]
    if errors:
        raise ValidationFailed(_("Les observations contiennent des erreurs : rien n'a été enregistré."),
                               details=errors)
    changed = [name for name, value in values.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, values[name])
    if changed:
        record("session.observations_updated", "jury_session", session.id, actor_id=actor.id,
               payload={"fields": changed})
    return changed


# ---------------------------------------------------------------------------
# lists
# ---------------------------------------------------------------------------

def counts(session: JurySession) -> dict[str, int]:
    rows = session.candidates
    return {"candidates": len(rows), "jurors": len(session.jurors),
            "present": sum(1 for c in rows if c.attendance is Attendance.PRESENT),
            "absent": sum(1 for c in rows if c.attendance is Attendance.ABSENT)}
