"""A candidate for one block passes that block's oral (RNCP37827 Annexe 1): the slot follows the block,
the timetable adds the passages up, and the PV's « Voie d'accès » is the route the dossier was opened on."""
from tests.sessions.conftest import page, text


def _on_route(app, dossier, route, block=None):
    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        row = db.session.get(Dossier, dossier.id)
        row.route, row.target_block = route, block
        db.session.commit()


def test_a_block_2_candidate_gets_the_45_minute_oral_and_the_timetable_adds_up(
        app, client, manager, manager_client, api_headers, create_admissible_dossier):
    title = create_admissible_dossier("RNCP37827", first_name="Théo", last_name="Titre")
    bloc2 = create_admissible_dossier("RNCP37827", first_name="Bérénice", last_name="Bloc")
    bloc1 = create_admissible_dossier("RNCP37827", first_name="Ugo", last_name="Un")
    _on_route(app, bloc2, "formation", "BC02")
    _on_route(app, bloc1, "formation", "BC01")
    h = api_headers(manager)
    created = client.post("/api/v1/sessions", headers=h, json={
        "certification": "RNCP37827", "title": "Session mixte", "starts_at": "2030-06-03T09:00:00+02:00",
        "video_link": "https://visio.example.org/jury"}).json
    base = f"/api/v1/sessions/{created['id']}"
    assert created["slot_minutes"] == 120  # Annexe 2, the title
    added = {}
    for dossier in (title, bloc2, bloc1):
        response = client.post(f"{base}/candidates", headers=h, json={"dossier_id": dossier.id})
        assert response.status_code == 201, response.json
        added[dossier.id] = response.json
    # the title: 120 minutes; block 2: review 10 + oral 45 + deliberation 10 + break 5; block 1: 10 + 25 + 15
    assert [added[d.id]["slot_minutes"] for d in (title, bloc2, bloc1)] == [120, 70, 50]
    assert [added[d.id]["block"] for d in (title, bloc2, bloc1)] == [None, "BC02", "BC01"]
    assert [added[d.id]["access_route"] for d in (title, bloc2, bloc1)] == ["VAE", "Formation", "Formation"]
    starts = [c["starts_at"] for c in client.get(base, headers=h).json["candidates"]]
    assert starts == ["2030-06-03T07:00:00Z", "2030-06-03T09:00:00Z", "2030-06-03T10:10:00Z"]
    # convoked at the first step with the candidate: after the 10-minute review of the dossier
    assert added[bloc2.id]["convocation_at"] == "2030-06-03T09:10:00Z"

    # the session page shows the block oral's steps, 45 minutes with the candidate
    from core.jury.models import JurySession, SessionCandidate
    from core.extensions import db
    from core.sessions.services import steps_of
    from core.sessions.timetable import oral_minutes

    with app.app_context():
        session = db.session.get(JurySession, created["id"])
        candidate = next(c for c in session.candidates if c.dossier_id == bloc2.id)
        assert oral_minutes(session, candidate) == 45
        steps = steps_of(session, candidate)
        assert [s.minutes for s in steps if s.with_candidate] == [15, 20, 10]
        assert steps[1].title.startswith("Oral de passage du bloc 2 – E2 : Présentation orale")
        assert isinstance(candidate, SessionCandidate)
    html = page(manager_client.get(f"/sessions/{created['id']}"))
    assert "Oral de passage du bloc 2 – E2+E3 : Échanges avec le jury" in html
    assert "Oral de passage du bloc 1 – E1 : Présentation orale (livrable : Rapport 2-5p)" in html

    # the access route is the dossier's: another one is refused with the reason
    other = create_admissible_dossier("RNCP37827")
    response = client.post(f"{base}/candidates", headers=h, json={"dossier_id": other.id,
                                                                   "access_route": "Formation"})
    assert response.status_code == 422
    assert "« VAE »" in response.json["error"]["details"]["access_route"][0]


def test_the_session_page_adds_a_candidate_with_the_route_of_the_dossier(
        app, manager_client, create_admissible_dossier, create_jury_session, manager):
    from tests.sessions.conftest import session_of

    dossier = create_admissible_dossier("RNCP37827", first_name="Fanny", last_name="Formation")
    _on_route(app, dossier, "formation", "BC03")
    session_id = create_jury_session("RNCP37827", manager=manager)
    html = page(manager_client.get(f"/sessions/{session_id}"))
    assert 'name="access_route"' not in html  # no longer asked: it is the dossier's
    response = manager_client.post(f"/sessions/{session_id}/candidats", data={"dossier_id": str(dossier.id)})
    assert response.status_code == 302, page(response)
    (candidate,) = session_of(app, session_id).candidates
    assert candidate.access_route == "Formation"
    timetable = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Oral de passage du bloc 3 – E4 : Présentation orale incluant démonstration" in timetable
    assert "Passage n° 1 : Fanny Formation" in timetable
