"""RNCP37827's jury-composition rules on the session page, the jurors' declarations,
the opening (refused with the rules named, then accepted), attendance and observations."""
from datetime import datetime, timedelta, timezone

from tests.sessions.conftest import new_session, page, session_of, text

PRO = {"position": "Ingénieur IA", "company": "DataCorp", "professional": "1", "experience_years": "5",
       "external": "1"}


def _status(app, dossier_id):
    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        return db.session.get(Dossier, dossier_id).status.value


def _audit(app, action):
    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [e.payload for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action))]


def test_a_jury_breaking_the_rules_is_refused_then_a_valid_one_opens(app, manager_client, jurors, dossiers,
                                                                      signed_in, outbox, api_headers):
    session_id = new_session(manager_client)
    for dossier in dossiers:
        assert manager_client.post(f"/sessions/{session_id}/candidats",
                                   data={"dossier_id": str(dossier.id)}).status_code == 302
    first, second = jurors
    assert manager_client.post(f"/sessions/{session_id}/jures/ajouter",
                               data={**PRO, "email": first.email}).status_code == 302
    # the second juror: a professional with one year of experience, from the certifier
    assert manager_client.post(f"/sessions/{session_id}/jures/ajouter", data={
        **PRO, "email": second.email, "experience_years": "1", "external": "0"}).status_code == 302
    session = session_of(app, session_id)
    c1, c2 = sorted(session.candidates, key=lambda c: c.position)
    second_juror = next(j for j in session.jurors if j.user_id == second.id)

    # the first juror declares: no link with Sacha, a link with Camille (box left unticked)
    juror_client = signed_in(first)
    form = page(juror_client.get(f"/sessions/{session_id}/declarations"))
    assert "Camille Durand" in form and "Sacha Petit" in form
    assert "Je n'ai aucun lien professionnel ou personnel avec ce candidat" in form
    assert "Je n'ai pas participé à sa formation ou à sa préparation" in form
    response = juror_client.post(f"/sessions/{session_id}/declarations", data={
        f"c{c1.id}-shown": "1", f"c{c1.id}-no_training": "y",
        f"c{c2.id}-shown": "1", f"c{c2.id}-no_link": "y", f"c{c2.id}-no_training": "y"})
    assert response.status_code == 302
    shown = page(juror_client.get(f"/sessions/{session_id}/declarations"))
    assert "Conflit déclaré le" in shown and "lien professionnel ou personnel." in shown

    # the session page lists every blocking problem, each naming its rule
    body = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Points bloquants" in body
    assert ("Règle « Composé d'au moins 2 professionnels avec à minima 2 années d'expérience dans le "
            "développement et l'IA. » : 1 juré(s) sur 2") in body
    assert "Jules Martin déclare un lien professionnel ou personnel avec Camille Durand" in body
    assert "Julie Bernard n'a pas encore fait sa déclaration pour Camille Durand" in body
    assert "Conflit déclaré : Camille Durand" in body
    assert "Au moins 50% des jurés sont extérieurs" not in body.split("Points bloquants")[1].split(
        "Les règles de la certification")[0]  # 1 external juror out of 2 is 50 %: respected

    # opening is refused, with every rule named; nothing changes
    response = manager_client.post(f"/sessions/{session_id}/ouvrir")
    assert response.status_code == 409
    refused = text(response)
    assert "La session n'a pas été ouverte" in refused
    assert "Composé d'au moins 2 professionnels" in refused and "déclare un lien professionnel" in refused
    assert "n'a pas encore fait sa déclaration pour Sacha Petit" in refused
    assert session_of(app, session_id).status.value == "draft" and _status(app, dossiers[0].id) == "admissible"
    assert outbox() == [] or all("Convocation" not in m["Subject"] for m in outbox())

    # the jury is fixed: experience updated, clean declarations (page and API)
    assert manager_client.post(f"/sessions/{session_id}/jures/{second_juror.id}/modifier", data={
        **PRO, "experience_years": "4", "external": "0"}).status_code == 302
    assert juror_client.post(f"/sessions/{session_id}/declarations", data={
        f"c{c1.id}-shown": "1", f"c{c1.id}-no_link": "y", f"c{c1.id}-no_training": "y",
        f"c{c2.id}-shown": "1", f"c{c2.id}-no_link": "y", f"c{c2.id}-no_training": "y"}).status_code == 302
    response = manager_client.put(f"/api/v1/sessions/{session_id}/declarations", headers=api_headers(second),
                                  json={"declarations": [{"candidate_id": c1.id, "no_link": True,
                                                          "no_training": True}]})
    assert response.status_code == 200, response.json
    assert [d["candidate_id"] for d in response.json["items"]] == [c1.id]
    problems = manager_client.get(f"/api/v1/sessions/{session_id}/problems", headers=api_headers(second)).json
    assert [p["rule"] for p in problems["blocking"]] == ["no_link"]
    assert "Julie Bernard n'a pas encore fait sa déclaration pour Sacha Petit" in problems["blocking"][0]["message"]
    assert manager_client.put(f"/api/v1/sessions/{session_id}/declarations", headers=api_headers(second), json={
        "declarations": [{"candidate_id": c2.id, "no_link": True, "no_training": True}]}).status_code == 200

    body = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Aucun point bloquant" in body
    response = manager_client.post(f"/sessions/{session_id}/ouvrir")
    assert response.status_code == 302
    session = session_of(app, session_id)
    assert session.status.value == "open" and session.opened_at is not None
    assert _status(app, dossiers[0].id) == "scheduled" and _status(app, dossiers[1].id) == "scheduled"
    assert len(_audit(app, "session.opened")) == 1 and len(_audit(app, "dossier.scheduled")) == 2

    # convocations: each candidate (date, time of their slot, address), each juror (the candidates, their space)
    mails = {m["To"]: m for m in outbox() if "Convocation" in m["Subject"] or "Jury du" in m["Subject"]}
    camille = mails[_email(app, dossiers[0].candidate_id)].get_content()
    assert "14/03/2030" in camille and "09:10" in camille and "12 rue de la République" in camille
    sacha = mails[_email(app, dossiers[1].candidate_id)].get_content()
    assert "11:10" in sacha
    juror_mail = mails[first.email].get_body(("plain",)).get_content()  # the règlement is attached
    assert "09:00 : Camille Durand" in juror_mail and "11:00 : Sacha Petit" in juror_mail
    assert "http://localhost/espace/" in juror_mail

    # frozen after opening
    body = text(manager_client.get(f"/sessions/{session_id}"))
    assert "les jurés, les candidats et le déroulé sont figés" in body
    response = manager_client.post(f"/sessions/{session_id}/candidats/{c1.id}/retirer", follow_redirects=True)
    assert "sont figés depuis son ouverture" in text(response)
    assert len(session_of(app, session_id).candidates) == 2
    response = manager_client.post(f"/sessions/{session_id}/deroule", data={"steps-0-title": "Tout",
                                                                              "steps-0-minutes": "60"})
    assert response.status_code == 409 and "figés" in text(response)
    response = manager_client.post(f"/sessions/{session_id}/jures/ajouter", data={**PRO, "email": first.email})
    assert response.status_code == 409
    assert manager_client.post(f"/sessions/{session_id}/ouvrir").status_code == 409


