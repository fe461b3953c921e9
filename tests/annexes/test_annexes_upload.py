"""Uploads through the page and the API on the filesystem backend: stored, numbered, hashed,
refused with French messages (leaving no row, no object, no staged file), downloaded safely,
edited, removed; another candidate gets 404 everywhere."""
from __future__ import annotations

import hashlib
import io
import re

import pytest
import storage_samples as samples


def _page_upload(client, dossier_id, files, **extra):
    data = {"rows": str(len(files))}
    for i, (content, name, title, comps) in enumerate(files):
        data[f"file-{i}"] = (io.BytesIO(content), name)
        data[f"title-{i}"] = title
        data[f"competencies-{i}"] = comps
    data.update(extra)
    return client.post(f"/dossiers/{dossier_id}/annexes", data=data, content_type="multipart/form-data")


def _api_upload(client, dossier_id, headers, content, name, **fields):
    data = {"file": (io.BytesIO(content), name), **fields}
    return client.post(f"/api/v1/dossiers/{dossier_id}/annexes", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_page_uploads_several_files_at_once(client, login, make_dossier, annex_rows, stored_keys, staging_files):
    user, dossier_id = make_dossier()
    login(user)
    pdf, png = samples.pdf(), samples.image("PNG")
    response = _page_upload(client, dossier_id, [
        (pdf, "Attestation employeur.pdf", "", ["C1", "C3"]),
        (png, "capture.png", "Capture de l'outil", ["C2"]),
    ])
    assert response.status_code == 302
    rows = annex_rows(dossier_id)
    assert [(r.number, r.title, r.media_type, r.filename) for r in rows] == [
        (1, "Attestation employeur.pdf", "application/pdf", "Attestation employeur.pdf"),
        (2, "Capture de l'outil", "image/png", "capture.png")]
    assert rows[0].sha256 == hashlib.sha256(pdf).hexdigest() and rows[0].size == len(pdf)
    assert rows[0].pages == 1 and rows[1].pages == 1
    assert rows[0].competency_codes_list == ["C1", "C3"]
    assert all(r.scan_state.value == "not_scanned" for r in rows)  # no CLAMD_ADDRESS in these tests
    assert sorted(r.storage_key for r in rows) == stored_keys()
    assert all(r.storage_key.startswith(f"annexes/{dossier_id}/") and "." not in r.storage_key for r in rows)
    assert staging_files() == []

    page = client.get(f"/dossiers/{dossier_id}/annexes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Annexes n° 1, 2 ajoutées." in html
    assert rows[0].sha256 in html and rows[0].sha256[:12] + "…" in html
    assert "Non analysé (pas d&#39;antivirus configuré)" in html
    assert f"/dossiers/{dossier_id}/annexes/1/contenu" in html
    assert 'src="/dossiers/_annexes/static/annexes/upload.js"' in html
    assert "<progress" in html and 'aria-live="polite"' in html
    assert client.get("/dossiers/_annexes/static/annexes/upload.js").status_code == 200

    overview = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert f'href="/dossiers/{dossier_id}/annexes"' in overview


def test_page_refusal_is_tied_to_its_file_and_keeps_what_was_typed(client, login, make_dossier, annex_rows,
                                                                    stored_keys, staging_files):
    user, dossier_id = make_dossier()
    login(user)
    response = _page_upload(client, dossier_id, [
        (samples.pdf(), "bon.pdf", "Bonne pièce", ["C1"]),
        (samples.pdf_with_openaction_js(), "piege.pdf", "Mon titre tapé", ["C2", "C3"]),
    ])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "« piege.pdf » refusé" in html and "contenu actif" in html
    assert 'id="file-0-error"' in html and 'aria-describedby="file-0-hint file-0-error"' in html
    assert 'value="Mon titre tapé"' in html
    assert 'id="competencies-0-C2" name="competencies-0" value="C2" checked' in html
    assert "Les autres fichiers ont été ajoutés." in html
    assert [r.title for r in annex_rows(dossier_id)] == ["Bonne pièce"]
    assert len(stored_keys()) == 1 and staging_files() == []


def test_page_without_file_says_so(client, login, make_dossier):
    user, dossier_id = make_dossier()
    login(user)
    response = client.post(f"/dossiers/{dossier_id}/annexes", data={"rows": "1", "title-0": "Sans fichier"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choisissez le fichier de cette ligne" in html and 'value="Sans fichier"' in html


def test_script_upload_answers_json(client, login, make_dossier):
    user, dossier_id = make_dossier()
    login(user)
    ok = client.post(f"/dossiers/{dossier_id}/annexes", headers={"Accept": "application/json"},
                     data={"rows": "1", "file-0": (io.BytesIO(samples.pdf()), "a.pdf"), "title-0": ""},
                     content_type="multipart/form-data")
    assert ok.status_code == 201
    assert ok.json["annex"]["number"] == 1 and ok.json["message"] == "Annexe n° 1 « a.pdf » ajoutée."
    refused = client.post(f"/dossiers/{dossier_id}/annexes", headers={"Accept": "application/json"},
                          data={"rows": "1", "file-0": (io.BytesIO(samples.plain_zip()), "docs.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 415
    assert refused.json["error"]["code"] == "archive"
    assert "archives" in refused.json["error"]["message"].lower()


def test_script_uploads_are_announced_once_on_the_list(client, login, make_dossier):
    user, dossier_id = make_dossier()
    login(user)
    url = f"/dossiers/{dossier_id}/annexes"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    for name in ("a.pdf", "b.pdf"):  # the script sends one file per request with the page's token
        answer = client.post(url, headers={"Accept": "application/json", "X-CSRFToken": token},
                             data={"csrf_token": token, "rows": "1", "file-0": (io.BytesIO(samples.pdf()), name)},
                             content_type="multipart/form-data")
        assert answer.status_code == 201
    # then it shows the list: one message for both files, said once
    listing = client.get(url).get_data(as_text=True)
    assert "Annexe n° 1 ajoutée." not in listing and listing.count("Annexes n° 1, 2 ajoutées.") == 1
    assert "ajoutée" not in client.get(url).get_data(as_text=True)


def test_api_upload_list_update_remove(client, make_dossier, token_for, annex_rows, stored_keys):
    user, dossier_id = make_dossier()
    headers = token_for(user)
    pdf = samples.pdf()
    created = _api_upload(client, dossier_id, headers, pdf, "rapport d'activité.pdf",
                          title="Rapport", competencies="C1, C2")
    assert created.status_code == 201, created.json
    body = created.json
    assert body["number"] == 1 and body["title"] == "Rapport" and body["competencies"] == ["C1", "C2"]
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest() and body["size"] == len(pdf)
    assert body["media_type"] == "application/pdf" and body["scan_state"] == "not_scanned"
    assert body["downloadable"] is True and body["pages"] == 1
    assert created.headers["Location"] == f"/api/v1/dossiers/{dossier_id}/annexes/1"
    assert body["links"]["content"] == f"/api/v1/dossiers/{dossier_id}/annexes/1/content"

    png = samples.image("PNG")
    data = {"file": (io.BytesIO(png), "photo.png"), "competencies": ["C3", "C1"], "role": "evidence"}
    second = client.post(f"/api/v1/dossiers/{dossier_id}/annexes", data=data, headers=headers,
                         content_type="multipart/form-data")
    assert second.status_code == 201 and second.json["number"] == 2
    assert second.json["title"] == "photo.png" and second.json["competencies"] == ["C1", "C3"]

    listing = client.get(f"/api/v1/dossiers/{dossier_id}/annexes", headers=headers)
    assert [a["number"] for a in listing.json["items"]] == [1, 2]
    assert listing.json["usage"] == len(pdf) + len(png)

    patched = client.patch(f"/api/v1/dossiers/{dossier_id}/annexes/2", headers=headers,
                           json={"title": "Photo du poste", "competencies": ["C2"]})
    assert patched.status_code == 200
    assert patched.json["title"] == "Photo du poste" and patched.json["competencies"] == ["C2"]
    bad = client.patch(f"/api/v1/dossiers/{dossier_id}/annexes/2", headers=headers, json={"competencies": ["C9"]})
    assert bad.status_code == 422 and "C9" in bad.json["error"]["details"]["competencies"][0]

    assert client.delete(f"/api/v1/dossiers/{dossier_id}/annexes/1", headers=headers).status_code == 204
    assert [a["number"] for a in client.get(f"/api/v1/dossiers/{dossier_id}/annexes",
                                            headers=headers).json["items"]] == [2]
    third = _api_upload(client, dossier_id, headers, pdf, "encore.pdf")
    assert third.json["number"] == 3  # numbers are never reused
    assert len(stored_keys()) == 3  # the removed annex's object waits for the sweep
    assert client.get(f"/api/v1/dossiers/{dossier_id}/annexes/1/content", headers=headers).status_code == 404


@pytest.mark.parametrize("content, name, status, code, words", [
    (lambda: samples.pdf_with_openaction_js(), "script.pdf", 422, "pdf_active_content", "contenu actif"),
    (lambda: samples.image("PNG"), "deguise.pdf", 415, "extension_mismatch", "ne correspond pas à son extension"),
    (lambda: samples.plain_zip(), "dossier.zip", 415, "type_not_allowed", "type de fichier n'est pas accepté"),
    (lambda: samples.plain_zip(), "dossier.docx", 415, "archive", "archives"),
    (lambda: b"", "vide.pdf", 422, "empty", "vide"),
])
def test_api_refusals_leave_nothing(client, make_dossier, token_for, annex_rows, stored_keys, staging_files,
                                    content, name, status, code, words):
    user, dossier_id = make_dossier()
    response = _api_upload(client, dossier_id, token_for(user), content(), name, title="Essai")
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert words in response.json["error"]["message"]
    assert annex_rows(dossier_id) == [] and stored_keys() == [] and staging_files() == []


def test_size_limit_and_quota(app, client, make_dossier, token_for, annex_rows, stored_keys, staging_files):
    user, dossier_id = make_dossier()
    headers = token_for(user)
    pdf = samples.pdf()
    app.config["UPLOAD_MAX_FILE_SIZE"] = len(pdf) - 1
    too_big = _api_upload(client, dossier_id, headers, pdf, "gros.pdf")
    assert too_big.status_code == 413 and too_big.json["error"]["code"] == "too_large"
    assert "taille maximale" in too_big.json["error"]["message"]

    app.config["UPLOAD_MAX_FILE_SIZE"] = 10 * 1024 * 1024
    app.config["UPLOAD_DOSSIER_QUOTA"] = len(pdf) + len(pdf) // 2
    assert _api_upload(client, dossier_id, headers, pdf, "un.pdf").status_code == 201
    over = _api_upload(client, dossier_id, headers, pdf, "deux.pdf")
    assert over.status_code == 413 and over.json["error"]["code"] == "quota_exceeded"
    assert "espace disponible pour le dossier" in over.json["error"]["message"]
    assert len(annex_rows(dossier_id)) == 1 and len(stored_keys()) == 1 and staging_files() == []

    # A removed annex no longer counts against the quota.
    client.delete(f"/api/v1/dossiers/{dossier_id}/annexes/1", headers=headers)
    assert _api_upload(client, dossier_id, headers, pdf, "deux.pdf").status_code == 201


def test_api_bad_requests(client, make_dossier, token_for):
    user, dossier_id = make_dossier()
    headers = token_for(user)
    url = f"/api/v1/dossiers/{dossier_id}/annexes"
    not_multipart = client.post(url, headers=headers, json={"title": "x"})
    assert not_multipart.status_code == 415 and "multipart/form-data" in not_multipart.json["error"]["message"]
    no_file = client.post(url, headers=headers, data={"title": "x"}, content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.json["error"]["details"]
    unknown_comp = _api_upload(client, dossier_id, headers, samples.pdf(), "a.pdf", competencies="C1,C77")
    assert unknown_comp.status_code == 422
    assert "C77" in unknown_comp.json["error"]["details"]["competencies"][0]
    bad_role = _api_upload(client, dossier_id, headers, samples.pdf(), "a.pdf", role="autre")
    assert bad_role.status_code == 422 and "role" in bad_role.json["error"]["details"]
    two = client.post(url, headers=headers, content_type="multipart/form-data", data={
        "file": [(io.BytesIO(samples.pdf()), "a.pdf"), (io.BytesIO(samples.pdf()), "b.pdf")]})
    assert two.status_code == 400 and two.json["error"]["code"] == "one_file_expected"
    truncated = client.post(url, headers={**headers, "Content-Type": "multipart/form-data; boundary=XyZ"},
                            data=b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF')
    assert truncated.status_code == 400 and truncated.json["error"]["code"] == "incomplete_body"


def test_failed_commit_removes_the_object(app, client, make_dossier, token_for, annex_rows, stored_keys,
                                          monkeypatch):
    import core.annexes.services as services

    user, dossier_id = make_dossier()

    def broken_record(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record", broken_record)
    response = _api_upload(client, dossier_id, token_for(user), samples.pdf(), "a.pdf")
    assert response.status_code == 500
    assert annex_rows(dossier_id) == [] and stored_keys() == []


def test_download_headers_and_audit(app, client, login, make_dossier, token_for):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    user, dossier_id = make_dossier()
    pdf = samples.pdf()
    _api_upload(client, dossier_id, token_for(user), pdf, "Relevé d'activité été 2024.pdf")
    login(user)
    response = client.get(f"/dossiers/{dossier_id}/annexes/1/contenu")
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Releve d'activite ete 2024.pdf\"; "
        "filename*=UTF-8''Relev%C3%A9%20d%27activit%C3%A9%20%C3%A9t%C3%A9%202024.pdf")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Length"] == str(len(pdf))
    api = client.get(f"/api/v1/dossiers/{dossier_id}/annexes/1/content", headers=token_for(user))
    assert api.status_code == 200 and api.data == pdf and api.headers["Cache-Control"] == "no-store"
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("annex.uploaded") == 1 and actions.count("annex.downloaded") == 2


def test_edit_and_remove_pages(client, login, make_dossier, annex_rows):
    user, dossier_id = make_dossier()
    login(user)
    _page_upload(client, dossier_id, [(samples.pdf(), "a.pdf", "Premier titre", [])])
    form = client.get(f"/dossiers/{dossier_id}/annexes/1/modifier")
    assert form.status_code == 200 and 'value="Premier titre"' in form.get_data(as_text=True)
    bad = client.post(f"/dossiers/{dossier_id}/annexes/1/modifier", data={"title": "", "competencies": ["C2"]})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Donnez un titre à l&#39;annexe." in html and 'value="C2" checked' in html
    ok = client.post(f"/dossiers/{dossier_id}/annexes/1/modifier",
                     data={"title": "Nouveau titre", "competencies": ["C2", "C3"]})
    assert ok.status_code == 302
    row = annex_rows(dossier_id)[0]
    assert row.title == "Nouveau titre" and row.competency_codes_list == ["C2", "C3"]
    confirm = client.get(f"/dossiers/{dossier_id}/annexes/1/retirer")
    assert "Oui, retirer cette annexe" in confirm.get_data(as_text=True)
    assert client.post(f"/dossiers/{dossier_id}/annexes/1/retirer").status_code == 302
    assert annex_rows(dossier_id)[0].removed_at is not None
    assert client.get(f"/dossiers/{dossier_id}/annexes/1/modifier").status_code == 404


def test_another_candidate_gets_404_everywhere(client, login, make_dossier, create_user, token_for):
    owner, dossier_id = make_dossier()
    _api_upload(client, dossier_id, token_for(owner), samples.pdf(), "a.pdf")
    other = create_user("candidate")
    headers = token_for(other)
    base = f"/api/v1/dossiers/{dossier_id}/annexes"
    assert client.get(base, headers=headers).status_code == 404
    assert _api_upload(client, dossier_id, headers, samples.pdf(), "b.pdf").status_code == 404
    assert client.get(base + "/1", headers=headers).status_code == 404
    assert client.patch(base + "/1", headers=headers, json={"title": "x"}).status_code == 404
    assert client.delete(base + "/1", headers=headers).status_code == 404
    assert client.get(base + "/1/content", headers=headers).status_code == 404
    login(other)
    page = f"/dossiers/{dossier_id}/annexes"
    assert client.get(page).status_code == 404
    assert _page_upload(client, dossier_id, [(samples.pdf(), "b.pdf", "", [])]).status_code == 404
    assert client.get(page + "/1/contenu").status_code == 404
    assert client.get(page + "/1/modifier").status_code == 404
    assert client.post(page + "/1/retirer").status_code == 404


def test_submitted_dossier_is_locked(app, client, make_dossier, token_for):
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    user, dossier_id = make_dossier()
    headers = token_for(user)
    _api_upload(client, dossier_id, headers, samples.pdf(), "a.pdf")
    with app.app_context():
        db.session.get(Dossier, dossier_id).status = DossierStatus.SUBMITTED
        db.session.commit()
    refused = _api_upload(client, dossier_id, headers, samples.pdf(), "b.pdf")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "dossier_locked"
    assert client.delete(f"/api/v1/dossiers/{dossier_id}/annexes/1", headers=headers).status_code == 409
    # Still readable and downloadable by its owner.
    assert client.get(f"/api/v1/dossiers/{dossier_id}/annexes/1/content", headers=headers).status_code == 200


def test_openapi_documents_the_annex_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    path = spec["paths"]["/api/v1/dossiers/{dossier_id}/annexes"]
    assert path["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].endswith("AnnexUpload")
    assert {"413", "415", "422"} <= set(map(str, path["post"]["responses"]))
    assert "Annex" in spec["components"]["schemas"] and "AnnexUpdate" in spec["components"]["schemas"]
    assert "patch" in spec["paths"]["/api/v1/dossiers/{dossier_id}/annexes/{number}"]
    assert "/api/v1/dossiers/{dossier_id}/annexes/{number}/content" in spec["paths"]
