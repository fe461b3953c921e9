"""Shared by the sessions services: the limits of what is typed, times (typed and shown in French legal
time, stored in UTC), who plans sessions, and the checks every change makes first (the session manager
of the session, a session still being planned).

Part of :mod:`core.sessions.services`, which re-exports every name.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from flask_babel import gettext as _

from core.auth.models import Organisation, Role, User
from core.certifications.descriptor import Certification
from core.documents.filters import document_timezone
from core.errors import Conflict, Forbidden, NotFound
from core.jury import services as jury
from core.jury.models import JurySession, SessionStatus

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


def _text(value: Any) -> str:
    return str(value or "").strip()

