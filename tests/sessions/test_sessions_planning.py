"""Planning a session: information, schedule (RNCP37827 Annexe 2), slots, candidates, jurors."""
from datetime import datetime, timezone

from tests.sessions.conftest import new_session, page, session_of, text


def _utc(moment):
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def test_create_with_the_annexe_2_schedule_and_edit_while_draft(app, manager_client, org):
    form = page(manager_client.get("/sessions/nouvelle"))
    assert "RNCP37827 – Développeur en intelligence artificielle" in form and "RS6776" in form
    assert 'value="Simplon Lyon"' in form  # the centre defaults to the organisation's name

    # neither an address nor a link, a link that is not https, an end before the start: refused, nothing lost
    response = manager_client.post("/sessions/nouvelle", data={
        "certification": "RNCP37827", "title": "Session de mars", "day": "2030-03-14", "clock": "09:00",
        "ends_on": "2030-03-13", "address": "", "video_link": "http://visio.example.org/jury"})
    assert response.status_code == 422
    body = page(response)
    assert "doit être une adresse web sécurisée commençant par https://" in body
    assert "La fin de la session ne peut pas précéder son début." in body
    assert 'aria-describedby="video_link-hint video_link-error"' in body and 'id="error-summary"' in body
    assert 'value="Session de mars"' in body and 'value="http://visio.example.org/jury"' in body
    response = manager_client.post("/sessions/nouvelle", data={
        "certification": "RNCP37827", "title": "Session", "day": "2030-03-14", "clock": "09:00", "address": ""})
    assert "Indiquez l'adresse du lieu de la session ou le lien de la visioconférence" in page(response)
    # a certification the organisation does not deliver
    response = manager_client.post("/sessions/nouvelle", data={
        "certification": "RS9999", "title": "Session", "day": "2030-03-14", "clock": "09:00", "address": "Lyon"})
    assert response.status_code == 422 and "Choisissez une certification délivrée par votre organisme." in page(
        response)

    session_id = new_session(manager_client, video_link="https://visio.example.org/jury-mars")
    session = session_of(app, session_id)
    assert session.status.value == "draft" and session.centre == "Simplon Lyon"
    assert _utc(session.starts_at) == datetime(2030, 3, 14, 8, 0, tzinfo=timezone.utc)  # 09:00 in Paris (CET)
    assert [(s["title"], s["minutes"], s["with_candidate"]) for s in session.schedule] == [
        ("Revue du dossier candidat", 10, False), ("Accueil Installation", 5, True),
        ("Épreuves E1, E3, E4, E2, E5 (selon le déroulé de l'épreuve)", 90, True),
        ("Échanges et délibération", 10, False), ("Pause", 5, False)]
    assert session.slot_minutes == 120

    shown = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Session de mars" in shown and "En préparation" in shown and "14/03/2030 à 09:00" in shown
    assert "https://visio.example.org/jury-mars" in shown and "Responsable pédagogique" in shown
    assert "durée totale : 120 minutes" in shown

    response = manager_client.post(f"/sessions/{session_id}/modifier", data={
        "title": "Session de mars – Lyon", "day": "2030-03-15", "clock": "13:30", "ends_on": "2030-03-16",
        "centre": "Campus Lyon", "address": "", "video_link": "https://visio.example.org/jury-mars",
        "manager_position": "Directrice"})
    assert response.status_code == 302, page(response)
    session = session_of(app, session_id)
    assert session.title == "Session de mars – Lyon" and session.centre == "Campus Lyon"
    assert _utc(session.starts_at) == datetime(2030, 3, 15, 12, 30, tzinfo=timezone.utc)
    assert str(session.ends_on) == "2030-03-16" and session.address == ""
    listing = text(manager_client.get("/sessions"))
    assert "Session de mars – Lyon" in listing and "RNCP37827" in listing and "En préparation" in listing


