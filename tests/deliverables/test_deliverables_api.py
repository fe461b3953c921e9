"""The deliverables of the training route through the API: a PDF per deliverable, its page count checked on
upload (refused with the rule quoted, nothing kept), replaced by a new upload, listed in the dossier's detail
and its completeness; a code the route does not ask for, a VAE dossier, someone else's dossier: 404."""
from __future__ import annotations

import io
import sys
from pathlib import Path

from tests.deliverables.conftest import E2_REFUSAL, PAGES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "storage"))
import storage_samples as samples  # noqa: E402


def _detail(client, candidate) -> dict:
    response = client.get(f"/api/v1/dossiers/{candidate.dossier_id}", headers=candidate.headers)
    assert response.status_code == 200
    return response.get_json()


def test_e1_of_three_pages_is_stored_and_e2_of_nine_pages_is_refused_leaving_nothing(
        client, open_dossier, upload, annex_rows, stored_keys, staging_files):
    candidate = open_dossier()
    response = upload(candidate, "E1", 3, filename="Rapport E1.pdf")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["code"], body["title"], body["evaluations"]) == ("E1", "Rapport professionnel individuel (E1)", ["E1"])
    assert (body["min_pages"], body["max_pages"], body["complete"]) == (2, 5, True)
    assert body["file"]["pages"] == 3 and body["file"]["filename"] == "Rapport E1.pdf"
    assert body["file"]["scan_state"] == "not_scanned" and len(body["file"]["sha256"]) == 64
    keys = stored_keys()
    assert annex_rows(candidate.dossier_id) == [(1, "deliverable", "E1", 3, False)]

    refused = upload(candidate, "E2", 9)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "page_count"
    assert error["message"] == E2_REFUSAL
    assert error["details"]["pages"] == 9 and error["details"]["min_pages"] == 15
    # nothing left behind: no row, no object, no staged file
    assert annex_rows(candidate.dossier_id) == [(1, "deliverable", "E1", 3, False)]
    assert stored_keys() == keys and staging_files() == []

    detail = _detail(client, candidate)
    by_code = {d["code"]: d for d in detail["deliverables"]}
    assert list(by_code) == ["E1", "E2", "E3", "E4", "E5"]
    assert by_code["E1"]["file"]["number"] == 1 and by_code["E2"]["file"] is None
    assert by_code["E5"]["title"].startswith("Documentation technique du monitorage")
    assert by_code["E2"]["rule"] == "E2 : Présentation orale (15 min) - Livrable: Rapport 15-20p"
    livrables = next(s for s in detail["sections"] if s["key"] == "livrables")
    assert livrables["kind"] == "deliverables" and livrables["state"] == "in_progress"
    messages = [p["message"] for p in detail["problems"] if p["blocking"]]
    assert "Déposez le livrable E3 : Rapport professionnel individuel (E3)" in messages
    assert not any("E1" in m and "Déposez" in m for m in messages)
    # no evidence annex is asked on this route: no annexes section, no coverage problem
    assert {p["code"] for p in detail["problems"]} <= {"deliverable_missing", "section_empty"}


def test_the_documentation_e5_and_a_non_pdf_are_refused_in_their_own_words(client, open_dossier, upload,
                                                                           annex_rows):
    candidate = open_dossier()
    refused = upload(candidate, "E5", 7)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"] == (
        "La documentation E5 doit compter de 2 à 5 pages ; la vôtre en compte 7 (règle : E5 : Présentation orale "
        "(10 min) - Livrable: Documentation 2-5p).")
    png = samples.image("PNG")
    response = client.post(candidate.deliverable("E1"), data={"file": (io.BytesIO(png), "rapport.png")},
                           headers=candidate.headers, content_type="multipart/form-data")
    assert response.status_code == 415, response.get_json()
    assert response.get_json()["error"]["message"] == (
        "Le livrable E1 doit être un fichier PDF (« rapport.png » est un fichier PNG).")
    assert annex_rows(candidate.dossier_id) == []


