"""Object-level access and documents: a dossier another account may not see is a 404 on every URL."""
from __future__ import annotations

import hashlib

import pytest

from dossier_api_data import LETTRE  # tests/dossiers_api/dossier_api_data.py

PDF = b"%PDF-1.7\n" + b"Livret 2 de test\n" * 500 + b"%%EOF\n"


@pytest.fixture
def document(app, open_dossier) -> dict:
    """A document issued for the dossier, with its object in the configured storage."""
    from core.dossiers.models import Document
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        storage = app.extensions["livret"].storage
        stored = storage.put(new_key("documents", open_dossier["id"]), PDF, length=len(PDF),
                             content_type="application/pdf")
        doc = Document(dossier_id=open_dossier["id"], kind="livret2", title="Livret 2 déposé",
                       filename="Livret 2 – Martin Claire.pdf", media_type="application/pdf",
                       size=stored.size, sha256=stored.sha256, storage_key=stored.key)
        db.session.add(doc)
        db.session.commit()
        return {"id": doc.id, "sha256": stored.sha256, "key": stored.key}


def _dossier_urls(dossier_id: int) -> list[tuple[str, str, dict]]:
    base = f"/api/v1/dossiers/{dossier_id}"
    return [
        ("get", base, {}),
        ("get", f"{base}/sections/lettre_motivation", {}),
        ("put", f"{base}/sections/lettre_motivation", {"json": LETTRE}),
        ("get", f"{base}/problems", {}),
        ("post", f"{base}/submit", {}),
        ("get", f"{base}/documents", {}),
    ]


def _assert_all_404(caller, dossier_id: int, document_id: int) -> None:
    urls = _dossier_urls(dossier_id) + [("get", f"/api/v1/documents/{document_id}/content", {})]
    for method, url, kwargs in urls:
        response = getattr(caller, method)(url, **kwargs)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.get_json()["error"]["code"] in ("dossier_not_found", "document_not_found"), (method, url)


def test_documents_list_and_download(app, api, open_dossier, document):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    items = api.get(f"/api/v1/dossiers/{open_dossier['id']}/documents").get_json()["items"]
    mine = next(d for d in items if d["id"] == document["id"])
    assert mine["kind"] == "livret2" and mine["media_type"] == "application/pdf"
    assert mine["size"] == len(PDF) and mine["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert mine["version"] is None and mine["created_at"].endswith("Z")
    assert mine["links"]["content"] == f"/api/v1/documents/{document['id']}/content"

    response = api.get(mine["links"]["content"])
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(PDF))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Livret%202%20%E2%80%93%20Martin%20Claire.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert disposition.startswith('attachment; filename="Livret 2 ')  # ASCII fallback for old clients
    assert response.headers["Cache-Control"] == "no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["ETag"] == f'"{document["sha256"]}"'
    with app.app_context():
        reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document.read",
                                                            AuditEvent.object_id == str(document["id"]))).all()
        assert len(reads) == 1 and reads[0].actor_id is not None


def test_a_new_dossier_has_no_documents(api, open_dossier):
    response = api.get(f"/api/v1/dossiers/{open_dossier['id']}/documents")
    assert response.status_code == 200 and response.get_json() == {"items": []}


def test_missing_object_is_a_503_not_a_broken_download(app, api, document):
    app.extensions["livret"].storage.delete(document["key"])
    response = api.get(f"/api/v1/documents/{document['id']}/content")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "document_unavailable"


def test_unknown_ids_are_404(api, open_dossier):
    for url in ("/api/v1/dossiers/999999", "/api/v1/dossiers/999999/problems", "/api/v1/dossiers/999999/documents"):
        response = api.get(url)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "dossier_not_found"
    response = api.get("/api/v1/documents/999999/content")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "document_not_found"


def test_another_candidate_gets_404_everywhere(api_for, create_user, open_dossier, document):
    intruder = api_for(create_user(role="candidate"))
    _assert_all_404(intruder, open_dossier["id"], document["id"])


def test_certifier_staff_of_another_organisation_gets_404_everywhere(app, api, api_for, create_user, open_dossier,
                                                                       fill, document):
    fill(open_dossier["id"])
    assert api.post(f"/api/v1/dossiers/{open_dossier['id']}/submit", json={"password": "motdepasse-solide"}).status_code == 201
    staff = api_for(create_user(role="certifier_staff"))  # its own organisation delivers nothing
    _assert_all_404(staff, open_dossier["id"], document["id"])


def test_certifier_staff_of_the_certifier_reads_a_submitted_dossier_but_cannot_write(
        app, api, api_for, create_user, certifier, open_dossier, fill, document):
    staff = api_for(create_user(role="certifier_staff", organisation=certifier))
    base = f"/api/v1/dossiers/{open_dossier['id']}"

    assert staff.get(base).status_code == 404  # a draft stays private to its candidate
    fill(open_dossier["id"])
    assert api.post(f"{base}/submit", json={"password": "motdepasse-solide"}).status_code == 201

    assert staff.get(base).status_code == 200
    assert staff.get(f"{base}/sections/lettre_motivation").get_json()["data"] == LETTRE
    assert staff.get(f"/api/v1/documents/{document['id']}/content").status_code == 200
    assert staff.put(f"{base}/sections/lettre_motivation", json=LETTRE).status_code == 404
    assert staff.post(f"{base}/submit", json={"password": "motdepasse-solide"}).status_code == 404
    assert staff.get("/api/v1/dossiers").get_json() == {"items": []}
