"""The whole RNCP37827 Livret 2, as a new candidate would do it in the browser, on S3 storage:
annexes uploaded (one refused), every section filled, signed and sealed submission, and a PDF whose
annex manifest carries the SHA-256 of the objects stored in the bucket."""
import hashlib
import html
import io
import json
import re

import pikepdf
import pytest

from core.sealing.testing import app_config as _signing_app_config, signing_env  # noqa: F401
from livret_rncp37827.testing import complete_sections, post_data


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    from storage.testing import SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("rncp-s3")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_config(_signing_app_config, s3_server):
    return {**_signing_app_config, **s3_server.settings("livret-rncp37827")}


def pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f'<html lang="fr"><body><h1>{text}</h1><p>Pièce justificative.</p></body></html>').write_pdf()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_candidate_submits_the_whole_livret_2_on_s3(app, client, create_user, login, outbox, s3_server,
                                                      certifier_org):
    certifier_org("RNCP37827", name="Simplon.co")  # the organisation the dossier is opened with
    user = create_user("candidate", first_name="Camille", last_name="Lefèvre")
    login(user)
    response = client.post("/dossiers/nouveau", data={"certification": "RNCP37827"})
    dossier_url = response.headers["Location"]
    dossier_id = int(dossier_url.rstrip("/").rsplit("/", 1)[1])

    # three annexes in one go (CV, a PDF report, a PNG screenshot) and one refused file
    files = {
        "rows": "4",
        "file-0": (io.BytesIO(pdf_bytes("Curriculum vitae")), "cv-camille.pdf"), "title-0": "Curriculum vitae",
        "role-0": "cv",
        "file-1": (io.BytesIO(pdf_bytes("Scripts d'extraction")), "scripts.pdf"), "title-1": "Scripts d'extraction",
        "role-1": "evidence", "competencies-1": ["C1", "C3"],
        "file-2": (io.BytesIO(png_bytes()), "schema-bdd.png"), "title-2": "Modèle de la base",
        "role-2": "evidence", "competencies-2": ["C4"],
        "file-3": (io.BytesIO(png_bytes()), "rapport.pdf"), "title-3": "Faux PDF",
    }
    response = client.post(f"{dossier_url}/annexes", data=files, content_type="multipart/form-data")
    listing = page(client.get(f"{dossier_url}/annexes"))
    assert "Curriculum vitae" in listing and "Modèle de la base" in listing
    assert "Faux PDF" not in re.sub(r'value="[^"]*"', "", listing.split("<form")[0])  # not stored
    assert "ne correspond pas" in page(response) or "extension" in page(response).lower()

    # every section of the Livret 2
    for key, values in complete_sections().items():
        response = client.post(f"{dossier_url}/sections/{key}", data=post_data(values))
        assert response.status_code == 302, (key, page(response)[:3000])
    overview = page(client.get(dossier_url))
    assert "Toutes les sections obligatoires sont complètes" in overview, overview

    # sign and submit
    response = client.post(f"{dossier_url}/deposer", data={"password": user.plain_password})
    overview = page(client.get(dossier_url))
    assert "Déposé" in overview, overview
    livret_link = re.findall(rf'href="(/dossiers/{dossier_id}/documents/\d+)"', overview)[0]
    data = client.get(livret_link).get_data()

    # the annex manifest embedded in the PDF = the objects in the bucket
    with pikepdf.open(io.BytesIO(data)) as pdf:
        manifest = json.loads(pdf.attachments["manifeste-annexes.json"].get_file().read_bytes())
    entries = manifest["annexes"] if isinstance(manifest, dict) else manifest
    assert [e["number"] for e in entries] == [1, 2, 3]
    from core.dossiers.models import Annex
    from core.extensions import db

    client_s3 = s3_server.client()
    with app.app_context():
        annexes = {a.number: a for a in db.session.query(Annex).filter_by(dossier_id=dossier_id)}
        for entry in entries:
            obj = client_s3.get_object("livret-rncp37827", annexes[entry["number"]].storage_key)
            try:
                assert hashlib.sha256(obj.read()).hexdigest() == entry["sha256"]
            finally:
                obj.close()
                obj.release_conn()
    assert any("Accusé de réception" in m["Subject"] for m in outbox())
