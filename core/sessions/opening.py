"""Opening a session: the composition check (the plugins' jury rules and the area's own), the opening
itself (dossiers scheduled, audited, the ``session.opened`` webhook) and the convocations sent by e-mail.

Part of :mod:`core.sessions.services`, which re-exports every name.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.descriptor import JuryProblem
from core.dossiers.models import DossierStatus
from core.errors import Conflict
from core.extensions import db
from core.jury import services as jury
from core.jury.models import JurySession, SessionCandidate, SessionStatus
from core.sessions.common import aware, check_draft, check_manages, hhmm, session_day
from core.sessions.schedule import convocation_time, ordered

if TYPE_CHECKING:
    from core.sessions.regulation import RegulationFile


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

