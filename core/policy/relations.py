"""Relations between a person and an object, the conditions of the policy table.

Each relation is a named predicate ``test(user, obj) -> bool`` with an English
description (the generated « Who sees what » table of ``docs/api.md`` shows
it). Organisation scoping is always by organisation id, never by
certification code: an organisation that delivers the same certification as
another never reaches the other's dossiers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from core.auth.models import User


@dataclass(frozen=True)
class Relation:
    name: str
    description: str
    test: Callable[[User, Any], bool]

    def __call__(self, user: User, obj: Any) -> bool:
        return bool(self.test(user, obj))


def _dossier_of(obj: Any):
    """The dossier an object hangs on (a dossier, a document or a fee request)."""
    from core.dossiers.models import Dossier

    if isinstance(obj, Dossier):
        return obj
    return getattr(obj, "dossier", None)


def _own_dossier(user: User, obj: Any) -> bool:
    dossier = _dossier_of(obj)
    return dossier is not None and dossier.candidate_id == user.id


def _organisation_dossier(user: User, obj: Any) -> bool:
    from core.dossiers.models import DossierStatus

    dossier = _dossier_of(obj)
    return (dossier is not None and user.organisation_id is not None
            and dossier.organisation_id == user.organisation_id and dossier.status is not DossierStatus.DRAFT)


def _jury_dossier(user: User, obj: Any) -> bool:
    from core.jury.services import juror_reads_dossier

    dossier = _dossier_of(obj)
    return dossier is not None and juror_reads_dossier(user, dossier.id)


def _jury_livret(user: User, obj: Any) -> bool:
    from core.evaluation.reading import LIVRET2_KIND

    return getattr(obj, "kind", None) == LIVRET2_KIND and _jury_dossier(user, obj)


def _session_document(user: User, obj: Any) -> bool:
    """A document issued by a session of the person's organisation (or one they manage)."""
    from core.documents.access import issuing_session

    session = issuing_session(obj)
    return session is not None and _organisation_session(user, session)


def _staff_document(user: User, obj: Any) -> bool:
    return _organisation_dossier(user, obj) or _session_document(user, obj)


def _jury_document(user: User, obj: Any) -> bool:
    """The Livret 2 of a candidate before the juror's jury, or a PV or grid of a session they sit on."""
    from core.documents.access import signed_document_of

    if _jury_livret(user, obj):
        return True
    signed = signed_document_of(obj)
    return signed is not None and _sits_on(user, signed.session)


def _organisation_session(user: User, session: Any) -> bool:
    return (session.manager_id == user.id
            or (user.organisation_id is not None and session.organisation_id == user.organisation_id))


def _sits_on(user: User, session: Any) -> bool:
    return any(j.user_id == user.id for j in session.jurors)


def _has_organisation(user: User, _obj: Any) -> bool:
    return user.organisation_id is not None


def _own_organisation(user: User, org: Any) -> bool:
    return user.organisation_id is not None and getattr(org, "id", None) == user.organisation_id


def _anyone(_user: User, _obj: Any) -> bool:
    return True


def _organisation_request(user: User, obj: Any) -> bool:
    """A rights request (core.privacy) entered for, or made to, the person's organisation."""
    return (obj is not None and user.organisation_id is not None
            and getattr(obj, "organisation_id", None) == user.organisation_id)


def _platform_request(_user: User, obj: Any) -> bool:
    """A rights request that concerns no organisation (an account without any dossier)."""
    return obj is not None and hasattr(obj, "organisation_id") and obj.organisation_id is None


OWN_DOSSIER = Relation("own dossier", "the candidate's own dossier (and its fee, annexes and documents)",
                       _own_dossier)
ORGANISATION_DOSSIER = Relation(
    "organisation's submitted dossier",
    "a dossier opened with the person's organisation, once submitted (drafts stay the candidate's)",
    _organisation_dossier)
JURY_DOSSIER = Relation("dossier before their jury",
                        "a dossier of a candidate of an open or closed session the juror sits on", _jury_dossier)
JURY_LIVRET = Relation("Livret 2 before their jury",
                       "the sealed Livret 2 of a candidate of an open or closed session the juror sits on",
                       _jury_livret)
SESSION_DOCUMENT = Relation("document of their organisation's session",
                            "a document issued by a jury session of the person's organisation (or one they "
                            "manage): its sealed PV and grids, the certificates issued when its PV was sealed",
                            _session_document)
STAFF_DOCUMENT = Relation("organisation's document",
                          "a document of a dossier opened with the person's organisation, once submitted, or "
                          "issued by a jury session of that organisation (sealed PV and grids, certificates)",
                          _staff_document)
JURY_DOCUMENT = Relation("document of their jury",
                         "the sealed Livret 2 of a candidate of an open or closed session the juror sits on, and "
                         "the sealed PV and grids of a session they sit on (they signed them)", _jury_document)
ORGANISATION_SESSION = Relation("organisation's session",
                                "a jury session of the person's organisation (or one they manage)",
                                _organisation_session)
SITS_ON = Relation("session they sit on", "a jury session the juror sits on, whatever its state", _sits_on)
HAS_ORGANISATION = Relation("with an organisation", "the person belongs to an organisation; what they see is "
                            "limited to that organisation", _has_organisation)
OWN_ORGANISATION = Relation("own organisation", "the person's own organisation", _own_organisation)
ANYONE = Relation("any", "always (no object to check, or any object of the kind)", _anyone)
ORGANISATION_REQUEST = Relation("organisation's rights request",
                                "a request about personal data (access, rectification, erasure, objection) made to "
                                "the person's organisation", _organisation_request)
PLATFORM_REQUEST = Relation("platform's rights request",
                            "a request about personal data that concerns no organisation", _platform_request)
