"""Organisation settings (contact details, certifications, staff) and dashboard figures.

Every change checks who acts (the certifier admin of *this* organisation) and is audited.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, select

from core.audit.services import record
from core.auth.models import Organisation, OrganisationCertification, Role, User, utcnow
from core.dossiers.models import Dossier, DossierStatus
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db

# A dossier in one of these states is finished: its certification may be disabled.
FINISHED_STATUSES = (DossierStatus.INADMISSIBLE, DossierStatus.DECIDED, DossierStatus.CLOSED)


def _is_certifier(user: User) -> bool:
    return (getattr(user, "is_authenticated", False) and user.role in (Role.CERTIFIER_ADMIN, Role.CERTIFIER_STAFF)
            and user.organisation_id is not None)


def organisation_for_admin(user: User) -> Organisation:
    """The organisation ``user`` administers; 404 for anyone else (staff included)."""
    if not _is_certifier(user) or user.role is not Role.CERTIFIER_ADMIN:
        raise NotFound()
    org = db.session.get(Organisation, user.organisation_id)
    if org is None:
        raise NotFound()
    return org


def organisation_for_staff(user: User) -> Organisation:
    if not _is_certifier(user):
        raise NotFound()
    org = db.session.get(Organisation, user.organisation_id)
    if org is None:
        raise NotFound()
    return org


# --------------------------------------------------------------------------
# Contact details
# --------------------------------------------------------------------------

DETAIL_FIELDS = ("name", "contact_email", "address", "siret")


def update_details(org: Organisation, *, actor: User, **values: Any) -> list[str]:
    """Update the details printed on documents; returns the names of the fields that changed."""
    from forms.validators import siret_is_valid

    changed = []
    for name in DETAIL_FIELDS:
        if name not in values:
            continue
        value = values[name]
        value = value.strip() if isinstance(value, str) else value
        value = value or None
        if name == "name" and not value:
            raise ValidationFailed(_("Le nom de l'organisme est obligatoire."),
                                   details={"name": [_("Ce champ est obligatoire.")]})
        if name == "siret" and value is not None:
            value = "".join(value.split())
            if not siret_is_valid(value):
                raise ValidationFailed(_("Le numéro de SIRET n'est pas valide."),
                                       details={"siret": [_("Le numéro de SIRET n'est pas valide.")]})
        if getattr(org, name) != value:
            setattr(org, name, value)
            changed.append(name)
    if changed:
        record("organisation.details_updated", "organisation", org.id, actor_id=actor.id,
               payload={"fields": changed})
    return changed


# --------------------------------------------------------------------------
# Certifications
# --------------------------------------------------------------------------

def installed_certifications() -> list[Any]:
    certs = current_app.extensions["livret"].certifications
    return sorted(certs.values(), key=lambda c: c.code)


def open_dossier_count(code: str, organisation_id: int | None = None) -> int:
    """Dossiers of ``code`` not finished yet (of one organisation when ``organisation_id`` is given)."""
    stmt = select(func.count()).select_from(Dossier).where(
        Dossier.certification_code == code, Dossier.status.not_in(FINISHED_STATUSES))
    if organisation_id is not None:
        stmt = stmt.where(Dossier.organisation_id == organisation_id)
    return db.session.scalar(stmt) or 0


def links_of(org: Organisation) -> list[OrganisationCertification]:
    """The organisation's certifications (granted or asked for), by code."""
    return sorted(org.certifications, key=lambda link: link.certification_code)


def set_certification_enabled(org: Organisation, code: str, enabled: bool, *, actor: User) -> bool:
    """Enable or disable, for ``org``, a certification a platform admin granted it; returns whether
    anything changed.

    A certification that was not granted is refused (:class:`Forbidden`: only a platform admin grants,
    see :mod:`core.platform`); disabling is refused (:class:`Conflict`) while the organisation's
    dossiers of that certification are still open.
    """
    from core.errors import Forbidden

    cert = current_app.extensions["livret"].certifications.get(code)
    if cert is None:
        raise NotFound(_("La certification %(code)s n'est pas installée.", code=code))
    link = db.session.get(OrganisationCertification, (org.id, code))
    if link is None or not link.granted:
        if not enabled:
            return False
        raise Forbidden(_("La certification %(code)s n'a pas été accordée à l'organisme : demandez-la à "
                          "l'administration de la plateforme.", code=code), code="not_granted",
                        details={"certification": code})
    if bool(link.enabled) == enabled:
        return False
    if not enabled:
        count = open_dossier_count(code, org.id)
        if count:
            raise Conflict(_("La certification %(code)s ne peut pas être désactivée : %(n)d dossier(s) en cours "
                             "(non clos) l'utilisent encore.", code=code, n=count),
                           code="open_dossiers", details={"certification": code, "open_dossiers": count})
    link.enabled = enabled
    db.session.flush()
    db.session.expire(org, ["certifications"])
    record("organisation.certification_enabled" if enabled else "organisation.certification_disabled",
           "organisation", org.id, actor_id=actor.id, payload={"certification": code})
    return True


