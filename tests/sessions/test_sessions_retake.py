"""RS6776: one free retake within a year of a failure — who may be added to a new session, as which attempt."""
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.sessions.conftest import page, session_of, text


@pytest.fixture
def sat(app, manager, create_admissible_dossier, create_jury_session):
    """``sat(name, outcome, retake_days=335, sealed=True, attempts=1)``: a RS6776 dossier that sat
    ``attempts`` closed sessions, the last one decided with ``outcome`` (rows built directly)."""
    from core.extensions import db
    from core.jury.models import JuryDecision, JurySession

    def make(last_name, outcome, retake_days=335, sealed=True, attempts=1):
        dossier = create_admissible_dossier("RS6776", first_name="Alex", last_name=last_name, status="decided")
        for attempt in range(1, attempts + 1):
            session_id = create_jury_session("RS6776", manager=manager, dossiers=[dossier], status="closed",
                                             days_ahead=-30 * (attempts - attempt + 1))
            with app.app_context():
                candidate = db.session.get(JurySession, session_id).candidates[0]
                candidate.attempt = attempt
                last = attempt == attempts
                failed = outcome if last else "non_acquise"
                db.session.add(JuryDecision(
                    candidate_id=candidate.id, outcome=failed, recorded_by_id=manager.id,
                    sealed_at=datetime.now(timezone.utc) if (sealed or not last) else None,
                    retake_until=(date.today() + timedelta(days=retake_days)) if failed != "acquise" else None))
                db.session.commit()
        return dossier

    return make


def test_a_failed_candidate_retakes_once_within_the_window(app, manager_client, manager, sat, create_user,
                                                           create_jury_session, outbox):
    failed = sat("Echec", "non_acquise")
    passed = sat("Reussite", "acquise")
    too_late = sat("Tardif", "non_acquise", retake_days=10)  # the window ends before the session
    unsealed = sat("Nonscelle", "non_acquise", sealed=False)
    twice = sat("Deuxfois", "non_acquise", attempts=2)  # already used the retake
    juror = create_user("juror", first_name="Inès", last_name="Interne")
    session_id = create_jury_session("RS6776", manager=manager, days_ahead=30, title="Rattrapages de juin")
    from core.extensions import db
    from core.jury.models import JurySession, SessionJuror

    with app.app_context():  # one internal juror without experience: RS6776 has no composition rule
        session = db.session.get(JurySession, session_id)
        session.jurors.append(SessionJuror(
            user_id=juror.id, position="Formatrice", company="Inkréa", professional=False, experience_years=0,
            external=False))
        db.session.commit()

    body = page(manager_client.get(f"/sessions/{session_id}"))
    assert f"ECHEC Alex – {failed.reference} – Rattrapage (passage n° 2)" in body
    for other in (passed, too_late, unsealed, twice):
        assert other.reference not in body, other.reference
    for other in (passed, too_late, unsealed, twice):
        response = manager_client.post(f"/sessions/{session_id}/candidats", data={"dossier_id": str(other.id)})
        assert response.status_code == 422, other.reference

    response = manager_client.post(f"/sessions/{session_id}/candidats", data={"dossier_id": str(failed.id)})
    assert response.status_code == 302, page(response)
    (candidate,) = session_of(app, session_id).candidates
    assert candidate.attempt == 2 and candidate.dossier_id == failed.id
    shown = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Rattrapage (passage n° 2)" in shown
    assert "Aucun point bloquant" in shown  # RS6776 declares no composition rule

    assert manager_client.post(f"/sessions/{session_id}/ouvrir").status_code == 302
    mail = next(m for m in outbox() if "Convocation" in m["Subject"])
    assert "Il s'agit de votre rattrapage (passage n° 2)." in mail.get_content()


def test_retake_window_is_checked_against_the_session_day(app, manager, sat, create_jury_session):
    from core.extensions import db
    from core.jury.models import JurySession
    from core.sessions.members import eligible_dossiers

    failed = sat("Fenetre", "non_acquise", retake_days=40)
    inside = create_jury_session("RS6776", manager=manager, days_ahead=39)
    outside = create_jury_session("RS6776", manager=manager, days_ahead=45)
    with app.test_request_context():
        assert [(e.dossier.id, e.attempt) for e in eligible_dossiers(db.session.get(JurySession, inside))] == [
            (failed.id, 2)]
        assert eligible_dossiers(db.session.get(JurySession, outside)) == []
