"""The register of rights requests (RGPD art. 12 to 21): recorded, followed to their one-month deadline, handled.

Who keeps it: the certifier admin for the requests of their organisation; the
platform admin for those that concern no organisation (an account without a
dossier). The policy (:mod:`core.policy`, actions ``privacy.register`` and
``privacy.request``) says so; every change is in the audit trail with ids
only (never the person's name or what they wrote).

Requests made by the person themselves from their account (export, erasure)
are written here, already handled, by :mod:`core.privacy` 's rights pages;
this module records the others (e-mail, letter, telephone…) and handles them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from core.audit.services import record
from core.auth.models import Role, User, utcnow
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.policy import require
from core.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from core.templating import PARIS, to_paris
from core.utils import add_months

#: how a request reached the organisation; ``self_service``: from the person's own account (not entered here)
CHANNEL_LABELS = {
    "email": _l("Courrier électronique"),
    "letter": _l("Courrier postal"),
    "phone": _l("Téléphone"),
    "in_person": _l("En personne"),
    "other": _l("Autre"),
    "self_service": _l("Depuis son compte"),
}
ENTERED_CHANNELS = ("email", "letter", "phone", "in_person", "other")
#: what the register page and the API filter on: a status, or ``overdue`` (open and past its deadline)
FILTERS = ("open", "overdue", "done", "refused")
FILTER_LABELS = {"open": _l("À traiter"), "overdue": _l("En retard"), "done": _l("Traitées"),
                 "refused": _l("Refusées")}
HANDLED = (RequestStatus.DONE, RequestStatus.REFUSED)
DETAILS_MAX = 5000
LABEL_MAX = 200
PER_PAGE = 50


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def due_date(received_at: datetime) -> datetime:
    """One calendar month after ``received_at`` (art. 12-3), counted on the French calendar."""
    return add_months(to_paris(received_at), 1).astimezone(timezone.utc)


def is_overdue(request: PrivacyRequest, now: datetime | None = None) -> bool:
    return request.status is RequestStatus.OPEN and (now or utcnow()) > _aware(request.due_at)


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def subject_text(request: PrivacyRequest) -> str:
    """Who the request is about, as the register shows it (an erased account is not named)."""
    subject = request.subject
    if subject is not None and subject.erased_at is None:
        return f"{subject.full_name} <{subject.email}>" if subject.full_name != subject.email else subject.email
    if request.subject_label:
        return request.subject_label
    if request.subject_id is not None:
        return _("Compte effacé n° %(id)d", id=request.subject_id)
    return _("Personne non précisée")


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------

def _scope(user: User):
    """The rows ``user`` keeps: their organisation's, or (platform admin) those of no organisation."""
    require(user, "privacy.register")
    if user.role is Role.PLATFORM_ADMIN:
        return PrivacyRequest.organisation_id.is_(None)
    return PrivacyRequest.organisation_id == user.organisation_id


