"""A training-route candidate hands in E1–E5 and submits: the deliverables are sealed in the version's
manifest with their code and listed in the signed Livret 2; the jury then reads them by épreuve, each opened
through the annexes' download machinery."""
from __future__ import annotations

import hashlib
import subprocess
from types import SimpleNamespace

from tests.deliverables.conftest import CODE, PAGES, text

ETAT_CIVIL = {
    "civilite": "madame", "nom_famille": "Martin", "prenoms": "Claire", "nom_usage": "",
    "date_naissance": "1995-04-12", "lieu_naissance": "Lyon (69)", "nationalite": "française",
    "adresse": "12 rue des Lilas", "code_postal": "69003", "commune": "Lyon", "pays": "France",
    "email": "claire.martin@example.org", "telephone_portable": "+33612345678", "telephone_domicile": "",
}


def test_hand_in_e1_to_e5_submit_and_the_jury_reads_them_by_epreuve(
        app, client, open_dossier, upload, organisation, create_user, create_jury_session, browser):
    candidate = open_dossier(first_name="Claire", last_name="Martin")
    base = f"/api/v1/dossiers/{candidate.dossier_id}"
    saved = client.put(f"{base}/sections/etat_civil", json=ETAT_CIVIL, headers=candidate.headers)
    assert saved.status_code == 200 and saved.get_json()["complete"], saved.get_json()
    shas = {}
    for code, pages in PAGES.items():
        response = upload(candidate, code, pages, filename=f"{code.lower()}.pdf")
        assert response.status_code == 201, response.get_json()
        shas[code] = response.get_json()["file"]["sha256"]
    problems = client.get(f"{base}/problems", headers=candidate.headers).get_json()
    assert problems["ready"] is True, problems["items"]  # no evidence annex, no coverage asked on this route

    submitted = client.post(f"{base}/submit", json={"password": candidate.user.plain_password},
                            headers=candidate.headers)
    assert submitted.status_code == 201, submitted.get_json()
    manifest = submitted.get_json()["version"]["manifest"]
    assert [(e["deliverable"], e["role"], e["pages"], e["sha256"]) for e in manifest] == [
        (code, "deliverable", PAGES[code], shas[code]) for code in PAGES]

    # the signed Livret 2 lists them: code, title, pages, SHA-256
    documents = client.get(f"{base}/documents", headers=candidate.headers).get_json()["items"]
    livret = next(d for d in documents if d["kind"] == "livret2")
    pdf = client.get(livret["links"]["content"], headers=candidate.headers).get_data()
    words = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    flat = words.replace("\n", "").replace(" ", "")
    assert "Livrables des épreuves" in words and "Rapport professionnel individuel (E4)" in words
    assert all(sha in flat for sha in shas.values())
    # the candidate can no longer change them
    locked = upload(candidate, "E1", 4)
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "dossier_locked"

    # the jury: the dossier declared admissible, a session opened with one juror
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    with app.app_context():
        db.session.get(Dossier, candidate.dossier_id).status = DossierStatus.ADMISSIBLE
        db.session.commit()
    juror = create_user("juror", first_name="Alex", last_name="Juré")
    session_id = create_jury_session(CODE, jurors=[juror], dossiers=[SimpleNamespace(id=candidate.dossier_id)],
                                     status="open")
    reader = browser(juror)
    session_page = text(reader.get(f"/jury/sessions/{session_id}"))
    candidate_id = int(session_page.split(f"/jury/sessions/{session_id}/candidats/", 1)[1].split("/", 1)[0])
    url = f"/jury/sessions/{session_id}/candidats/{candidate_id}"
    page = text(reader.get(f"{url}/dossier"))
    assert "Livrables par épreuve" in page
    sections = page.split('<h3 id="epreuve-')[1:]
    assert [s.split('"', 1)[0] for s in sections] == ["E1", "E2", "E3", "E4", "E5"]
    for number, (code, section) in enumerate(zip(PAGES, sections), start=1):
        assert f"Livrable {code}</strong> – Rapport" in section or code == "E5"
        assert f"{url}/annexes/{number}" in section and shas[code] in section
    assert "Annexes par compétence" not in page  # no evidence annexes on this route
    opened = reader.get(f"{url}/annexes/2?telecharger=1")
    assert opened.status_code == 200 and hashlib.sha256(opened.get_data()).hexdigest() == shas["E2"]
    # the same through the juror API
    from core.api.services import issue_token
    from core.auth.models import User

    with app.app_context():
        secret, _token = issue_token(db.session.get(User, juror.id), name="tests")
        db.session.commit()
    body = client.get(f"/api/v1/sessions/{session_id}/candidates/{candidate_id}/dossier",
                   headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert [(e["code"], [d["deliverable"] for d in e["deliverables"]]) for e in body["evaluations"]] == [
        (code, [code]) for code in PAGES]
    assert body["evaluations"][1]["deliverables"][0]["pages"] == PAGES["E2"]
