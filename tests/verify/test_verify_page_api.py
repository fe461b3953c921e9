"""The public verification page /verifier and POST /api/v1/verify."""
import hashlib
import html as htmllib
import io
import os
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from core.sealing.testing import ORGANISATION

SEAL_NAME = f"{ORGANISATION} — cachet"


@pytest.fixture
def issued(app, input_pdf) -> bytes:
    """A document issued (sealed and recorded) by the platform: its bytes."""
    from core.sealing.services import issue_document

    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        with app.extensions["livret"].storage.open(doc.storage_key) as reader:
            return b"".join(reader)


def _one_byte_changed(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    pos = data.index(b"WeasyPrint", data.index(b"/Producer"))  # first revision, signed
    data[pos] = ord("w")
    return bytes(data)


def _content_appended(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    ref = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (CERTIFIE) Tj ET"))
    writer.add_stream_to_page(0, ref)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _post_page(client, data: bytes, name="document.pdf"):
    return client.post("/verifier", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _post_api(client, data: bytes, name="document.pdf"):
    return client.post("/api/v1/verify", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_form_is_public_and_accessible(client):
    response = client.get("/verifier")
    assert response.status_code == 200
    html = htmllib.unescape(response.get_data(as_text=True))
    assert '<label for="file">' in html and 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert 'id="file-hint"' in html and "Mo" in html


def test_page_reports_an_issued_document_valid(client, issued):
    response = _post_page(client, issued)
    assert response.status_code == 200
    html = htmllib.unescape(response.get_data(as_text=True))
    assert "Document valide" in html and "Document non valide" not in html
    assert SEAL_NAME in html
    assert hashlib.sha256(issued).hexdigest() in html
    assert "Émis par cette plateforme</dt>\n    <dd>oui" in html
    assert "PAdES B-LTA (archivage longue durée)" in html
    assert "<caption>" in html and '<th scope="row">' in html


def test_page_one_byte_changed_is_not_valid(client, issued):
    response = _post_page(client, _one_byte_changed(issued))
    assert response.status_code == 200
    html = htmllib.unescape(response.get_data(as_text=True))
    assert "Document non valide" in html
    assert "Le contenu signé a été modifié" in html
    assert "Émis par cette plateforme</dt>\n    <dd>non" in html


def test_page_incremental_update_is_not_valid(client, issued):
    html = htmllib.unescape(_post_page(client, _content_appended(issued)).get_data(as_text=True))
    assert "Document non valide" in html
    assert "Le contenu du document a été modifié après cette signature" in html


def test_page_refuses_a_non_pdf_with_the_error_on_the_field(client):
    response = _post_page(client, os.urandom(4096), name="photo.pdf")
    assert response.status_code == 422
    html = htmllib.unescape(response.get_data(as_text=True))
    assert 'id="file-error"' in html and 'aria-invalid="true"' in html
    assert "n'est pas un document PDF" in html


def test_page_without_file(client):
    response = client.post("/verifier", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choisissez le fichier PDF à vérifier." in response.get_data(as_text=True)


def test_api_reports_an_issued_document(client, issued):
    response = _post_api(client, issued)
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is True and body["verdict"] == "Document valide" and body["reasons"] == []
    assert body["sha256"] == hashlib.sha256(issued).hexdigest()
    assert body["platform"]["issued"] is True and body["platform"]["current"] is True
    assert body["signers"] == [SEAL_NAME]
    (sig,) = body["signatures"]
    assert sig["level"] == "B-LTA" and sig["intact"] and sig["trusted"] and sig["timestamp"]["trusted"]
    assert sig["modification_level"] == "LTA_UPDATES"
    assert len(body["document_timestamps"]) == 1
    assert response.headers["Cache-Control"] == "no-store"


def test_api_tampered_documents(client, issued):
    body = _post_api(client, _one_byte_changed(issued)).get_json()
    assert body["valid"] is False and body["verdict"] == "Document non valide"
    assert body["platform"]["issued"] is False
    assert any("modifié" in r for r in body["reasons"])
    body = _post_api(client, _content_appended(issued)).get_json()
    assert body["valid"] is False
    assert body["signatures"][0]["modification_level"] == "OTHER"


def test_api_refusals(app, client):
    response = _post_api(client, os.urandom(2048))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_document"
    assert "PDF" in response.get_json()["error"]["message"]

    response = _post_api(client, b"%PDF-1.7\n" + os.urandom(2048))  # looks like a PDF, is not
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_document"

    response = client.post("/api/v1/verify", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and response.get_json()["error"]["details"]["file"]

    app.config["VERIFY_MAX_SIZE"] = 1000
    response = _post_api(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    response = _post_page(client, b"%PDF-1.7\n" + b"0" * 200_000)
    assert response.status_code == 413
    assert "taille maximale" in response.get_data(as_text=True)


def test_api_in_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/verify"]["post"]
    assert operation["security"] == []
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/VerifyReport")
    assert "signatures" in spec["components"]["schemas"]["VerifyReport"]["properties"]


def test_rate_limited(app_config, signing_env):
    from core import create_app

    app = create_app({**app_config, "RATELIMIT_ENABLED": True, "VERIFY_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    statuses = [_post_api(client, b"not a pdf").status_code for _ in range(3)]
    statuses.append(_post_page(client, b"not a pdf").status_code)
    assert statuses == [422, 422, 429, 429]
