"""The person's rights, self-service: their profile, their requests, and the register rows of what they did.

Pages (:mod:`core.privacy.views_rights`, the account page) and the API (:mod:`core.privacy.api_rights`,
``PATCH /api/v1/me``) call these functions; the export is :mod:`core.privacy.export`, the erasure
:mod:`core.privacy.erasure`. Every request a person makes here is a row of
:class:`core.privacy.models.PrivacyRequest`: an export (« accès ») and an erasure are recorded already
done, a rectification of sealed data or an objection stays open for the organisation's staff, due within
one month (RGPD art. 12-3).
"""
from __future__ import annotations

from typing import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import User, utcnow
from core.dossiers.models import Dossier, DossierVersion
from core.errors import ValidationFailed
from core.extensions import db
from core.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from core.privacy.register import due_date  # one month, counted as the staff's register counts it

NAME_MAX = 100
DETAILS_MAX = 5000
#: the kinds a person may open themselves (an export and an erasure are done at once, not asked for)
OPEN_KINDS = (RequestKind.RECTIFICATION.value, RequestKind.OBJECTION.value)


# ---------------------------------------------------------------------------
# What the person holds
# ---------------------------------------------------------------------------

def dossiers_of(user: User) -> list[Dossier]:
    """Every dossier of ``user`` as a candidate, oldest first."""
    return list(db.session.scalars(select(Dossier).where(Dossier.candidate_id == user.id).order_by(Dossier.id)))


def sealed_dossiers(user: User) -> list[Dossier]:
    """The person's dossiers with at least one submitted (sealed) version: what a rectification request is about."""
    return list(db.session.scalars(
        select(Dossier).where(Dossier.candidate_id == user.id,
                              Dossier.id.in_(select(DossierVersion.dossier_id)))
        .order_by(Dossier.id)))


def organisations_concerned(user: User, dossiers: Iterable[Dossier] | None = None) -> list[int | None]:
    """The organisations whose register receives the person's requests: those of their dossiers; a staff
    member's own organisation; ``[None]`` (the platform) when there is none."""
    ids = sorted({d.organisation_id for d in (dossiers if dossiers is not None else dossiers_of(user))
                  if d.organisation_id is not None})
    if not ids and user.organisation_id is not None:
        ids = [user.organisation_id]
    return ids or [None]


# ---------------------------------------------------------------------------
# The register rows of self-service requests
# ---------------------------------------------------------------------------

def record_done(user: User, kind: RequestKind, organisation_ids: Iterable[int | None], details: str,
                response: str = "") -> list[PrivacyRequest]:
    """Rows of a request the person made and the platform answered at once (an export, an erasure), one per
    organisation concerned. ``details``/``response`` are stored French text read by the staff."""
    now = utcnow()
    rows = [PrivacyRequest(organisation_id=org_id, kind=kind, status=RequestStatus.DONE, subject_id=user.id,
                           channel="self_service", details=details, response=response, received_at=now,
                           due_at=due_date(now), handled_at=now, created_by_id=user.id)
            for org_id in organisation_ids]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def create_request(user: User, *, kind: str, details: str, dossier_id: int | None = None) -> PrivacyRequest:
    """Open a rectification (of sealed data) or objection request for the organisation of ``dossier_id``.

    The person's own dossiers only (another's id is refused like an unknown one). A rectification names one
    when the person has submitted dossiers (the request goes to its organisation); otherwise the request goes
    to the organisation of their dossiers, their own organisation (staff), or the platform. The caller commits. Audited (ids only).
    """
    errors: dict[str, list[str]] = {}
    if kind not in OPEN_KINDS:
        errors["kind"] = [_("Choisissez « rectification » ou « opposition ».")]
    text = (details or "").strip()
    if not text:
        errors["details"] = [_("Décrivez votre demande.")]
    elif len(text) > DETAILS_MAX:
        errors["details"] = [_("Votre demande est trop longue (%(n)d caractères au plus).", n=DETAILS_MAX)]
    mine = dossiers_of(user)
    dossier = None
    if dossier_id is not None:
        dossier = next((d for d in mine if d.id == dossier_id), None)
        if dossier is None:
            errors["dossier_id"] = [_("Ce dossier n'est pas l'un des vôtres.")]
    elif kind == RequestKind.RECTIFICATION.value and sealed_dossiers(user):
        errors["dossier_id"] = [_("Choisissez le dossier dont les données sont à rectifier.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    if dossier is not None:
        organisation_id = dossier.organisation_id
    else:
        organisation_id = organisations_concerned(user, mine)[0]
    prefix = f"Dossier {dossier.reference or dossier.id} — " if dossier is not None else ""
    now = utcnow()
    row = PrivacyRequest(organisation_id=organisation_id, kind=RequestKind(kind), status=RequestStatus.OPEN,
                         subject_id=user.id, channel="self_service", details=prefix + text, received_at=now,
                         due_at=due_date(now), created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    record("privacy.request_opened", "user", user.id, actor_id=user.id,
           payload={"request_id": row.id, "kind": kind, "dossier_id": dossier.id if dossier else None})
    return row


def requests_of(user: User) -> list[PrivacyRequest]:
    """The person's requests, newest first."""
    return list(db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.subject_id == user.id)
                                   .order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.id.desc())))


# ---------------------------------------------------------------------------
# The profile
# ---------------------------------------------------------------------------

def _clean_name(value: object, field: str, errors: dict[str, list[str]]) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str) else ""
    if not text:
        errors[field] = [_("Ce champ est obligatoire.")]
        return None
    if len(text) > NAME_MAX:
        errors[field] = [_("%(n)d caractères au maximum.", n=NAME_MAX)]
        return None
    return text


def update_profile(user: User, *, first_name: str | None = None, last_name: str | None = None,
                   language: str | None = None) -> list[str]:
    """Change the account's names and language (``None``: unchanged). Returns the fields that changed;
    the caller commits. Audited with the names of the fields, never their values.

    The documents already sealed keep the name they were signed with (a sealed PDF cannot change).
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            cleaned = _clean_name(value, field, errors)
            if cleaned is not None:
                values[field] = cleaned
    if language is not None:
        languages = tuple(current_app.config["LANGUAGES"])
        if language not in languages:
            errors["language"] = [_("Langue non proposée. Valeurs possibles : %(choices)s.",
                                    choices=", ".join(languages))]
        else:
            values["locale"] = language
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, values[field])
    if changed:
        record("account.updated", "user", user.id, actor_id=user.id,
               payload={"fields": sorted("language" if f == "locale" else f for f in changed)})
    return changed
