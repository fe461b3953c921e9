"""The session page's buttons through the API: order of passage (``position``), hand-set slot, the schedule
reset and the manager's observations; the same services as the page, refused to everybody else."""
from tests.sessions.conftest import page, session_of


def _order(app, session_id):
    session = session_of(app, session_id)
    return [(c.dossier_id, c.position, c.starts_at.replace(tzinfo=None)) for c in
            sorted(session.candidates, key=lambda c: c.position)]


def _three(create_admissible_dossier, dossiers):
    return [*dossiers, create_admissible_dossier("RNCP37827", first_name="Noa", last_name="Roux")]


def test_position_reorders_like_the_arrows_and_starts_at_sets_the_slot(
        app, client, manager, manager_client, create_jury_session, create_admissible_dossier, dossiers,
        api_headers):
    all_three = _three(create_admissible_dossier, dossiers)
    sid = create_jury_session("RNCP37827", manager=manager, dossiers=all_three)
    other = create_jury_session("RNCP37827", manager=manager, dossiers=[])
    h = api_headers(manager)
    ids = [c["id"] for c in client.get(f"/api/v1/sessions/{sid}/candidates", headers=h).json["items"]]
    before = _order(app, sid)

    # the page's « descendre » on the first, then the API puts it back first: the same slots as before
    assert manager_client.post(f"/sessions/{sid}/candidats/{ids[0]}/descendre").status_code == 302
    moved = _order(app, sid)
    assert [d for d, _p, _s in moved] == [all_three[1].id, all_three[0].id, all_three[2].id]
    response = client.patch(f"/api/v1/sessions/{sid}/candidates/{ids[0]}", headers=h, json={"position": 0})
    assert response.status_code == 200, response.json
    assert response.json["position"] == 0 and _order(app, sid) == before

    # the last one first: the others keep their order, the slots follow
    response = client.patch(f"/api/v1/sessions/{sid}/candidates/{ids[2]}", headers=h, json={"position": 0})
    assert response.status_code == 200
    after = _order(app, sid)
    assert [d for d, _p, _s in after] == [all_three[2].id, all_three[0].id, all_three[1].id]
    assert [s for _d, _p, s in after] == [s for _d, _p, s in before]
    shown = page(manager_client.get(f"/sessions/{sid}"))
    assert shown.index("Noa") < shown.index("Camille") < shown.index("Sacha")

    # both at once: moved, then the slot typed by hand (as the page « horaire » does)
    response = client.patch(f"/api/v1/sessions/{sid}/candidates/{ids[0]}", headers=h,
                            json={"position": 2, "starts_at": "2030-03-14T16:30:00+01:00"})
    assert response.status_code == 200
    assert response.json["position"] == 2 and response.json["starts_at"] == "2030-03-14T15:30:00Z"

    # bad input: 422, nothing changes
    state = _order(app, sid)
    for body in ({}, {"position": 3}, {"position": -1}, {"position": "1"}, {"position": True},
                 {"starts_at": "2030-03-14T16:30:00"}, {"rang": 1}):
        response = client.patch(f"/api/v1/sessions/{sid}/candidates/{ids[1]}", headers=h, json=body)
        assert response.status_code == 422, body
        assert response.json["error"]["code"] == "validation_failed"
    assert "entre 0 (premier) et 2 (dernier)" in client.patch(
        f"/api/v1/sessions/{sid}/candidates/{ids[1]}", headers=h, json={"position": 3}).json["error"]["details"][
        "position"][0]
    assert _order(app, sid) == state
    # a candidate of another session through this session's URL, or this one through the other's: 404
    assert client.patch(f"/api/v1/sessions/{other}/candidates/{ids[1]}", headers=h,
                        json={"position": 0}).status_code == 404
    assert _order(app, sid) == state


