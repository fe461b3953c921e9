"""Fixtures of the fee tests: a throwaway certification with a 300 € fee, one without, dossiers, staff."""
from __future__ import annotations

from typing import Any

import pytest

from core.certifications.descriptor import Fee
from core.hookspecs import hookimpl
from core.sealing.testing import app_config, signing_env  # noqa: F401 - receipts are sealed
from core.testing import make_certification, organisation_id_for

from fees_data import CODE, COVERS, FREE  # tests/fees/fees_data.py


class FeePlugin:
    @hookimpl
    def livret_certifications(self):
        return [make_certification(CODE, "Certification payante",
                                   fee=Fee(30000, label="Frais de recevabilité", covers=COVERS, refundable=False)),
                make_certification(FREE, "Certification sans frais", fee=None)]


@pytest.fixture
def plugin(register_plugin):
    return register_plugin(FeePlugin(), "feeplugin")


@pytest.fixture
def org(app, create_organisation):
    from core.auth.models import OrganisationCertification
    from core.extensions import db

    organisation = create_organisation("Simplon Test", siret="73282932000074",
                                       address="55 rue de Vincennes, 93100 Montreuil")
    with app.app_context():
        for code in (CODE, FREE):
            db.session.add(OrganisationCertification(organisation_id=organisation.id, certification_code=code))
        db.session.commit()
    return organisation


@pytest.fixture
def staff(create_user, org):
    return create_user("certifier_staff", organisation=org, first_name="Sam", last_name="Staff")


@pytest.fixture
def make_dossier(app):
    """``make_dossier(candidate, financing={"mode": "individuel"}, code=CODE)`` → dossier id (submitted).

    As a submission does, the fee request is created with the dossier; ``requested=False`` leaves it
    out (a dossier submitted before requests were created at submission).
    """
    from core.auth.models import User
    from core.dossiers.models import Dossier, DossierStatus, SectionDraft
    from core.extensions import db
    from core.fees.services import ensure_request

    def factory(candidate: Any, financing: dict | None = None, code: str = CODE, requested: bool = True) -> int:
        with app.app_context():
            dossier = Dossier(candidate_id=candidate.id, certification_code=code, status=DossierStatus.SUBMITTED,
                              organisation_id=organisation_id_for(code))
            db.session.add(dossier)
            db.session.flush()
            dossier.reference = f"{code}-2026-{dossier.id:06d}"
            if financing is not None:
                db.session.add(SectionDraft(dossier=dossier, key="financement", data=financing, complete=True))
            if requested:
                db.session.flush()
                ensure_request(dossier, actor=db.session.get(User, candidate.id))
            db.session.commit()
            return dossier.id

    return factory


@pytest.fixture
def make_token(app):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user: Any) -> str:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return secret

    return factory