def _email(app, user_id):
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).email


def test_attendance_and_observations_while_open(app, manager_client, manager, jurors, dossiers,
                                                create_jury_session):
    session_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors, dossiers=dossiers)
    c1, c2 = sorted(session_of(app, session_id).candidates, key=lambda c: c.position)
    # while draft: no attendance, no observations
    response = manager_client.post(f"/sessions/{session_id}/presences", data={f"attendance-{c1.id}": "present"})
    assert response.status_code == 409 and "pendant la session ouverte" in text(response)
    response = manager_client.post(f"/sessions/{session_id}/observations", data={"observations": "x",
                                                                                 "manager_position": "y"})
    assert response.status_code == 409
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    with app.app_context():
        db.session.get(JurySession, session_id).status = SessionStatus.OPEN
        db.session.commit()

    body = page(manager_client.get(f"/sessions/{session_id}"))
    assert f'name="attendance-{c1.id}"' in body and "<legend>Camille Durand" in body
    response = manager_client.post(f"/sessions/{session_id}/presences", data={
        f"attendance-{c1.id}": "present", f"attendance-{c2.id}": "peut-être"})
    assert response.status_code == 422 and "Choisissez « présent ou présente », « absent ou absente »" in text(response)
    assert session_of(app, session_id).candidates[0].attendance.value == "unknown"
    response = manager_client.post(f"/sessions/{session_id}/presences", data={
        f"attendance-{c1.id}": "present", f"attendance-{c2.id}": "absent"})
    assert response.status_code == 302
    rows = sorted(session_of(app, session_id).candidates, key=lambda c: c.position)
    assert [r.attendance.value for r in rows] == ["present", "absent"]
    assert sorted(p["attendance"] for p in _audit(app, "session.attendance_recorded")) == ["absent", "present"]
    assert "1 présent(s), 1 absent(s)" in text(manager_client.get(f"/sessions/{session_id}"))

    response = manager_client.post(f"/sessions/{session_id}/observations", data={
        "observations": "x" * 4001, "manager_position": "Directrice"})
    assert response.status_code == 422 and "x" * 4001 in page(response)
    response = manager_client.post(f"/sessions/{session_id}/observations", data={
        "observations": "Session sans incident ; un candidat absent.", "manager_position": "Directrice"})
    assert response.status_code == 302
    session = session_of(app, session_id)
    assert session.observations == "Session sans incident ; un candidat absent."
    assert session.manager_position == "Directrice"


