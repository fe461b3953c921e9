"""Every download of a jury session's documents can be checked: the listed SHA-256 and size are those of
the bytes served, repeated in ``ETag`` and ``Content-Digest``; ``If-None-Match`` gives a 304 without a
body (not audited); stored bytes that no longer match give a 503, never wrong bytes; the generic
documents route serves the sealed PV to its session's manager and to nobody outside the session."""
import base64
import hashlib

import pytest

from tests.pv.conftest import read_pdf

pytestmark = pytest.mark.usefixtures("signing_env")

PASSWORD = "motdepasse-solide"
SUCCESS = {"name": ("Leroy", "Inès"), "outcome": "acquise", "grid": {"marks": 4.0, "oral": 15.0},
           "marks": {f"C{n}": 4.0 for n in range(1, 7)}, "scores": {"ORAL": 15.0},
           "acquired": [f"C{n}" for n in range(1, 7)]}


def checked(response, listed: dict) -> bytes:
    """The body, after checking it against the listed digest and size and the response's headers."""
    assert response.status_code == 200, response.status_code
    body = read_pdf(response)
    digest = hashlib.sha256(body)
    assert digest.hexdigest() == listed["sha256"]
    assert response.headers["ETag"] == f'"{listed["sha256"]}"'
    value = response.headers["Content-Digest"]
    assert value.startswith("sha-256=:") and value.endswith(":")
    assert base64.b64decode(value[len("sha-256=:"):-1]) == digest.digest()
    assert int(response.headers["Content-Length"]) == len(body) == listed["size"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return body


def reads(app, action: str) -> int:
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def conditional(client, url: str, headers: dict, etag: str, app, action: str) -> None:
    """A matching If-None-Match (exact, weak, in a list, ``*``) is a 304 without a body and without an audit
    event; a stale one gets the bytes again."""
    before = reads(app, action)
    for value in (etag, f"W/{etag}", f'"{"0" * 64}", {etag}', "*"):
        response = client.get(url, headers={**headers, "If-None-Match": value})
        assert response.status_code == 304, value
        assert response.data == b"" and response.headers["ETag"] == etag
        assert "Content-Digest" not in response.headers and response.headers["Cache-Control"] == "no-store"
    assert reads(app, action) == before  # nothing was sent: not a download
    stale = client.get(url, headers={**headers, "If-None-Match": f'"{"0" * 64}"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == etag
    assert hashlib.sha256(read_pdf(stale)).hexdigest() == etag.strip('"')
    assert reads(app, action) == before + 1


def tamper(app, key: str) -> None:
    """Overwrite the stored object's bytes in the filesystem storage (same length, other bytes)."""
    storage = app.extensions["livret"].storage
    path = storage._path(key)
    data = path.read_bytes()
    path.chmod(0o640)  # issued documents are read-only: whoever tampers with the disk lifts that first
    path.write_bytes(data[:200] + bytes([data[200] ^ 0xFF]) + data[201:])


def test_documents_being_signed_list_what_they_serve(app, client, jury_session, clients, api_headers):
    s = jury_session("RS6776", [SUCCESS])
    sid, manager = s["session_id"], s["manager"]
    headers = api_headers(manager)
    generated = client.post(f"/api/v1/sessions/{sid}/pv", headers=headers)
    assert generated.status_code == 201
    juror_headers = api_headers(s["jurors"][0])
    signed = client.post(generated.json["pv"]["links"]["sign"], json={"password": PASSWORD}, headers=juror_headers)
    assert signed.status_code == 200  # new bytes: the listing follows them

    listing = client.get(f"/api/v1/sessions/{sid}/pv", headers=headers).json
    pv, grid = listing["items"][0], listing["grids"][0]
    assert pv["status"] == grid["status"] == "signing" and "document" not in pv["links"]
    for item in (pv, grid):
        checked(client.get(item["links"]["content"], headers=headers), item)
        checked(client.get(item["links"]["content"], headers=juror_headers), item)
        page = clients(manager).get(f"/sessions/{sid}/documents/{item['id']}/telecharger")
        checked(page, item)
    conditional(client, pv["links"]["content"], headers, f'"{pv["sha256"]}"', app, "jury_document.read")

    # the bytes in storage no longer match: a 503, never the wrong bytes
    from core.extensions import db
    from core.jury.models import SignedDocument

    with app.app_context():
        tamper(app, db.session.get(SignedDocument, pv["id"]).storage_key)
    broken = client.get(pv["links"]["content"], headers=headers)
    assert broken.status_code == 503 and broken.json["error"]["code"] == "document_unavailable"
    assert b"%PDF" not in broken.data
    assert clients(manager).get(f"/sessions/{sid}/documents/{pv['id']}/telecharger").status_code == 503


def test_sealed_documents_one_route_one_rule(app, client, jury_session, clients, api_headers, create_user,
                                             create_organisation, create_jury_session, certifier_org):
    s = jury_session("RS6776", [SUCCESS])
    sid, manager, (juror1, juror2) = s["session_id"], s["manager"], s["jurors"]
    mgr = api_headers(manager)
    assert client.post(f"/api/v1/sessions/{sid}/pv", headers=mgr).status_code == 201
    for user in (juror1, juror2, manager):
        assert clients(user).post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302

    listing = client.get(f"/api/v1/sessions/{sid}/pv", headers=mgr).json
    pv, grid = listing["items"][0], listing["grids"][0]
    assert pv["status"] == grid["status"] == "sealed" and listing["session_status"] == "closed"
    # the listed digest is the sealed Document's, which the content URL serves
    from core.dossiers.models import Document
    from core.extensions import db

    with app.app_context():
        issued = db.session.get(Document, pv["document_id"])
        assert (issued.sha256, issued.size, issued.dossier_id) == (pv["sha256"], pv["size"], None)
        pv_key = issued.storage_key
        certificate_id = db.session.query(Document).filter_by(kind="certificate").one().id
    assert pv["links"]["document"] == f"/api/v1/documents/{pv['document_id']}"
    assert grid["links"]["document"] == f"/api/v1/documents/{grid['document_id']}"
    pv_body = checked(client.get(pv["links"]["content"], headers=mgr), pv)

    # the session manager reads the sealed PV through the generic route: the same bytes, the same digest
    meta = client.get(pv["links"]["document"], headers=mgr)
    assert meta.status_code == 200, meta.json
    meta = meta.json
    assert meta["kind"] == "jury_pv" and meta["session_id"] == sid and meta["dossier_id"] is None
    assert (meta["sha256"], meta["size"]) == (pv["sha256"], pv["size"])
    assert meta["links"]["content"] == f"/api/v1/documents/{pv['document_id']}/content"
    assert checked(client.get(meta["links"]["content"], headers=mgr), meta) == pv_body
    conditional(client, meta["links"]["content"], mgr, f'"{meta["sha256"]}"', app, "document.read")

    # the list: what the session issued (PV, grid, certificate), each with the digest of what is served
    page = client.get(f"/api/v1/documents?session_id={sid}", headers=mgr)
    assert page.status_code == 200, page.json
    items = {d["id"]: d for d in page.json["items"]}
    assert set(items) == {pv["document_id"], grid["document_id"], certificate_id} and page.json["next"] is None
    assert {d["session_id"] for d in items.values()} == {sid}
    for item in items.values():
        checked(client.get(item["links"]["content"], headers=mgr), item)
    first = client.get(f"/api/v1/documents?session_id={sid}&limit=1", headers=mgr).json
    second = client.get(f"/api/v1/documents?session_id={sid}&limit=1&cursor={first['next']}", headers=mgr).json
    assert len(first["items"]) == len(second["items"]) == 1 and first["items"][0]["id"] < second["items"][0]["id"]
    assert client.get("/api/v1/documents?kind=jury_pv", headers=mgr).json["items"][0]["id"] == pv["document_id"]
    bad = client.get("/api/v1/documents?session_id=abc&cursor=%%%", headers=mgr)
    assert bad.status_code == 422 and set(bad.json["error"]["details"]) == {"session_id", "cursor"}

    # the certifier's staff of the session's organisation: everything the session issued
    staff = api_headers(create_user("certifier_staff", organisation=s["org"]))
    for document_id in items:
        assert client.get(f"/api/v1/documents/{document_id}/content", headers=staff).status_code == 200

    # jurors of the session: the PV and grids they signed, not the certificate
    for juror in (juror1, juror2):
        headers = api_headers(juror)
        assert client.get(f"/api/v1/documents/{pv['document_id']}/content", headers=headers).status_code == 200
        assert client.get(f"/api/v1/documents/{grid['document_id']}", headers=headers).status_code == 200
        assert client.get(f"/api/v1/documents/{certificate_id}", headers=headers).status_code == 404
        listed = {d["id"] for d in client.get("/api/v1/documents", headers=headers).json["items"]}
        assert listed == {pv["document_id"], grid["document_id"]}

    # the candidate: their dossier's documents (grid, certificate), not the session's PV; the dossier's list
    # reports what its links serve
    candidate = api_headers(s["candidates"][0])
    assert client.get(f"/api/v1/documents/{pv['document_id']}", headers=candidate).status_code == 404
    dossier_docs = client.get(f"/api/v1/dossiers/{s['dossier_ids'][0]}/documents", headers=candidate).json["items"]
    assert {d["id"] for d in dossier_docs} == {grid["document_id"], certificate_id}
    for item in dossier_docs:
        assert item["links"]["content"] == f"/api/v1/documents/{item['id']}/content"
        checked(client.get(item["links"]["content"], headers=candidate), item)

    # everyone else: 404 on every document of the session, and an empty list
    other_org = certifier_org("RS6776", name="Autre certificateur")
    other_juror = create_user("juror")
    other_manager = create_user("session_manager", organisation=other_org)
    create_jury_session("RS6776", manager=other_manager, jurors=[other_juror], status="open")  # another session
    outsiders = [create_user("candidate"), other_juror, other_manager,
                 create_user("certifier_staff", organisation=other_org),
                 create_user("certifier_admin", organisation=other_org),
                 create_user("certifier_staff", organisation=create_organisation("Organisme sans session")),
                 create_user("platform_admin")]
    for outsider in outsiders:
        headers = api_headers(outsider)
        for document_id in items:
            for suffix in ("", "/content"):
                response = client.get(f"/api/v1/documents/{document_id}{suffix}", headers=headers)
                assert response.status_code == 404, (outsider.role, document_id, suffix)
                assert response.json["error"]["code"] in ("document_not_found", "not_found")
        assert client.get("/api/v1/documents", headers=headers).json["items"] == []

    # the sealed bytes altered in storage: 503 on every route that serves them, never the altered bytes
    tamper(app, pv_key)
    for url in (meta["links"]["content"], pv["links"]["content"]):
        broken = client.get(url, headers=mgr)
        assert broken.status_code == 503 and broken.json["error"]["code"] == "document_unavailable", url
    assert clients(manager).get(f"/sessions/{sid}/documents/{pv['id']}/telecharger").status_code == 503
