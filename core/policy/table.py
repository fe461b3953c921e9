"""The policy: who may do what on which object, one table for pages and API alike.

``POLICY[action]`` maps each role allowed to do ``action`` to the relation the
object must have to that person (:mod:`core.policy.relations`). A role absent
from an action's entry may never do it. Three pseudo-actions need no entry:
``PUBLIC`` (anyone, signed in or not) and ``SIGNED_IN`` (any signed-in person,
on their own account).

``ACTIONS[action]`` says what kind of object the action is checked on and
whether a refusal hides (404: the object's, or the page's, existence must not
leak) or explains itself (403 with a reason: the person may see the object
but not do this with it, e.g. a session manager recording a decision).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.auth.models import Role
from core.policy.relations import (
    ANYONE,
    HAS_ORGANISATION,
    JURY_DOCUMENT,
    JURY_DOSSIER,
    ORGANISATION_DOSSIER,
    ORGANISATION_REQUEST,
    ORGANISATION_SESSION,
    OWN_DOSSIER,
    PLATFORM_REQUEST,
    SESSION_DOCUMENT,
    SITS_ON,
    STAFF_DOCUMENT,
    Relation,
)

PUBLIC = "public"
SIGNED_IN = "signed_in"
OPERATOR = "operator"

CANDIDATE = Role.CANDIDATE
JUROR = Role.JUROR
MANAGER = Role.SESSION_MANAGER
STAFF = Role.CERTIFIER_STAFF
ADMIN = Role.CERTIFIER_ADMIN
PLATFORM = Role.PLATFORM_ADMIN


@dataclass(frozen=True)
class Action:
    target: str  # dossier, document, session, organisation, none
    description: str
    hide: bool = True  # refused: 404 (True) or 403 (False)


ACTIONS: dict[str, Action] = {
    "dossier.create": Action("none", "open a dossier", hide=False),
    "dossier.view": Action("dossier", "read a dossier, its sections, annexes, documents and preview"),
    "dossier.edit": Action("dossier", "change a dossier: sections, annexes, submission"),
    "dossier.review": Action("dossier", "decide admissibility, request corrections, write review notes"),
    "fee.view": Action("dossier", "read the fee of a dossier"),
    "fee.pay": Action("dossier", "pay or have the fee paid (payer's e-mail, online payment)"),
    "fee.manage": Action("dossier", "record a payment or waive a fee"),
    "document.view": Action("document", "read and download an issued document (the generic documents route)"),
    "backoffice.list": Action("none", "list, search and export the organisation's dossiers; fee statements",
                              hide=False),
    "organisation.figures": Action("none", "read the organisation's figures"),
    "organisation.manage": Action("none", "change the organisation: details, certifications asked for and "
                                          "enabled, staff, seal, time-stamping"),
    "organisation.webhooks": Action("none", "register and follow the organisation's webhooks (API)", hide=False),
    "organisation.retention": Action("none", "read the retention rules of the organisation's certifications and "
                                             "what goes next month; change the periods within their bounds"),
    "organisation.grant": Action("organisation", "grant or withdraw a certification to an organisation"),
    "session.list": Action("none", "list the jury sessions one may see"),
    "session.create": Action("none", "plan a jury session", hide=False),
    "session.view": Action("session", "read a jury session and its documents"),
    "session.manage": Action("session", "plan and run a session: jurors, candidates, timetable, attendance, "
                                        "PV generation"),
    "session.declare": Action("session", "declare one's independence from the session's candidates"),
    "session.evaluate": Action("session", "read the candidates' dossiers and fill one's grid (once the "
                                          "session is open: 409 before)"),
    "session.deliberate": Action("session", "record the jury's decisions (while the session is open)",
                                 hide=False),
    "session.sign": Action("session", "sign the session's grids and PV when one is a planned signer",
                           hide=False),
    "privacy.register": Action("none", "read the register of rights requests (personal data) and record a "
                                       "request received by another channel", hide=False),
    "privacy.request": Action("none", "read and handle one rights request of the register (its organisation's "
                                      "admin; 404 to anybody else)"),
}

_STAFF_ON_DOSSIER = {STAFF: ORGANISATION_DOSSIER, ADMIN: ORGANISATION_DOSSIER}

POLICY: dict[str, dict[Role, Relation]] = {
    "dossier.create": {CANDIDATE: ANYONE},
    "dossier.view": {CANDIDATE: OWN_DOSSIER, **_STAFF_ON_DOSSIER, JUROR: JURY_DOSSIER},
    "dossier.edit": {CANDIDATE: OWN_DOSSIER},
    "dossier.review": dict(_STAFF_ON_DOSSIER),
    "fee.view": {CANDIDATE: OWN_DOSSIER, **_STAFF_ON_DOSSIER},
    "fee.pay": {CANDIDATE: OWN_DOSSIER},
    "fee.manage": dict(_STAFF_ON_DOSSIER),
    "document.view": {CANDIDATE: OWN_DOSSIER, STAFF: STAFF_DOCUMENT, ADMIN: STAFF_DOCUMENT, JUROR: JURY_DOCUMENT,
                      MANAGER: SESSION_DOCUMENT},
    "backoffice.list": {STAFF: HAS_ORGANISATION, ADMIN: HAS_ORGANISATION},
    "organisation.figures": {STAFF: HAS_ORGANISATION, ADMIN: HAS_ORGANISATION},
    "organisation.manage": {ADMIN: HAS_ORGANISATION},
    "organisation.webhooks": {ADMIN: HAS_ORGANISATION},
    "organisation.retention": {ADMIN: HAS_ORGANISATION},
    "organisation.grant": {PLATFORM: ANYONE},
    "session.list": {MANAGER: ANYONE, JUROR: ANYONE, STAFF: HAS_ORGANISATION, ADMIN: HAS_ORGANISATION},
    "session.create": {MANAGER: HAS_ORGANISATION},
    "session.view": {MANAGER: ORGANISATION_SESSION, JUROR: SITS_ON, STAFF: ORGANISATION_SESSION,
                     ADMIN: ORGANISATION_SESSION},
    "session.manage": {MANAGER: ORGANISATION_SESSION},
    "session.declare": {JUROR: SITS_ON},
    "session.evaluate": {JUROR: SITS_ON},
    "session.deliberate": {JUROR: SITS_ON},
    "session.sign": {JUROR: SITS_ON, MANAGER: ORGANISATION_SESSION},
    "privacy.register": {ADMIN: HAS_ORGANISATION, PLATFORM: ANYONE},
    "privacy.request": {ADMIN: ORGANISATION_REQUEST, PLATFORM: PLATFORM_REQUEST},
}