def test_late_deliverables_block_the_opening_until_the_session_is_moved(
        app, manager_client, manager, jurors, create_admissible_dossier, create_jury_session, create_user):
    """« L'ensemble des livrables est transmis au jury au plus tard 5 jours avant la date de session. »
    A late annex or a dossier not submitted blocks the opening (page), naming the candidate and the date;
    moving the session (the information page) clears it."""
    from core.dossiers.models import Annex, ScanState
    from core.extensions import db
    from tests.sessions.conftest import declare_all

    late = create_admissible_dossier("RNCP37827", first_name="Lina", last_name="Tardive", submitted_days_ago=20)
    draft = create_admissible_dossier("RNCP37827", first_name="Noé", last_name="Brouillon", status="draft")
    on_time = create_admissible_dossier("RNCP37827", first_name="Ada", last_name="Alheure", submitted_days_ago=20)
    annex_at = datetime.now(timezone.utc) - timedelta(days=1)
    with app.app_context():
        db.session.add(Annex(dossier_id=late.id, number=1, title="Rapport E1", filename="e1.pdf",
                             media_type="application/pdf", size=10, sha256="0" * 64, storage_key="annexes/late/1",
                             scan_state=ScanState.CLEAN, uploaded_by_id=late.candidate_id, created_at=annex_at))
        db.session.commit()
    session_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors, dossiers=[late, draft, on_time],
                                     days_ahead=3)
    for juror in jurors:
        declare_all(app, session_id, juror)
    rule = "L'ensemble des livrables est transmis au jury au plus tard 5 jours avant la date de session."
    body = text(manager_client.get(f"/sessions/{session_id}"))
    blocking = body.split("Points bloquants")[1].split("Les règles de la certification")[0]
    annex_day = annex_at.astimezone(_paris()).strftime("%d/%m/%Y")
    assert f"Lina Tardive : des livrables ont été transmis le {annex_day}" in blocking and rule in blocking
    assert "Noé Brouillon : le dossier n'est pas déposé et la session commence dans moins de 5 jours" in blocking
    assert "Ada Alheure" not in blocking and "Avertissements" not in body

    response = manager_client.post(f"/sessions/{session_id}/ouvrir")
    assert response.status_code == 409
    refused = text(response).split("La session n'a pas été ouverte")[1].split("Points bloquants")[0]
    assert f"Lina Tardive : des livrables ont été transmis le {annex_day}" in refused
    assert "Noé Brouillon : le dossier n'est pas déposé" in refused and rule in refused
    assert session_of(app, session_id).status.value == "draft"

    # the draft dossier leaves the session; the session moves 20 days later: the annex is then 5 days ahead
    noe = next(c for c in session_of(app, session_id).candidates if c.dossier_id == draft.id)
    assert manager_client.post(f"/sessions/{session_id}/candidats/{noe.id}/retirer").status_code == 302
    edit = page(manager_client.get(f"/sessions/{session_id}/modifier"))
    assert 'name="day"' in edit
    moved = (datetime.now(timezone.utc) + timedelta(days=23)).date()
    response = manager_client.post(f"/sessions/{session_id}/modifier", data={
        "title": "Session RNCP37827", "day": moved.isoformat(), "clock": "09:00", "ends_on": "",
        "centre": "Centre de test", "address": "1 rue de la Paix, 75002 Paris", "video_link": "",
        "manager_position": ""})
    assert response.status_code == 302, text(response)
    body = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Aucun point bloquant" in body and rule not in body.split("Les règles de la certification")[0]
    assert manager_client.post(f"/sessions/{session_id}/ouvrir").status_code == 302
    assert session_of(app, session_id).status.value == "open"


def _paris():
    from core.documents.filters import document_timezone

    return document_timezone()


def test_declarations_page_is_for_the_session_s_jurors_only(app, manager, jurors, dossiers, create_jury_session,
                                                            create_user, signed_in):
    session_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors[:1], dossiers=dossiers)
    outsider = signed_in(jurors[1])
    assert outsider.get(f"/sessions/{session_id}/declarations").status_code == 404
    assert outsider.post(f"/sessions/{session_id}/declarations", data={}).status_code == 404
    manager_client = signed_in(manager)
    assert manager_client.get(f"/sessions/{session_id}/declarations").status_code == 404
    juror_client = signed_in(jurors[0])
    # a juror sees the session read-only, with a link to the declarations
    body = page(juror_client.get(f"/sessions/{session_id}"))
    assert f"/sessions/{session_id}/declarations" in body and "Ouvrir la session" not in body
    assert "Ajouter un juré" not in body
    assert juror_client.get(f"/sessions/{session_id}/modifier").status_code == 404