@dataclass
class CertificationsOverview:
    """What the settings page and ``GET /api/v1/organisation/certifications`` show."""

    granted: list[dict[str, Any]]  # {"cert", "link", "role", "enabled"}: granted by the platform
    requested: list[dict[str, Any]]  # {"cert", "link", "at"}: asked for, not granted yet
    requestable: list[Any]  # installed certifications neither granted nor asked for


def certifications_overview(org: Organisation, typed: set[str] | None = None) -> CertificationsOverview:
    """The organisation's certifications, as installed: granted ones (``enabled`` as stored, or as typed in
    ``typed`` when a refused form is shown again), pending requests and what it may still ask for."""
    installed = {c.code: c for c in installed_certifications()}
    links = {link.certification_code: link for link in links_of(org)}
    granted = [{"cert": installed[code], "link": link, "role": link.role,
                "enabled": bool(link.enabled) if typed is None else code in typed}
               for code, link in links.items() if link.granted and code in installed]
    requested = [{"cert": installed[code], "link": link, "at": link.requested_at}
                 for code, link in links.items() if not link.granted and code in installed]
    requestable = [c for code, c in installed.items() if code not in links]
    return CertificationsOverview(granted, requested, requestable)


def set_enabled_certifications(org: Organisation, wanted: set[str], *, actor: User) -> tuple[list[str], list[Any]]:
    """Enable exactly the ``wanted`` certifications among those installed (granted ones only: see
    :func:`set_certification_enabled`); returns the codes changed and the refusals (:class:`UserError`).

    All or nothing: on any refusal the caller rolls back (nothing is recorded) and shows every refusal.
    """
    from core.errors import UserError

    done, refused = [], []
    codes = sorted({c.code for c in installed_certifications()} & (set(wanted) | org.granted_codes))
    for code in codes:
        try:
            if set_certification_enabled(org, code, code in wanted, actor=actor):
                done.append(code)
        except UserError as exc:
            refused.append(exc)
    return done, refused


def request_certification(org: Organisation, code: str, *, actor: User) -> OrganisationCertification:
    """Ask the platform's administration to grant ``code`` to ``org`` (audited; platform admins are
    e-mailed). Asking again, or for a certification already granted, is refused (409)."""
    cert = current_app.extensions["livret"].certifications.get(code)
    if cert is None:
        raise NotFound(_("La certification %(code)s n'est pas installée.", code=code), code="certification_not_found")
    link = db.session.get(OrganisationCertification, (org.id, code))
    if link is not None:
        raise Conflict(_("La certification %(code)s est déjà accordée à l'organisme.", code=code) if link.granted
                       else _("La demande pour la certification %(code)s est déjà transmise.", code=code),
                       code="already_requested", details={"certification": code})
    link = OrganisationCertification(organisation_id=org.id, certification_code=code, enabled=True,
                                     requested_at=utcnow(), requested_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    link.granted_at = None  # the column's default makes any other new row a grant (fixtures, demo, CLI)
    db.session.flush()
    db.session.expire(org, ["certifications"])
    record("organisation.certification_requested", "organisation", org.id, actor_id=actor.id,
           payload={"certification": code})
    _tell_platform_admins(org, cert)
    return link


def _tell_platform_admins(org: Organisation, cert) -> None:
    from core.mail import send_mail
    from core.utils import absolute_url

    link = absolute_url("platform.organisation", organisation_id=org.id)
    admins = db.session.scalars(select(User).where(User.role == Role.PLATFORM_ADMIN, User.active.is_(True)))
    for admin in admins:
        send_mail(admin.email, _("Demande d'habilitation : %(org)s pour %(code)s", org=org.name, code=cert.code),
                  _("L'organisme %(org)s demande à délivrer la certification %(code)s – %(title)s.\n\n"
                    "Accordez-la, comme certificateur ou comme centre habilité, ou refusez-la depuis la page de "
                    "l'organisme :\n%(link)s\n", org=org.name, code=cert.code, title=cert.title, link=link))


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------

def staff_of(org: Organisation) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == org.id)
                                   .order_by(User.last_name, User.first_name, User.email)))


def invite_staff(org: Organisation, *, actor: User, email: str, first_name: str, last_name: str) -> User:
    """Create a certifier staff account with a random password and e-mail a password-reset link."""
    from core.auth.services import create_user, send_reset_email

    user = create_user(email=email, password=secrets.token_urlsafe(32), role=Role.CERTIFIER_STAFF,
                       first_name=first_name, last_name=last_name, organisation=org, verified=True)
    record("organisation.staff_invited", "user", user.id, actor_id=actor.id,
           payload={"organisation": org.id, "role": user.role.value})
    send_reset_email(user)
    return user


def deactivate_staff(org: Organisation, user_id: int, *, actor: User) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id:
        raise NotFound()
    if user.id == actor.id:
        raise Conflict(_("Vous ne pouvez pas désactiver votre propre compte."), code="self_deactivation")
    if not user.active:
        return user
    user.active = False
    from core.auth.models import LoginSession, utcnow

    for session in db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                                 LoginSession.revoked_at.is_(None))):
        session.revoked_at = utcnow()
    record("organisation.staff_deactivated", "user", user.id, actor_id=actor.id, payload={"organisation": org.id})
    return user


