"""Fixtures of the register and records tests: two organisations delivering the installed certifications, their
admins and staff, a platform admin, a candidate with a dossier at each, and API tokens.

Imported by the test modules (``from tests.privacy.register_support import *``): the privacy area's other test
modules keep their own fixtures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

CODE = "RNCP37827"
OTHER_CODE = "RS6776"
__all__ = ["CODE", "OTHER_CODE", "People", "people", "token_for", "events", "add_request", "audit_payloads"]


@dataclass
class People:
    org_s: Any
    org_i: Any
    admin_s: Any
    admin_i: Any
    staff_s: Any
    platform: Any
    candidate: Any  # a dossier with org S (submitted)
    other_candidate: Any  # a dossier with org I only
    juror: Any


@pytest.fixture
def people(app, create_organisation, create_user) -> People:
    from core.auth.models import DeliveryRole, OrganisationCertification
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    org_s = create_organisation("Simplon Registre", contact_email="dpo@simplon.example.org",
                                address="55 rue de Vincennes, 93100 Montreuil")
    org_i = create_organisation("Inkréa Registre", contact_email="contact@inkrea.example.org")
    with app.app_context():
        db.session.add_all([
            OrganisationCertification(organisation_id=org_s.id, certification_code=CODE, role=DeliveryRole.CERTIFIER),
            OrganisationCertification(organisation_id=org_i.id, certification_code=CODE, role=DeliveryRole.CENTRE),
            OrganisationCertification(organisation_id=org_i.id, certification_code=OTHER_CODE,
                                      role=DeliveryRole.CERTIFIER)])
        db.session.commit()
    candidate = create_user("candidate", email="camille.martin@example.org", first_name="Camille",
                            last_name="Martin")
    other = create_user("candidate", email="sacha.bernard@example.org", first_name="Sacha", last_name="Bernard")
    with app.app_context():
        for user, org in ((candidate, org_s), (other, org_i)):
            dossier = Dossier(candidate_id=user.id, certification_code=CODE, status=DossierStatus.SUBMITTED,
                              organisation_id=org.id, submitted_at=datetime.now(timezone.utc))
            db.session.add(dossier)
            db.session.flush()
            dossier.reference = f"{CODE}-2026-{dossier.id:06d}"
        db.session.commit()
    return People(
        org_s=org_s, org_i=org_i,
        admin_s=create_user("certifier_admin", organisation=org_s, first_name="Alex", last_name="Moreau"),
        admin_i=create_user("certifier_admin", organisation=org_i, first_name="Lou", last_name="Fournier"),
        staff_s=create_user("certifier_staff", organisation=org_s, first_name="Sam", last_name="Durand"),
        platform=create_user("platform_admin", first_name="Dominique", last_name="Plateforme"),
        candidate=candidate, other_candidate=other, juror=create_user("juror"))


@pytest.fixture
def token_for(app):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user) -> dict:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory


def events(app, prefix: str = "privacy_request.") -> list[Any]:
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like(prefix + "%"))
                                  .order_by(AuditEvent.id)).all()
        return [(e.action, e.actor_id, e.object_id, dict(e.payload or {})) for e in rows]


def audit_payloads(app) -> str:
    return repr(events(app))


def add_request(app, *, organisation_id, kind="access", status="open", subject_id=None, subject_label="",
                channel="self_service", days_ago: int = 0, created_by_id=None) -> int:
    """A row of the register as another part of the platform writes it (self-service) or as time left it."""
    from core.extensions import db
    from core.privacy.models import PrivacyRequest, RequestKind, RequestStatus
    from core.privacy.register import due_date

    received = datetime.now(timezone.utc) - timedelta(days=days_ago)
    with app.app_context():
        row = PrivacyRequest(organisation_id=organisation_id, kind=RequestKind(kind), status=RequestStatus(status),
                             subject_id=subject_id, subject_label=subject_label, channel=channel,
                             received_at=received, due_at=due_date(received), created_by_id=created_by_id,
                             handled_at=received if status != "open" else None,
                             response="Fait depuis son compte." if status != "open" else "")
        db.session.add(row)
        db.session.commit()
        return row.id
