"""Journey of a queued seal (issue 15 §2) in a real browser: Simplon.co's session manager opens the
procès-verbal page of a session whose PV waits for its seal after a failed attempt, reads the progress and
the French reason, relaunches the seal with the page's form (CSRF token from the page), and is told it was
relaunched; the PV still waits (its stored bytes are gone: the new attempt fails too, and says so).

The session and its PV row are made through the models and removed at the end, so that the other journeys
of the worker meet the demo as it is."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

MANAGER = ("responsable@demo.livret.fr", "demo-responsable-2026")


def _waiting_pv(app) -> tuple[int, int]:
    from sqlalchemy import select

    from core.auth.models import User
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus, SignedDocument, SignedDocumentStatus

    with app.test_request_context("/"):
        manager = db.session.scalar(select(User).where(User.email == MANAGER[0]))
        starts = (datetime.now(timezone.utc) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        session = JurySession(organisation_id=manager.organisation_id, certification_code="RNCP37827",
                              title="Session au cachet en attente", starts_at=starts, ends_on=starts.date(),
                              centre="Centre de Lyon", address="12 rue de la Certification, 69002 Lyon",
                              schedule=[{"title": "Entretien", "minutes": 30, "with_candidate": True}],
                              status=SessionStatus.OPEN, opened_at=starts, manager_id=manager.id)
        db.session.add(session)
        db.session.flush()
        pv = SignedDocument(session_id=session.id, kind="pv", status=SignedDocumentStatus.SEALING, planned=[],
                            signatures=[], storage_key=f"jury/{session.id}/disparu", sha256="0" * 64, size=0,
                            created_by_id=manager.id, seal_attempted_at=starts,
                            seal_error="Le service d'horodatage ne répond pas : le document n'a pas été scellé.")
        db.session.add(pv)
        db.session.commit()
        return session.id, pv.id


def _clean_up(app, session_id: int, pv_id: int) -> None:
    from sqlalchemy import delete

    from core.extensions import db
    from core.jury.models import JurySession, SignedDocument

    with app.test_request_context("/"):
        db.session.execute(delete(SignedDocument).where(SignedDocument.id == pv_id))
        db.session.execute(delete(JurySession).where(JurySession.id == session_id))
        db.session.commit()


def test_the_manager_follows_and_relaunches_a_waiting_seal(people):
    app = people.app
    session_id, pv_id = _waiting_pv(app)
    try:
        manager = people.open_as(*MANAGER, name="responsable")
        manager.goto(f"/sessions/{session_id}/pv", "procès-verbal, cachet en attente")
        page = manager.page
        block = page.get_by_role("region", name="Scellement des documents signés")
        assert block.is_visible()
        assert "0 document(s) scellé(s) sur 1 signé(s)." in block.inner_text()
        assert page.get_by_role("alert").filter(has_text="Le service d'horodatage ne répond pas").is_visible()
        assert block.locator("progress").get_attribute("max") == "1"
        row = page.get_by_role("row", name="Procès-verbal n° 1")
        assert "Signé, scellement en cours" in row.inner_text() and "Cachet de l'organisme : en cours" in row.inner_text()
        assert row.get_by_role("link", name="Télécharger le PDF signé, en attente du cachet").is_visible()
        manager.submit("Relancer le scellement", "scellement relancé", expect_url=f"/sessions/{session_id}/pv$")
        assert page.get_by_text("Le scellement de 1 document a été relancé.").is_visible()
        # the new attempt failed as well (the bytes are gone): the page says why, and the PV still waits
        block = page.get_by_role("region", name="Scellement des documents signés")
        assert "Le scellement a échoué : il sera retenté." in block.inner_text()
        with app.app_context():
            from core.extensions import db
            from core.jury.models import SignedDocument

            assert db.session.get(SignedDocument, pv_id).status.value == "sealing"
    finally:
        _clean_up(app, session_id, pv_id)
