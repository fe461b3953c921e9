"""Against real servers: uploads to a SeaweedFS S3 bucket (the object's SHA-256 equals the row's),
refusals leaving no object in the bucket, and clamd with an EICAR database: an infected file is
blocked, clamd down leaves the annex pending (never clean) until a rescan."""
from __future__ import annotations

import hashlib
import io
import uuid

import pytest
import storage_samples as samples
from storage_support import EICAR, Clamd


@pytest.fixture
def app_config(app_config, s3_server, clamd):
    return {**app_config, **s3_server.settings(f"annexes-{uuid.uuid4().hex[:12]}"), "CLAMD_ADDRESS": clamd.tcp}


def _api_upload(client, dossier_id, headers, content, name, **fields):
    return client.post(f"/api/v1/dossiers/{dossier_id}/annexes", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), **fields})


def _object_sha256(s3_server, bucket, key):
    client = s3_server.client()
    response = client.get_object(bucket, key)
    try:
        digest = hashlib.sha256()
        for chunk in response.stream(1024 * 1024):
            digest.update(chunk)
    finally:
        response.close()
        response.release_conn()
    return digest.hexdigest(), client.stat_object(bucket, key).metadata.get("x-amz-meta-sha256")


def test_uploads_to_s3_with_a_clean_scan(app, client, login, make_dossier, token_for, annex_rows, stored_keys,
                                         s3_server):
    user, dossier_id = make_dossier()
    pdf, jpeg = samples.pdf(), samples.image("JPEG")
    api = _api_upload(client, dossier_id, token_for(user), pdf, "attestation.pdf", competencies=["C1"])
    assert api.status_code == 201, api.json
    assert api.json["scan_state"] == "clean" and api.json["downloadable"] is True
    login(user)
    page = client.post(f"/dossiers/{dossier_id}/annexes", content_type="multipart/form-data",
                       data={"rows": "1", "file-0": (io.BytesIO(jpeg), "photo.jpg"), "title-0": "Photo"})
    assert page.status_code == 302
    rows = annex_rows(dossier_id)
    assert [r.media_type for r in rows] == ["application/pdf", "image/jpeg"]
    bucket = app.config["S3_BUCKET"]
    for row, content in zip(rows, (pdf, jpeg)):
        actual, meta = _object_sha256(s3_server, bucket, row.storage_key)
        assert actual == row.sha256 == meta == hashlib.sha256(content).hexdigest()
        assert row.scan_state.value == "clean"
    assert stored_keys() == sorted(r.storage_key for r in rows)
    listing = client.get(f"/dossiers/{dossier_id}/annexes").get_data(as_text=True)
    assert "Analysé : aucun virus" in listing
    download = client.get(f"/dossiers/{dossier_id}/annexes/2/contenu")
    assert download.status_code == 200 and download.data == jpeg


def test_refusals_leave_nothing_in_the_bucket(client, make_dossier, token_for, annex_rows, stored_keys):
    user, dossier_id = make_dossier()
    headers = token_for(user)
    for content, name, code in ((samples.pdf_with_embedded_file(), "joint.pdf", "pdf_active_content"),
                                (samples.image("PNG"), "faux.pdf", "extension_mismatch"),
                                (samples.plain_zip(), "archive.zip", "type_not_allowed")):
        response = _api_upload(client, dossier_id, headers, content, name)
        assert response.json["error"]["code"] == code
    assert annex_rows(dossier_id) == [] and stored_keys() == []


