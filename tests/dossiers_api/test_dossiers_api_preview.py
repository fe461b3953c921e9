"""GET /api/v1/dossiers/{id}/preview: the Livret 2 before signing, as the page's « Prévisualiser »."""
from __future__ import annotations

import base64
import hashlib
import subprocess

from dossier_api_data import LETTRE  # tests/dossiers_api/dossier_api_data.py


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_preview_is_the_unsigned_livret_of_the_owner(app, api, candidate, open_dossier):
    dossier_id = open_dossier["id"]
    assert open_dossier["links"]["preview"] == f"/api/v1/dossiers/{dossier_id}/preview"
    api.put(f"/api/v1/dossiers/{dossier_id}/sections/lettre_motivation", json=LETTRE)
    response = api.get(f"/api/v1/dossiers/{dossier_id}/preview")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    digest = hashlib.sha256(data)  # rendered anew, still checkable
    assert response.headers["ETag"] == f'"{digest.hexdigest()}"'
    assert response.headers["Content-Digest"] == f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
    text = pdf_text(data)
    assert candidate.last_name.upper() in text and candidate.first_name in text
    assert "Aperçu – non signé" in text and "dix ans en conduite de projets" in text
    # nothing submitted
    assert api.get(f"/api/v1/dossiers/{dossier_id}").get_json()["status"] == "draft"


def test_preview_of_another_candidates_dossier_is_404(api_for, create_user, open_dossier):
    other = api_for(create_user(role="candidate"))
    response = other.get(f"/api/v1/dossiers/{open_dossier['id']}/preview")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "dossier_not_found"


def test_preview_needs_a_token(client, open_dossier):
    response = client.get(f"/api/v1/dossiers/{open_dossier['id']}/preview")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_preview_is_documented(client, dossier_plugin):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/dossiers/{dossier_id}/preview"]["get"]
    assert operation["summary"] and operation["tags"] == ["dossiers"]
    assert {"200", "401", "404"} <= set(operation["responses"])
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert operation["security"] == [{"bearerAuth": []}]