def parse_filter(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in FILTERS:
        message = _("Filtre inconnu « %(value)s ». Valeurs possibles : %(choices)s.", value=value[:40],
                    choices=", ".join(FILTERS))
        raise ValidationFailed(message, details={"status": [message]})
    return value


@dataclass
class Page:
    items: list[PrivacyRequest]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def list_requests(user: User, status: str | None = None, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The requests ``user`` keeps, open ones first (earliest deadline first), then the latest handled."""
    where = [_scope(user)]
    now = utcnow()
    if status == "overdue":
        where += [PrivacyRequest.status == RequestStatus.OPEN, PrivacyRequest.due_at < now]
    elif status:
        where.append(PrivacyRequest.status == RequestStatus(status))
    total = db.session.scalar(select(func.count(PrivacyRequest.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    is_open = case((PrivacyRequest.status == RequestStatus.OPEN, 0), else_=1)
    order = (is_open, case((PrivacyRequest.status == RequestStatus.OPEN, PrivacyRequest.due_at), else_=None),
             PrivacyRequest.received_at.desc(), PrivacyRequest.id.desc())
    items = list(db.session.scalars(select(PrivacyRequest).where(*where).order_by(*order)
                                    .offset((page - 1) * per_page).limit(per_page)))
    return Page(items, total, page, pages, counts_of(user))


def counts_of(user: User) -> dict[str, int]:
    scope, now = _scope(user), utcnow()
    rows = db.session.execute(select(PrivacyRequest.status, func.count()).where(scope)
                              .group_by(PrivacyRequest.status)).all()
    counts = {status.value: 0 for status in RequestStatus}
    counts.update({status.value: n for status, n in rows})
    counts["overdue"] = db.session.scalar(select(func.count(PrivacyRequest.id)).where(
        scope, PrivacyRequest.status == RequestStatus.OPEN, PrivacyRequest.due_at < now)) or 0
    return counts


def get_request(user: User, request_id: int) -> PrivacyRequest:
    """The request if ``user`` keeps it; 404 otherwise (another organisation's never shows)."""
    found = db.session.get(PrivacyRequest, request_id)
    require(user, "privacy.request", found, code="privacy_request_not_found")
    return found


# ---------------------------------------------------------------------------
# recording and handling
# ---------------------------------------------------------------------------

def _invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    first = next(iter(errors.values()))[0]
    return ValidationFailed(first, details=errors)


def find_subject(user: User, email: str) -> User | None:
    """The account of ``email`` the register may name: a candidate with a dossier opened with the user's
    organisation; for the platform admin, any account."""
    from core.dossiers.models import Dossier

    stmt = select(User).where(User.email == email.strip().lower(), User.erased_at.is_(None))
    if user.role is not Role.PLATFORM_ADMIN:
        stmt = stmt.where(User.role == Role.CANDIDATE, User.id.in_(
            select(Dossier.candidate_id).where(Dossier.organisation_id == user.organisation_id)))
    return db.session.scalar(stmt)


def received_at_of(day: date | None, now: datetime | None = None) -> datetime:
    """When a request received on ``day`` (Paris) counts from: now for today or no day, else the day's start."""
    now = now or utcnow()
    if day is None or day == to_paris(now).date():
        return now
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(timezone.utc)


def record_request(actor: User, *, kind: str, channel: str, details: str = "", subject_email: str = "",
                   subject_label: str = "", received_on: date | None = None) -> PrivacyRequest:
    """Enter a request received outside the platform (audited ``privacy_request.recorded``); the caller commits.

    The person is a candidate of the organisation named by ``subject_email``, or ``subject_label`` (words)
    when they have no account here. Raises :class:`ValidationFailed` with the errors per field."""
    require(actor, "privacy.register")
    errors: dict[str, list[str]] = {}
    if kind not in {k.value for k in RequestKind}:
        errors["kind"] = [_("Choisissez le type de demande.")]
    if channel not in ENTERED_CHANNELS:
        errors["channel"] = [_("Choisissez comment la demande est arrivée.")]
    subject_email, subject_label = (subject_email or "").strip(), " ".join((subject_label or "").split())
    subject = None
    if subject_email:
        subject = find_subject(actor, subject_email)
        if subject is None:
            errors["subject_email"] = [
                _("Aucun compte de la plateforme n'a cette adresse électronique.") if actor.role is Role.PLATFORM_ADMIN
                else _("Aucun candidat de l'organisme n'a cette adresse électronique : vérifiez-la, ou décrivez la "
                       "personne dans « Personne sans compte ».")]
    elif not subject_label:
        errors["subject_email"] = [_("Indiquez l'adresse électronique du candidat ou, s'il n'a pas de compte, "
                                     "qui est la personne.")]
    if len(subject_label) > LABEL_MAX:
        errors["subject_label"] = [_("%(max)d caractères au plus.", max=LABEL_MAX)]
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        errors["details"] = [_("%(max)d caractères au plus.", max=DETAILS_MAX)]
    today = to_paris(utcnow()).date()
    if received_on is not None and received_on > today:
        errors["received_on"] = [_("La date de réception ne peut pas être dans le futur.")]
    elif received_on is not None and received_on < today - timedelta(days=366):
        errors["received_on"] = [_("La date de réception ne peut pas remonter à plus d'un an.")]
    if errors:
        raise _invalid(errors)
    received = received_at_of(received_on)
    row = PrivacyRequest(
        organisation_id=actor.organisation_id if actor.role is not Role.PLATFORM_ADMIN else None,
        kind=RequestKind(kind), status=RequestStatus.OPEN, subject_id=subject.id if subject else None,
        subject_label="" if subject else subject_label, channel=channel, details=details,
        received_at=received, due_at=due_date(received), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("privacy_request.recorded", "privacy_request", row.id, actor_id=actor.id,
           payload={"kind": row.kind.value, "channel": channel, "organisation_id": row.organisation_id,
                    "subject_id": row.subject_id, "due_at": due_date(received).date().isoformat()})
    return row


def handle_request(actor: User, request: PrivacyRequest, *, status: str, response: str) -> PrivacyRequest:
    """Close an open request as done or refused, with the answer given to the person (required); audited
    ``privacy_request.handled``. The caller commits."""
    require(actor, "privacy.request", request, code="privacy_request_not_found")
    errors: dict[str, list[str]] = {}
    if status not in {s.value for s in HANDLED}:
        errors["status"] = [_("Choisissez « Traitée » ou « Refusée ».")]
    response = (response or "").strip()
    if not response:
        errors["response"] = [_("Écrivez la réponse apportée à la personne : elle est obligatoire, y compris pour "
                                "un refus (qui doit être motivé).")]
    elif len(response) > DETAILS_MAX:
        errors["response"] = [_("%(max)d caractères au plus.", max=DETAILS_MAX)]
    if errors:
        raise _invalid(errors)
    if request.status is not RequestStatus.OPEN:
        raise Conflict(_("Cette demande est déjà close (%(status)s le %(date)s).", status=request.status.label.lower(),
                         date=to_paris(_aware(request.handled_at) or utcnow()).strftime("%d/%m/%Y")),
                       code="privacy_request_closed")
    now = utcnow()
    request.status, request.response, request.handled_at, request.handled_by_id = (
        RequestStatus(status), response, now, actor.id)
    late = now > _aware(request.due_at)
    record("privacy_request.handled", "privacy_request", request.id, actor_id=actor.id,
           payload={"status": status, "kind": request.kind.value, "late": late})
    return request


def as_dict(request: PrivacyRequest, now: datetime | None = None) -> dict[str, Any]:
    """The request as the API shows it."""
    from flask import url_for

    return {
        "id": request.id, "kind": request.kind.value, "kind_label": request.kind.label,
        "status": request.status.value, "status_label": request.status.label,
        "overdue": is_overdue(request, now), "organisation_id": request.organisation_id,
        "subject": {"id": request.subject_id, "label": subject_text(request)},
        "channel": request.channel, "channel_label": channel_label(request.channel), "details": request.details,
        "received_at": request.received_at, "due_at": request.due_at, "handled_at": request.handled_at,
        "handled_by_id": request.handled_by_id, "response": request.response,
        "created_by_id": request.created_by_id,
        "links": {"self": url_for("privacy_api.request", request_id=request.id),
                  "page": url_for("privacy.request", request_id=request.id)},
    }
