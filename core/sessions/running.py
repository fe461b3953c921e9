"""While a session runs: the candidates' attendance and the manager's observations (PV part 4), both
refused once the procès-verbal is being signed.

Part of :mod:`core.sessions.services`, which re-exports every name.
"""
from __future__ import annotations

from flask_babel import gettext as _

from core.audit.services import record
from core.auth.models import User
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.jury import services as jury
from core.jury.models import Attendance, JurySession, SessionCandidate, SessionStatus
from core.sessions.common import MAX_TEXT, MAX_TITLE, check_manages


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