def test_a_new_upload_replaces_the_previous_file(client, open_dossier, upload, annex_rows):
    candidate = open_dossier()
    assert upload(candidate, "E2", 15).status_code == 201
    second = upload(candidate, "E2", 18)
    assert second.status_code == 201
    assert second.get_json()["file"]["number"] == 2 and second.get_json()["file"]["pages"] == 18
    # the first file is withdrawn the way a removed annex is (kept until no submitted version needs it)
    assert annex_rows(candidate.dossier_id) == [(1, "deliverable", "E2", 15, True), (2, "deliverable", "E2", 18, False)]
    detail = _detail(client, candidate)
    e2 = next(d for d in detail["deliverables"] if d["code"] == "E2")
    assert e2["file"]["number"] == 2
    assert [a["number"] for a in detail["annexes"]] == [2]
    listed = client.get(f"/api/v1/dossiers/{candidate.dossier_id}/annexes", headers=candidate.headers).get_json()
    assert [(a["number"], a["role"], a["deliverable"]) for a in listed["items"]] == [(2, "deliverable", "E2")]


def test_a_code_the_route_does_not_declare_and_a_vae_dossier(client, open_dossier, upload, annex_rows):
    candidate = open_dossier()
    response = upload(candidate, "E9", 3)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "deliverable_not_found"
    assert error["details"]["offered"] == ["E1", "E2", "E3", "E4", "E5"]
    assert "Livrables attendus : E1, E2, E3, E4, E5." in error["message"]
    put = client.put(f"/api/v1/dossiers/{candidate.dossier_id}/sections/livrables", json={},
                     headers=candidate.headers)
    assert put.status_code == 400 and "/deliverables/{code}" in put.get_json()["error"]["message"]

    vae = open_dossier(route=None)
    response = upload(vae, "E1", 3)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_deliverables"
    detail = _detail(client, vae)
    assert detail["route"] == "vae" and detail["deliverables"] == []
    assert "livrables" not in [s["key"] for s in detail["sections"]]
    assert annex_rows(vae.dossier_id) == []


def test_a_block_candidate_hands_in_the_deliverables_of_their_block_only(client, open_dossier, upload):
    candidate = open_dossier(block="BC02")
    assert [d["code"] for d in _detail(client, candidate)["deliverables"]] == ["E2", "E3"]
    response = upload(candidate, "E1", 3)
    assert response.status_code == 404 and response.get_json()["error"]["details"]["offered"] == ["E2", "E3"]
    for code in ("E2", "E3"):
        assert upload(candidate, code, PAGES[code]).status_code == 201
    livrables = next(s for s in _detail(client, candidate)["sections"] if s["key"] == "livrables")
    assert livrables["state"] == "complete"


def test_another_candidate_and_another_organisation_get_404(client, open_dossier, upload, create_user, token_for,
                                                          organisation, annex_rows):
    candidate = open_dossier()
    other = open_dossier()
    # another candidate's dossier id, with a valid token of their own
    response = upload(candidate, "E1", 3, headers=other.headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "dossier_not_found"
    # staff of another organisation; staff of the dossier's organisation read it but do not upload for the candidate
    outsider = create_user("certifier_staff")
    assert upload(candidate, "E1", 3, headers=token_for(outsider)).status_code == 404
    assert client.get(f"/api/v1/dossiers/{candidate.dossier_id}", headers=token_for(outsider)).status_code == 404
    staff = create_user("certifier_staff", organisation=organisation)
    assert upload(candidate, "E1", 3, headers=token_for(staff)).status_code == 404
    assert annex_rows(candidate.dossier_id) == []


def test_the_openapi_document_describes_the_upload(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/dossiers/{dossier_id}/deliverables/{code}"]["post"]
    assert operation["tags"] == ["livrables"]
    assert set(operation["responses"]) >= {"201", "400", "401", "404", "409", "413", "415", "422"}
    assert "multipart/form-data" in operation["requestBody"]["content"]
    dossier = spec["components"]["schemas"]["Dossier"]["properties"]
    assert "deliverables" in dossier
    assert set(spec["components"]["schemas"]["DossierDeliverable"]["properties"]) >= {
        "code", "title", "evaluations", "min_pages", "max_pages", "file"}