def test_reset_schedule_and_observations_are_the_page_buttons(
        app, client, manager, manager_client, create_jury_session, create_admissible_dossier, dossiers, jurors,
        api_headers, create_user, certifier_org):
    draft = create_jury_session("RNCP37827", manager=manager, dossiers=dossiers)
    h = api_headers(manager)
    default = client.get(f"/api/v1/sessions/{draft}", headers=h).json["schedule"]
    custom = [{"title": "Oral", "minutes": 45, "with_candidate": True}]
    assert client.put(f"/api/v1/sessions/{draft}/schedule", headers=h, json={"steps": custom}).status_code == 200

    # the page's « Rétablir le déroulé type » and the API do the same
    assert manager_client.post(f"/sessions/{draft}/deroule/modele").status_code == 302
    by_page = client.get(f"/api/v1/sessions/{draft}", headers=h).json
    assert by_page["schedule"] == default
    client.put(f"/api/v1/sessions/{draft}/schedule", headers=h, json={"steps": custom})
    response = client.post(f"/api/v1/sessions/{draft}/schedule/reset", headers=h)
    assert response.status_code == 200, response.json
    assert response.json["schedule"] == default and response.json["slot_minutes"] == by_page["slot_minutes"]
    assert [c["starts_at"] for c in response.json["candidates"]] == [c["starts_at"] for c in by_page["candidates"]]

    # observations: only while the session runs
    refused = client.put(f"/api/v1/sessions/{draft}/observations", headers=h, json={"observations": "RAS"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "wrong_state"
    opened = create_jury_session("RNCP37827", manager=manager, jurors=jurors,
                                 dossiers=[create_admissible_dossier("RNCP37827")], status="open")
    url = f"/api/v1/sessions/{opened}/observations"
    response = client.put(url, headers=h, json={"observations": "  Session sans incident.  ",
                                                "manager_position": "Directrice"})
    assert response.status_code == 200, response.json
    assert response.json == {"observations": "Session sans incident.", "manager_position": "Directrice",
                             "editable": True}
    detail = client.get(f"/api/v1/sessions/{opened}", headers=h).json
    assert detail["observations"] == "Session sans incident." and detail["manager_position"] == "Directrice"
    assert "Session sans incident." in page(manager_client.get(f"/sessions/{opened}"))
    # the page's form writes the same field
    assert manager_client.post(f"/sessions/{opened}/observations", data={
        "observations": "Une panne de vidéoprojecteur.", "manager_position": "Directrice"}).status_code == 302
    assert client.get(f"/api/v1/sessions/{opened}", headers=h).json["observations"] == "Une panne de vidéoprojecteur."
    # the schedule of an open session is frozen
    assert client.post(f"/api/v1/sessions/{opened}/schedule/reset", headers=h).status_code == 409

    # bad input: 422, nothing written
    for body in ({}, {"observations": "x" * 4001}, {"observations": 3}, {"observations": "ok", "autre": 1},
                 {"observations": "ok", "manager_position": "y" * 201}):
        response = client.put(url, headers=h, json=body)
        assert response.status_code == 422, body
        assert response.json["error"]["code"] == "validation_failed"
    assert client.get(f"/api/v1/sessions/{opened}", headers=h).json["observations"] == "Une panne de vidéoprojecteur."

    # another organisation's manager, a juror of the session, a juror of another session, staff: refused
    other_org = certifier_org("RNCP37827", name="Autre organisme")
    outsiders = [create_user("session_manager", organisation=other_org), jurors[0], create_user("juror"),
                 create_user("certifier_staff", organisation=other_org)]
    for user in outsiders:
        headers = api_headers(user)
        assert client.put(url, headers=headers, json={"observations": "Piraté"}).status_code in (403, 404)
        assert client.post(f"/api/v1/sessions/{draft}/schedule/reset", headers=headers).status_code in (403, 404)
    for user in (outsiders[0], outsiders[2]):
        assert client.put(url, headers=api_headers(user), json={"observations": "Piraté"}).status_code == 404
    assert client.get(f"/api/v1/sessions/{opened}", headers=h).json["observations"] == "Une panne de vidéoprojecteur."
