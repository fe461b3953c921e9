"""Granting certifications to organisations: only a platform admin does it, and it is audited.

A certification is delivered by its certifier (one organisation, the one the
plugin names) and by the partner centres the certifier habilitated. A grant
makes the organisation deliver it: candidates may open dossiers with it and
its staff see those dossiers, and only those (every query is scoped by
organisation id). Withdrawing is refused while the organisation still has
unfinished dossiers of that certification.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import DeliveryRole, Organisation, OrganisationCertification, User, utcnow
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.policy import require


def organisations(actor: User) -> list[Organisation]:
    require(actor, "organisation.grant")
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def organisation_for(actor: User, organisation_id: int) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(code="organisation_not_found")
    require(actor, "organisation.grant", org, code="organisation_not_found")
    return org


def pending_requests(actor: User) -> list[OrganisationCertification]:
    require(actor, "organisation.grant")
    return list(db.session.scalars(select(OrganisationCertification).where(
        OrganisationCertification.granted_at.is_(None)).order_by(OrganisationCertification.requested_at)))


def _installed(code: str):
    cert = current_app.extensions["livret"].certifications.get(code)
    if cert is None:
        message = _("La certification %(code)s n'est pas installée.", code=code)
        raise ValidationFailed(message, details={"certification": [message]})
    return cert


def parse_role(raw: str | None) -> DeliveryRole:
    try:
        return DeliveryRole(raw or "")
    except ValueError:
        message = _("Choisissez « certificateur » ou « centre habilité ».")
        raise ValidationFailed(message, details={"role": [message]}) from None


def grant(org: Organisation, code: str, role: DeliveryRole, *, actor: User) -> OrganisationCertification:
    """Grant ``code`` to ``org`` as ``role`` (a pending request becomes a grant). A certification has one
    certifier: granting a second one is refused (409 naming the first)."""
    require(actor, "organisation.grant", org)
    cert = _installed(code)
    if role is DeliveryRole.CERTIFIER:
        other = db.session.scalar(select(OrganisationCertification).where(
            OrganisationCertification.certification_code == cert.code,
            OrganisationCertification.role == DeliveryRole.CERTIFIER,
            OrganisationCertification.granted_at.is_not(None),
            OrganisationCertification.organisation_id != org.id))
        if other is not None:
            raise Conflict(_("%(org)s est déjà le certificateur de %(code)s : accordez-la comme centre habilité.",
                             org=other.organisation.name, code=cert.code), code="certifier_exists",
                           details={"organisation_id": other.organisation_id})
    link = db.session.get(OrganisationCertification, (org.id, cert.code))
    if link is not None and link.granted and link.role is role:
        return link
    if link is None:
        link = OrganisationCertification(organisation_id=org.id, certification_code=cert.code)
        db.session.add(link)
    link.role = role
    link.enabled = True
    link.granted_at = utcnow()
    link.granted_by_id = actor.id
    db.session.flush()
    db.session.expire(org, ["certifications"])
    record("organisation.certification_granted", "organisation", org.id, actor_id=actor.id,
           payload={"certification": cert.code, "role": role.value})
    return link


def withdraw(org: Organisation, code: str, *, actor: User) -> None:
    """Withdraw a grant (or refuse a pending request). Refused (409) while the organisation has unfinished
    dossiers of that certification."""
    from core.organisations.services import open_dossier_count

    require(actor, "organisation.grant", org)
    link = db.session.get(OrganisationCertification, (org.id, code))
    if link is None:
        raise NotFound(_("L'organisme n'a ni reçu ni demandé la certification %(code)s.", code=code),
                       code="grant_not_found")
    count = open_dossier_count(code, org.id)
    if count:
        raise Conflict(_("La certification %(code)s ne peut pas être retirée à %(org)s : %(n)d dossier(s) en cours "
                         "(non clos) de l'organisme l'utilisent encore.", code=code, org=org.name, n=count),
                       code="open_dossiers", details={"certification": code, "open_dossiers": count})
    was_granted = link.granted
    db.session.delete(link)
    db.session.flush()
    db.session.expire(org, ["certifications"])
    record("organisation.certification_withdrawn" if was_granted else "organisation.certification_refused",
           "organisation", org.id, actor_id=actor.id, payload={"certification": code})
