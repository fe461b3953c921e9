"""The whole jury, through the API as a certifier's system (or a new user) would drive it:
plan a session, a jury breaking a rule is refused with the rule named, fix it, open, grade with two
jurors, deliberate (a decision contradicting the rules is refused), generate the PV, sign it (jurors,
then the session manager), seal it, and check every signature with pdfsig."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.pv.conftest import check_with_pdfsig, pdf_text  # noqa: F401 - conftest helpers

pytestmark = pytest.mark.usefixtures("signing_env")


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _add_jurors(client, sid, h_manager, jurors, dossier_ids, h_jurors, first_years=6):
    juror_ids = []
    for i, juror in enumerate(jurors):
        added = _ok(client.post(f"/api/v1/sessions/{sid}/jurors", headers=h_manager, json={
            "email": juror.email, "position": "Ingénieure IA", "company": f"Entreprise {i}",
            "professional": True, "experience_years": first_years if i == 0 else 6, "external": True}), 201)
        juror_ids.append(added["id"])
    for headers in h_jurors:
        _ok(client.put(f"/api/v1/sessions/{sid}/declarations", headers=headers, json={"declarations": [
            {"candidate_id": cid, "no_link": True, "no_training": True} for cid in dossier_ids]}))
    return juror_ids


def _plan(client, h_manager, code, jurors, dossiers, h_jurors):
    starts = (datetime.now(timezone.utc) + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    session = _ok(client.post("/api/v1/sessions", headers=h_manager, json={
        "certification": code, "title": f"Session {code} de printemps", "starts_at": starts.isoformat(),
        "address": "12 rue de la Certification, 69002 Lyon", "manager_position": "Responsable de session"}), 201)
    sid = session["id"]
    assert [s["minutes"] for s in session["schedule"]]  # the plugin's schedule, generated
    candidate_ids = []
    for dossier in dossiers:
        candidate_ids.append(_ok(client.post(f"/api/v1/sessions/{sid}/candidates", headers=h_manager,
                                             json={"dossier_id": dossier.id}), 201)["id"])
    juror_ids = _add_jurors(client, sid, h_manager, jurors, candidate_ids, h_jurors, first_years=1) if jurors else []
    return sid, juror_ids, candidate_ids


def _grade(client, sid, cid, headers, data):
    grid = _ok(client.get(f"/api/v1/sessions/{sid}/candidates/{cid}/grid", headers=headers))
    _ok(client.put(f"/api/v1/sessions/{sid}/candidates/{cid}/grid", headers=headers,
                   json=dict(data, revision=grid["revision"])))
    _ok(client.post(f"/api/v1/sessions/{sid}/candidates/{cid}/grid/complete", headers=headers, json={}))


def _sign_everything(client, sid, h_jurors, h_manager, password):
    listing = _ok(client.get(f"/api/v1/sessions/{sid}/pv", headers=h_manager))
    pv = next(d for d in listing["items"] if d["kind"] == "pv" and d["status"] == "signing")
    # the session manager signs after the jurors, never before
    early = client.post(f"/api/v1/sessions/{sid}/pv/{pv['id']}/sign", headers=h_manager, json={"password": password})
    assert early.status_code == 409
    for headers in h_jurors:
        for doc in listing["items"]:
            if doc["kind"] == "grid" and doc["status"] == "signing":
                _ok(client.post(f"/api/v1/sessions/{sid}/documents/{doc['id']}/sign", headers=headers,
                                json={"password": password}))
        _ok(client.post(f"/api/v1/sessions/{sid}/pv/{pv['id']}/sign", headers=headers, json={"password": password}))
    sealed = _ok(client.post(f"/api/v1/sessions/{sid}/pv/{pv['id']}/sign", headers=h_manager,
                             json={"password": password}))
    assert sealed["status"] == "sealed"
    content = client.get(f"/api/v1/sessions/{sid}/pv/{pv['id']}/content", headers=h_manager)
    assert content.status_code == 200
    return b"".join(content.response) if content.is_streamed else content.data


@pytest.fixture
def people(app, create_user, certifier_org, api_headers):
    def make(code):
        org = certifier_org(code, name=f"Organisme {code}")
        manager = create_user("session_manager", organisation=org, first_name="Rosa", last_name="Responsable")
        jurors = [create_user("juror", first_name="Jeanne", last_name="Jurée"),
                  create_user("juror", first_name="Jean", last_name="Juré")]
        return manager, jurors, api_headers(manager), [api_headers(j) for j in jurors]

    return make


def test_rncp37827_from_planning_to_sealed_pv(app, client, tmp_path, people, create_user, create_admissible_dossier):
    from core.certifications.services import get_certification

    manager, jurors, h_manager, h_jurors = people("RNCP37827")
    ana = create_user("candidate", first_name="Ana", last_name="Lopez")
    ben = create_user("candidate", first_name="Ben", last_name="Martin")
    dossiers = [create_admissible_dossier("RNCP37827", candidate=ana),
                create_admissible_dossier("RNCP37827", candidate=ben)]
    with app.app_context():  # Ben followed the training: his dossier was opened on the « formation » route
        from core.dossiers.models import Dossier
        from core.extensions import db

        db.session.get(Dossier, dossiers[1].id).route = "formation"
        db.session.commit()
    sid, juror_ids, (c_ana, c_ben) = _plan(client, h_manager, "RNCP37827", jurors, dossiers, h_jurors)

    # one juror has a single year of experience: the jury breaks « au moins 2 professionnels »
    refused = client.post(f"/api/v1/sessions/{sid}/open", headers=h_manager)
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"] + str(refused.get_json()["error"]["details"])
    assert "2 professionnels" in message and "min_professionals" in message
    _ok(client.patch(f"/api/v1/sessions/{sid}/jurors/{juror_ids[0]}", headers=h_manager,
                     json={"experience_years": 4}))
    _ok(client.post(f"/api/v1/sessions/{sid}/open", headers=h_manager))
    _ok(client.put(f"/api/v1/sessions/{sid}/attendance", headers=h_manager, json={"attendance": [
        {"candidate_id": c_ana, "attendance": "present"}, {"candidate_id": c_ben, "attendance": "present"}]}))

    with app.app_context():
        cert = get_certification("RNCP37827")
        criteria_all = {c.code: "met" for comp in cert.competencies for c in comp.criteria}
        first_block = {c.code for c in cert.blocks[0].competencies}
        criteria_one = {c.code: ("met" if comp.code in first_block else "not_met")
                        for comp in cert.competencies for c in comp.criteria}
        blocks = [b.code for b in cert.blocks]
    for headers in h_jurors:
        _grade(client, sid, c_ana, headers, {"criteria": criteria_all,
                                             "blocks": {b: "validated" for b in blocks}, "proposal": "admis"})
        _grade(client, sid, c_ben, headers, {
            "criteria": criteria_one, "blocks": {b: ("validated" if b == blocks[0] else "not_validated")
                                                 for b in blocks},
            "proposal": "admission_partielle", "comment": "Blocs 2 et 3 à compléter."})

    # the jury wants « Admis » with one block: the rule of the règlement is named and nothing is recorded
    wrong = client.post(f"/api/v1/sessions/{sid}/candidates/{c_ben}/decision", headers=h_jurors[0], json={
        "outcome": "admis", "validated_blocks": [blocks[0]], "vae_outcome": "validation_totale_titre"})
    assert wrong.status_code == 422
    assert "trois (3) blocs" in str(wrong.get_json()["error"])
    deliberation = _ok(client.get(f"/api/v1/sessions/{sid}/candidates/{c_ana}/deliberation", headers=h_jurors[1]))
    assert deliberation["proposal"]["outcome"] == "admis"
    _ok(client.post(f"/api/v1/sessions/{sid}/candidates/{c_ana}/decision", headers=h_jurors[0], json={
        "outcome": "admis", "validated_blocks": blocks, "vae_outcome": "validation_totale_titre"}), 201)
    _ok(client.post(f"/api/v1/sessions/{sid}/candidates/{c_ben}/decision", headers=h_jurors[0], json={
        "outcome": "admission_partielle", "validated_blocks": [blocks[0]], "vae_outcome": "validation_totale_blocs",
        "comment": "Blocs 2 et 3 non validés : preuves insuffisantes."}), 201)

    _ok(client.post(f"/api/v1/sessions/{sid}/pv", headers=h_manager), 201)
    pdf = _sign_everything(client, sid, h_jurors, h_manager, manager.plain_password)

    text = pdf_text(pdf)
    assert "Nombre de candidats présents : 2" in text and "Nombre de candidats absents : 0" in text
    assert "Nombre de candidats admis totalement : 1" in text
    assert "Nombre de candidats admis partiellement : 1" in text and "Nombre de candidats refusés : 0" in text
    flat = " ".join(text.split())  # the seed's column (« Voie d'accès (Formation/VAE) », wrapped), the dossiers' route
    assert "Voie d'accès" in flat and "(Formation/" in flat and "VAE)" in flat and "LOPEZ Ana VAE" in flat
    assert "MARTIN Ben Formation" in flat
    reports = check_with_pdfsig(app, tmp_path, pdf, "rncp-e2e")
    # certification seal, two jurors, the session manager, the final seal
    assert len(reports) == 5
    assert all(r["Signature Validation"] == "Signature is Valid." for r in reports), reports
    assert all(r["Certificate Validation"] == "Certificate is Trusted." for r in reports), reports
    session = _ok(client.get(f"/api/v1/sessions/{sid}", headers=h_manager))
    assert session["status"] == "closed"
    assert {c["dossier_status"] for c in session["candidates"]} == {"decided"}


def test_rs6776_success_gets_the_certificate_and_failure_nothing(app, client, people, create_user,
                                                                  create_admissible_dossier, outbox):
    from core.certifications.services import get_certification

    manager, jurors, h_manager, h_jurors = people("RS6776")
    win = create_user("candidate", first_name="Chloé", last_name="Réussite")
    lose = create_user("candidate", first_name="Denis", last_name="Échec")
    dossiers = [create_admissible_dossier("RS6776", candidate=win), create_admissible_dossier("RS6776", candidate=lose)]
    sid, _none, (c_win, c_lose) = _plan(client, h_manager, "RS6776", [], dossiers, [])
    # RS6776 has no composition rule of its own; core's still holds: a jury needs a juror
    refused = client.post(f"/api/v1/sessions/{sid}/open", headers=h_manager)
    assert refused.status_code == 409 and "aucun membre" in str(refused.get_json()["error"])
    _add_jurors(client, sid, h_manager, jurors, [c_win, c_lose], h_jurors)
    _ok(client.post(f"/api/v1/sessions/{sid}/open", headers=h_manager))
    _ok(client.put(f"/api/v1/sessions/{sid}/attendance", headers=h_manager, json={"attendance": [
        {"candidate_id": c_win, "attendance": "present"}, {"candidate_id": c_lose, "attendance": "present"}]}))
    with app.app_context():
        codes = [c.code for c in get_certification("RS6776").competencies]
    for headers in h_jurors:
        _grade(client, sid, c_win, headers, {"competencies": {c: {"mark": "4,5"} for c in codes},
                                             "scores": {"ORAL": 15}, "proposal": "acquise"})
        _grade(client, sid, c_lose, headers, {"competencies": {c: {"mark": 4 if c != codes[2] else 3}
                                                               for c in codes},
                                              "scores": {"ORAL": 12}, "proposal": "non_acquise",
                                              "comment": "Une compétence n'est pas acquise."})
    marks_lose = {c: (4.0 if c != codes[2] else 3.0) for c in codes}
    wrong = client.post(f"/api/v1/sessions/{sid}/candidates/{c_lose}/decision", headers=h_jurors[1], json={
        "outcome": "acquise", "marks": marks_lose, "scores": {"ORAL": 12}})
    assert wrong.status_code == 422
    assert "Toute compétence non validée" in str(wrong.get_json()["error"])
    _ok(client.post(f"/api/v1/sessions/{sid}/candidates/{c_win}/decision", headers=h_jurors[1], json={
        "outcome": "acquise", "marks": {c: 4.5 for c in codes}, "scores": {"ORAL": 15}}), 201)
    _ok(client.post(f"/api/v1/sessions/{sid}/candidates/{c_lose}/decision", headers=h_jurors[1], json={
        "outcome": "non_acquise", "marks": marks_lose, "scores": {"ORAL": 12},
        "comment": f"{codes[2]} non acquise."}), 201)
    before = len(outbox())
    _ok(client.post(f"/api/v1/sessions/{sid}/pv", headers=h_manager), 201)
    pdf = _sign_everything(client, sid, h_jurors, h_manager, manager.plain_password)
    text = " ".join(pdf_text(pdf).split())
    assert "VAE" not in text, text  # a training exam

    sent = outbox()[before:]
    to_win = [m for m in sent if win.email in m["To"]]
    assert len(to_win) == 1 and "Certification obtenue" in to_win[0]["Subject"]
    assert any(p.get_content_type() == "application/pdf" for p in to_win[0].iter_attachments())
    assert not [m for m in sent if lose.email in m["To"]]
