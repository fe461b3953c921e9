"""Fixtures of the deliberation tests: an open session with two jurors, signed-in clients."""
from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def jury_session(app, create_user, certifier_org, create_admissible_dossier, create_jury_session):
    """``jury_session(code, candidates=1, status="open")``: a session of ``code`` with its manager,
    two jurors (Alice Jurée, Bruno Juré) and ``candidates`` admissible dossiers."""
    from core.extensions import db
    from core.jury.models import JurySession

    def factory(code: str = "RNCP37827", candidates: int = 1, status: str = "open"):
        org = certifier_org(code)
        manager = create_user("session_manager", organisation=org, first_name="Morgane", last_name="Responsable")
        jurors = [create_user("juror", first_name="Alice", last_name="Jurée"),
                  create_user("juror", first_name="Bruno", last_name="Juré")]
        dossiers = [create_admissible_dossier(code, first_name=f"Camille{i}", last_name="Candidate")
                    for i in range(1, candidates + 1)]
        session_id = create_jury_session(code, manager=manager, jurors=jurors, dossiers=dossiers, status=status,
                                         title=f"Session {code} de test")
        with app.app_context():
            candidate_ids = [c.id for c in db.session.get(JurySession, session_id).candidates]
        return SimpleNamespace(id=session_id, code=code, org=org, manager=manager, jurors=jurors, dossiers=dossiers,
                               candidates=candidate_ids)

    return factory


@pytest.fixture
def signed_in(app, login):
    """``signed_in(user)``: a new test client signed in as ``user``."""

    def factory(user):
        client = app.test_client()
        login(user, test_client=client)
        return client

    return factory