def test_schedule_slots_order_and_manual_slot(app, manager_client, dossiers):
    session_id = new_session(manager_client)
    for dossier in dossiers:
        response = manager_client.post(f"/sessions/{session_id}/candidats",
                                       data={"dossier_id": str(dossier.id)})
        assert response.status_code == 302, page(response)
    first, second = session_of(app, session_id).candidates
    assert (first.dossier_id, second.dossier_id) == (dossiers[0].id, dossiers[1].id)
    assert _utc(second.starts_at) - _utc(first.starts_at) == __import__("datetime").timedelta(minutes=120)

    # the day's timetable: each candidate's steps with their times (Paris time)
    body = page(manager_client.get(f"/sessions/{session_id}"))
    assert "Passage n° 2 : Sacha Petit" in body
    timetable = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Revue du dossier candidat 11:00 11:10 sans le candidat" in timetable
    assert "Accueil Installation 11:10 11:15 avec le candidat" in timetable

    # editing the schedule: one step changed, one removed, one added in an empty row
    form = page(manager_client.get(f"/sessions/{session_id}/deroule"))
    assert 'name="steps-5-title"' in form and 'name="steps-7-title"' in form  # three empty rows
    data = {"steps-0-title": "Revue du dossier", "steps-0-minutes": "15",
            "steps-1-title": "Accueil", "steps-1-minutes": "5", "steps-1-with_candidate": "y",
            "steps-2-title": "Épreuves", "steps-2-minutes": "90", "steps-2-with_candidate": "y",
            "steps-3-title": "", "steps-3-minutes": "",
            "steps-4-title": "Pause", "steps-4-minutes": "5",
            "steps-5-title": "Délibération", "steps-5-minutes": "xx"}
    response = manager_client.post(f"/sessions/{session_id}/deroule", data=data)
    assert response.status_code == 422
    assert "Saisissez un nombre entier." in page(response) and 'value="Délibération"' in page(response)
    data["steps-5-minutes"] = "10"
    response = manager_client.post(f"/sessions/{session_id}/deroule", data=data)
    assert response.status_code == 302, page(response)
    session = session_of(app, session_id)
    assert [s["title"] for s in session.schedule] == ["Revue du dossier", "Accueil", "Épreuves", "Pause",
                                                      "Délibération"]
    assert session.slot_minutes == 125
    first, second = session.candidates
    assert _utc(second.starts_at) - _utc(first.starts_at) == __import__("datetime").timedelta(minutes=125)

    # a slot set by hand, then the order changes: recomputed from the schedule
    response = manager_client.post(f"/sessions/{session_id}/candidats/{second.id}/horaire",
                                   data={"day": "2030-03-14", "clock": "14:00"})
    assert response.status_code == 302, page(response)
    assert _utc(session_of(app, session_id).candidates[1].starts_at) == datetime(2030, 3, 14, 13, 0,
                                                                                 tzinfo=timezone.utc)
    response = manager_client.post(f"/sessions/{session_id}/candidats/{second.id}/horaire",
                                   data={"day": "2030-03-14", "clock": "25:00"})
    assert response.status_code == 422 and "Saisissez une heure valide" in page(response)
    assert manager_client.post(f"/sessions/{session_id}/candidats/{second.id}/monter").status_code == 302
    rows = sorted(session_of(app, session_id).candidates, key=lambda c: c.position)
    assert [r.dossier_id for r in rows] == [dossiers[1].id, dossiers[0].id]
    assert _utc(rows[0].starts_at) == datetime(2030, 3, 14, 8, 0, tzinfo=timezone.utc)
    assert _utc(rows[1].starts_at) == datetime(2030, 3, 14, 10, 5, tzinfo=timezone.utc)

    # back to the certification's schedule
    assert manager_client.post(f"/sessions/{session_id}/deroule/modele").status_code == 302
    assert session_of(app, session_id).slot_minutes == 120

    # removing a candidate moves the next one up
    assert manager_client.post(f"/sessions/{session_id}/candidats/{rows[0].id}/retirer").status_code == 302
    (left,) = session_of(app, session_id).candidates
    assert left.dossier_id == dossiers[0].id and left.position == 0
    assert _utc(left.starts_at) == datetime(2030, 3, 14, 8, 0, tzinfo=timezone.utc)


def test_eligible_dossiers_and_search(app, manager_client, create_admissible_dossier, dossiers):
    other_cert = create_admissible_dossier("RS6776", first_name="Rémi", last_name="Rs")
    submitted = create_admissible_dossier("RNCP37827", first_name="Paul", last_name="Depose", status="submitted")
    session_id = new_session(manager_client)
    body = page(manager_client.get(f"/sessions/{session_id}"))
    assert "DURAND Camille" in body and "PETIT Sacha" in body
    assert "Rémi" not in body and "DEPOSE" not in body
    searched = page(manager_client.get(f"/sessions/{session_id}?q=petit"))
    assert "PETIT Sacha" in searched and "DURAND Camille" not in searched
    assert f"PETIT Sacha – {dossiers[1].reference}" in page(manager_client.get(
        f"/sessions/{session_id}?q={dossiers[1].reference}"))

    for dossier in (other_cert, submitted):
        response = manager_client.post(f"/sessions/{session_id}/candidats", data={"dossier_id": str(dossier.id)})
        assert response.status_code == 422
        assert "Ce dossier ne peut pas être ajouté" in page(response)
    assert manager_client.post(f"/sessions/{session_id}/candidats",
                               data={"dossier_id": str(dossiers[0].id)}).status_code == 302
    # a dossier planned in a draft session is not offered to another one
    other_id = new_session(manager_client, title="Autre session")
    body = page(manager_client.get(f"/sessions/{other_id}"))
    assert "DURAND Camille" not in body and "PETIT Sacha" in body
    response = manager_client.post(f"/sessions/{other_id}/candidats", data={"dossier_id": str(dossiers[0].id)})
    assert response.status_code == 422