# --------------------------------------------------------------------------
# Dashboard figures
# --------------------------------------------------------------------------

@dataclass
class Bar:
    label: str
    value: int
    key: str | None = None  # the machine value (a status, a month AAAA-MM) the API answers with


def _month_starts(today: date, n: int = 12) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _i in range(n):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def month_label(start: date) -> str:
    return f"{MONTHS_FR[start.month - 1]} {start.year}"


# The transitions of the dossier life, as the audit trail records them, in the order of that life.
TRANSITIONS = (
    ("dossier.submitted", _l("Déposés")),
    ("dossier.corrections_requested", _l("Corrections demandées")),
    ("dossier.admissible", _l("Déclarés recevables")),
    ("dossier.inadmissible", _l("Déclarés irrecevables")),
    ("dossier.scheduled", _l("Convoqués en session")),
    ("dossier.decided", _l("Décision du jury scellée")),
)


def transitions_by_month(org: Organisation, *, today: date | None = None) -> dict[str, Any]:
    """How many dossiers of the organisation entered each state, month by month (last 12 months),
    read from the audit trail (the record of every transition)."""
    from core.audit.models import AuditEvent

    codes = sorted(org.certification_codes)
    months = _month_starts(today or datetime.now(timezone.utc).date())
    actions = [a for a, _label in TRANSITIONS]
    counts = {m: {a: 0 for a in actions} for m in months}
    if codes:
        start = datetime(months[0].year, months[0].month, 1, tzinfo=timezone.utc)
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.at)
            .join(Dossier, cast(Dossier.id, String) == AuditEvent.object_id)
            .where(AuditEvent.object_type == "dossier", AuditEvent.action.in_(actions),
                   AuditEvent.at >= start, Dossier.organisation_id == org.id,
                   Dossier.certification_code.in_(codes)))
        for action, at in rows:
            at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
            key = date(at.astimezone(timezone.utc).year, at.astimezone(timezone.utc).month, 1)
            if key in counts:
                counts[key][action] += 1
    return {
        "columns": [str(label) for _a, label in TRANSITIONS],
        "actions": actions,
        "rows": [{"label": month_label(m), "month": f"{m:%Y-%m}", "values": [counts[m][a] for a in actions]}
                 for m in months],
    }


def dashboard_figures(org: Organisation, *, today: date | None = None) -> dict[str, Any]:
    """Counts for the organisation's enabled certifications: by status, submitted per month
    (last 12 months, current included) and the admissibility rate per certification."""
    codes = sorted(org.certification_codes)
    by_status: dict[DossierStatus, int] = {}
    per_cert: dict[str, dict[DossierStatus, int]] = {c: {} for c in codes}
    months = _month_starts(today or datetime.now(timezone.utc).date())
    per_month = {m: 0 for m in months}
    if codes:
        rows = db.session.execute(select(Dossier.certification_code, Dossier.status, func.count())
                                  .where(Dossier.organisation_id == org.id, Dossier.certification_code.in_(codes))
                                  .group_by(Dossier.certification_code, Dossier.status)).all()
        for code, status, count in rows:
            by_status[status] = by_status.get(status, 0) + count
            per_cert[code][status] = count
        start = datetime(months[0].year, months[0].month, 1, tzinfo=timezone.utc)
        # Only the submission dates of one year are read; grouped by month in Python so that
        # SQLite and PostgreSQL give the same answer (time zone: UTC).
        for (submitted_at,) in db.session.execute(select(Dossier.submitted_at).where(
                Dossier.organisation_id == org.id, Dossier.certification_code.in_(codes),
                Dossier.submitted_at.is_not(None),
                Dossier.submitted_at >= start)):
            if submitted_at.tzinfo is None:
                submitted_at = submitted_at.replace(tzinfo=timezone.utc)
            key = date(submitted_at.astimezone(timezone.utc).year, submitted_at.astimezone(timezone.utc).month, 1)
            if key in per_month:
                per_month[key] += 1
    certs = current_app.extensions["livret"].certifications
    rates = []
    for code in codes:
        admissible = per_cert[code].get(DossierStatus.ADMISSIBLE, 0)
        # later states (scheduled, evaluated, decided, closed) were admissible first
        admissible += sum(per_cert[code].get(s, 0) for s in (DossierStatus.SCHEDULED, DossierStatus.EVALUATED,
                                                              DossierStatus.DECIDED))
        inadmissible = per_cert[code].get(DossierStatus.INADMISSIBLE, 0)
        decided = admissible + inadmissible
        rates.append({"code": code, "title": certs[code].title if code in certs else code,
                      "admissible": admissible, "inadmissible": inadmissible,
                      "rate": (admissible / decided) if decided else None})
    return {
        "status_bars": [Bar(s.label, by_status.get(s, 0), s.value) for s in DossierStatus],
        "month_bars": [Bar(month_label(m), per_month[m], f"{m:%Y-%m}") for m in months],
        "admissibility": rates,
        "transitions": transitions_by_month(org, today=today),
    }
