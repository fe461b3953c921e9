from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from core.testing import organisation_id_for

BASE = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def org_with(app, create_organisation) -> Callable[..., Any]:
    """``org_with("RNCP37827", ...)``: an organisation delivering these certifications."""
    from core.auth.models import OrganisationCertification
    from core.extensions import db

    def factory(*codes: str, name: str = "Simplon"):
        org = create_organisation(name)
        with app.app_context():
            for code in codes:
                db.session.add(OrganisationCertification(organisation_id=org.id, certification_code=code))
            db.session.commit()
        return org

    return factory


@pytest.fixture
def make_dossiers(app) -> Callable[..., list[int]]:
    """``make_dossiers([{...}, ...])``: dossiers (and their candidates) inserted directly; returns their ids.

    Each spec: ``code``, ``status`` (default "submitted"), ``submitted_at`` (default BASE + i hours),
    ``last_name``, ``first_name``, ``email``.
    """
    from core.auth.models import Role, User
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    counter = iter(range(1, 1_000_000))

    def factory(specs: list[dict[str, Any]]) -> list[int]:
        ids = []
        with app.app_context():
            for i, spec in enumerate(specs):
                n = next(counter)
                user = User(email=spec.get("email", f"cand{n}@example.org").lower(), password_hash="x",
                            first_name=spec.get("first_name", f"Prénom{n}"),
                            last_name=spec.get("last_name", f"Nom{n:04d}"), role=Role.CANDIDATE)
                status = DossierStatus(spec.get("status", "submitted"))
                submitted = spec.get("submitted_at", BASE + timedelta(hours=n))
                code = spec.get("code", "RNCP37827")
                dossier = Dossier(candidate=user, certification_code=code, status=status,
                                  submitted_at=None if status is DossierStatus.DRAFT else submitted,
                                  organisation_id=spec.get("organisation_id") or organisation_id_for(code))
                db.session.add(dossier)
                db.session.flush()
                dossier.reference = f"{dossier.certification_code}-2026-{dossier.id:06d}"
                ids.append(dossier.id)
            db.session.commit()
        return ids

    return factory


@pytest.fixture
def staff(create_user, org_with):
    org = org_with("RNCP37827", "RS6776")
    return create_user(role="certifier_staff", organisation=org, first_name="Sam", last_name="Staff")


@pytest.fixture
def api_token(app) -> Callable[..., dict]:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user: Any) -> dict:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory
