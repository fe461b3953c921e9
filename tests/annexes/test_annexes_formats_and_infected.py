"""Against the real servers (SeaweedFS S3, clamd with an EICAR database): a file valid in two formats is refused
with a French message (API: 422 and the error shape; page: beside the file) and leaves no row, no object and no
staged file; an infected file is removed from the storage, not kept (the sweep removes it if that failed)."""
from __future__ import annotations

import html
import io
import uuid
from datetime import timedelta

import pytest
import storage_samples as samples
from storage_support import EICAR

PDF_AND_ZIP = "Ce fichier est à la fois un PDF et une archive ZIP : enregistrez-le de nouveau dans un seul format."


@pytest.fixture
def app_config(app_config, s3_server, clamd):
    return {**app_config, **s3_server.settings(f"annexes-{uuid.uuid4().hex[:12]}"), "CLAMD_ADDRESS": clamd.tcp}


def _api_upload(client, dossier_id, headers, content, name):
    return client.post(f"/api/v1/dossiers/{dossier_id}/annexes", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name)})


@pytest.mark.parametrize("content,name,phrase", [
    (samples.pdf_then(samples.plain_zip()), "attestation.pdf", "un PDF et une archive ZIP"),
    (samples.image("PNG") + samples.rar5_archive(), "capture.png", "une image PNG et une archive RAR"),
    (samples.image("JPEG") + samples.sevenzip_archive(), "photo.jpg", "une image JPEG et une archive 7z"),
    (samples.docx_that_is_also_a_pdf(), "fiche.docx", "un document DOCX et un PDF"),
])
def test_api_refuses_a_file_valid_in_two_formats(client, make_dossier, token_for, annex_rows, stored_keys,
                                                 staging_files, content, name, phrase):
    user, dossier_id = make_dossier()
    response = _api_upload(client, dossier_id, token_for(user), content, name)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "multiple_formats" and f"à la fois {phrase}" in error["message"]
    assert annex_rows(dossier_id) == [] and stored_keys() == [] and staging_files() == []


def test_page_refuses_a_pdf_that_is_also_a_zip_and_keeps_the_title(client, login, make_dossier, annex_rows,
                                                                    stored_keys):
    user, dossier_id = make_dossier()
    login(user)
    response = client.post(f"/dossiers/{dossier_id}/annexes", content_type="multipart/form-data", data={
        "rows": "1", "file-0": (io.BytesIO(samples.pdf_then(samples.plain_zip())), "attestation.pdf"),
        "title-0": "Attestation de l'employeur"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert PDF_AND_ZIP in page and "Attestation de l'employeur" in page
    assert annex_rows(dossier_id) == [] and stored_keys() == []


def test_an_infected_file_is_removed_from_the_storage(app, client, make_dossier, token_for, annex_rows,
                                                      stored_keys):
    from sqlalchemy import select

    from core.annexes.services import sweep
    from core.audit.models import AuditEvent
    from core.auth.models import utcnow
    from core.extensions import db

    user, dossier_id = make_dossier()
    headers = token_for(user)
    clean = _api_upload(client, dossier_id, headers, samples.pdf(), "sain.pdf")
    infected = _api_upload(client, dossier_id, headers, samples.handwritten_pdf(f"/Comment ({EICAR.decode()})"),
                           "eicar.pdf")
    assert clean.json["scan_state"] == "clean"
    assert infected.status_code == 201 and infected.json["scan_state"] == "infected"
    rows = annex_rows(dossier_id)
    assert stored_keys() == [rows[0].storage_key]  # the infected object is gone, the clean one stays
    assert rows[1].scan_state.value == "infected" and rows[1].scan_signature.startswith("Livret.Test.EICAR")
    refused = client.get(f"/api/v1/dossiers/{dossier_id}/annexes/2/content", headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "annex_not_downloadable"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "annex.infected_deleted")).all()
        assert [(e.object_id, e.payload["deleted"]) for e in events] == [(str(rows[1].id), True)]

    # the storage could not delete it (simulated: the object is back): the orphan sweep removes it
    with app.app_context():
        app.extensions["livret"].storage.put(rows[1].storage_key, io.BytesIO(b"%PDF-1.7 infected copy"),
                                             content_type="application/pdf")
        assert rows[1].storage_key in stored_keys()
        report, _staged = sweep(timedelta(hours=1), now=utcnow() + timedelta(hours=2))
    assert report.removed == [rows[1].storage_key]
    assert stored_keys() == [rows[0].storage_key]