def test_jurors_existing_and_invited(app, manager_client, jurors, create_user, outbox, client):
    session_id = new_session(manager_client)
    base = {"position": "Ingénieure IA", "company": "DataCorp", "professional": "1", "experience_years": "6",
            "external": "1"}
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter", data={**base, "email": jurors[0].email})
    assert response.status_code == 302, page(response)
    (added,) = [m for m in outbox() if m["To"] == jurors[0].email]
    assert f"http://localhost/sessions/{session_id}/declarations" in added.get_content()
    # the same juror twice, a candidate's account, an unknown address without names: refused in French
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter", data={**base, "email": jurors[0].email})
    assert response.status_code == 409 and "fait déjà partie du jury" in page(response)
    candidate = create_user("candidate")
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter", data={**base, "email": candidate.email})
    assert response.status_code == 422 and "n'est pas un compte actif de membre de jury" in page(response)
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter",
                                   data={**base, "email": "nouvelle.jure@example.org", "experience_years": "deux"})
    assert response.status_code == 422 and "Saisissez un nombre entier." in page(response)
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter",
                                   data={**base, "email": "nouvelle.jure@example.org"})
    assert response.status_code == 422
    assert "indiquez le prénom pour inviter ce juré" in page(response)
    assert 'value="nouvelle.jure@example.org"' in page(response)

    # invitation: an account with the juror role and a one-time link to choose a password
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter", data={
        **base, "email": "nouvelle.jure@example.org", "first_name": "Nora", "last_name": "Nouvelle",
        "external": "0", "professional": "0", "experience_years": "1"})
    assert response.status_code == 302, page(response)
    mails = [m for m in outbox() if m["To"] == "nouvelle.jure@example.org"]
    assert len(mails) == 1 and "Invitation à siéger dans un jury" in mails[0]["Subject"]
    content = mails[0].get_content()
    assert "Session de mars" in content and "ne sert qu'une fois" in content
    assert f"/sessions/{session_id}/declarations" in content
    link = next(line for line in content.splitlines() if "/mot-de-passe/reinitialiser/" in line)
    path = link.strip().split("localhost", 1)[1]
    new_password = "un-mot-de-passe-tout-neuf"
    response = client.post(path, data={"password": new_password, "password_confirm": new_password})
    assert response.status_code in (302, 303), page(response)
    assert client.post("/connexion", data={"email": "nouvelle.jure@example.org",
                                           "password": new_password}).status_code in (302, 303)

    session = session_of(app, session_id)
    assert len(session.jurors) == 2
    with app.app_context():
        from core.extensions import db
        from core.jury.models import SessionJuror

        invited = db.session.scalars(db.select(SessionJuror).where(SessionJuror.session_id == session_id)
                                     .order_by(SessionJuror.id)).all()[1]
        assert invited.user.role.value == "juror"
        assert (invited.professional, invited.external, invited.experience_years) == (False, False, 1)
        juror_id = invited.id
    shown = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Nora Nouvelle" in shown and "DataCorp" in shown and "Ingénieure IA" in shown

    response = manager_client.post(f"/sessions/{session_id}/jures/{juror_id}/modifier", data={
        **base, "company": "", "experience_years": "3"})
    assert response.status_code == 422 and "Indiquez l'entreprise du juré" in page(response)
    response = manager_client.post(f"/sessions/{session_id}/jures/{juror_id}/modifier", data={
        **base, "company": "IA Conseil", "experience_years": "3"})
    assert response.status_code == 302
    assert manager_client.post(f"/sessions/{session_id}/jures/{juror_id}/retirer").status_code == 302
    assert [j.user_id for j in session_of(app, session_id).jurors] == [jurors[0].id]


def test_manager_without_organisation(app, create_user, signed_in):
    lonely = create_user("session_manager")
    c = signed_in(lonely)
    message = "n'est rattaché à aucun organisme : vous ne pouvez pas planifier de session"
    assert message in page(c.get("/sessions"))
    assert message in page(c.get("/espace/"))
    response = c.get("/sessions/nouvelle")
    assert response.status_code == 403 and message in page(response)
    response = c.post("/sessions/nouvelle", data={"certification": "RNCP37827", "title": "x", "day": "2030-01-01",
                                                  "clock": "09:00", "address": "Lyon"})
    assert response.status_code == 403


def test_dashboard_links_to_the_sessions(app, manager_client):
    session_id = new_session(manager_client)
    body = page(manager_client.get("/espace/"))
    assert f'href="/sessions/{session_id}"' in body and 'href="/sessions/nouvelle"' in body