def test_eicar_is_infected_and_cannot_be_downloaded(app, client, login, make_dossier, token_for):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    user, dossier_id = make_dossier()
    headers = token_for(user)
    # EICAR inside a valid PDF passes the type checks; the antivirus finds it (body signature).
    infected_pdf = samples.handwritten_pdf(f"/Comment ({EICAR.decode()})")
    response = _api_upload(client, dossier_id, headers, infected_pdf, "eicar.pdf")
    assert response.status_code == 201
    assert response.json["scan_state"] == "infected" and response.json["downloadable"] is False
    refused = client.get(f"/api/v1/dossiers/{dossier_id}/annexes/1/content", headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "annex_not_downloadable"
    assert "contient un virus (Livret.Test.EICAR" in refused.json["error"]["message"]
    login(user)
    page = client.get(f"/dossiers/{dossier_id}/annexes").get_data(as_text=True)
    assert "Virus détecté : fichier bloqué" in page and "Téléchargement bloqué" in page
    assert f"/dossiers/{dossier_id}/annexes/1/contenu" not in page
    blocked = client.get(f"/dossiers/{dossier_id}/annexes/1/contenu")
    assert blocked.status_code == 409 and "contient un virus" in blocked.get_data(as_text=True)
    with app.app_context():
        outcomes = db.session.scalars(select(AuditEvent.outcome).where(
            AuditEvent.action == "annex.download_refused")).all()
    assert outcomes == ["refused", "refused"]


def test_clamd_down_means_pending_until_rescan(app, client, make_dossier, token_for, runner, tmp_path):
    daemon = Clamd(tmp_path / "clamd").start()
    app.config["CLAMD_ADDRESS"] = daemon.tcp
    daemon.stop()  # clamd goes down before the upload
    user, dossier_id = make_dossier()
    headers = token_for(user)
    response = _api_upload(client, dossier_id, headers, samples.handwritten_pdf(f"/Comment ({EICAR.decode()})"),
                           "eicar.pdf")
    assert response.status_code == 201 and response.json["scan_state"] == "pending"
    clean = _api_upload(client, dossier_id, headers, samples.pdf(), "sain.pdf")
    assert clean.json["scan_state"] == "pending"
    refused = client.get(f"/api/v1/dossiers/{dossier_id}/annexes/2/content", headers=headers)
    assert refused.status_code == 409 and "pas encore été analysée" in refused.json["error"]["message"]

    daemon = Clamd(tmp_path / "clamd").start()  # back, on a new port
    try:
        app.config["CLAMD_ADDRESS"] = daemon.tcp
        result = runner.invoke(args=["annexes", "rescan"])
        assert result.exit_code == 0, result.output
        assert "2 annex(es) scanned" in result.output
    finally:
        daemon.stop()
    states = {a["number"]: a["scan_state"] for a in client.get(f"/api/v1/dossiers/{dossier_id}/annexes",
                                                                headers=headers).json["items"]}
    assert states == {1: "infected", 2: "clean"}
    assert client.get(f"/api/v1/dossiers/{dossier_id}/annexes/2/content", headers=headers).status_code == 200


def test_the_scheduler_scans_again_what_clamd_missed(app, client, make_dossier, token_for, tmp_path):
    from datetime import timedelta

    from core.annexes.services import rescan_stale
    from core.auth.models import utcnow
    from core.scheduler import TASKS

    assert "core.annexes.services.rescan_stale" in {task.job for task in TASKS}
    daemon = Clamd(tmp_path / "clamd").start()
    app.config["CLAMD_ADDRESS"] = daemon.tcp
    daemon.stop()
    user, dossier_id = make_dossier()
    headers = token_for(user)
    uploaded = _api_upload(client, dossier_id, headers, samples.pdf(), "sain.pdf")
    assert uploaded.status_code == 201 and uploaded.json["scan_state"] == "pending"

    daemon = Clamd(tmp_path / "clamd").start()
    try:
        app.config["CLAMD_ADDRESS"] = daemon.tcp
        with app.app_context():
            assert rescan_stale() == 0  # a fresh upload: its own scan job may still be on its way
            assert rescan_stale(now=utcnow() + timedelta(minutes=11)) == 1  # inline jobs: scanned now
    finally:
        daemon.stop()
    annex = client.get(f"/api/v1/dossiers/{dossier_id}/annexes", headers=headers).json["items"][0]
    assert annex["scan_state"] == "clean"
