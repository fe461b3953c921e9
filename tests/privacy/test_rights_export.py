"""The export of one's own data (RGPD art. 15 and 20): a ZIP streamed with flat memory, ``donnees.json`` with
everything the platform holds about the person, the files themselves and ``SHA256SUMS``; the person's data
only; recorded in the register and the audit trail; limited per account."""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import tracemalloc
import zipfile

from tests.privacy.rights_support import *  # noqa: F401,F403 - fixtures
from tests.privacy.rights_support import DRAFT_LETTER, LETTER, add_annex, bearer

EXPORT = "/api/v1/me/export"


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _sums(archive: zipfile.ZipFile) -> dict[str, str]:
    lines = archive.read("SHA256SUMS").decode("utf-8").splitlines()
    return {path: digest for digest, path in (line.split("  ", 1) for line in lines)}


def test_the_export_holds_everything_and_every_hash_is_the_bytes(app, client, rights):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db
    from core.privacy.models import PrivacyRequest

    archive = _zip(client.get(EXPORT, headers=bearer(rights.token)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert "donnees.json" in names and "SHA256SUMS" in names
    sums = _sums(archive)
    assert set(sums) == set(names) - {"SHA256SUMS"}  # every entry listed, each once
    for path, digest in sums.items():
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest, path

    data = json.loads(archive.read("donnees.json"))
    assert data["account"]["email"] == rights.candidate.email
    assert data["account"]["first_name"] == "Camille" and data["account"]["role"] == "candidate"
    dossiers = {d["id"]: d for d in data["dossiers"]}
    assert set(dossiers) == {rights.draft_id, rights.dossier_id}
    draft = dossiers[rights.draft_id]
    assert draft["status"] == "draft"
    assert draft["sections"][0]["data"]["lettre"] == DRAFT_LETTER  # the current draft, as typed
    submitted = dossiers[rights.dossier_id]
    assert submitted["versions"][0]["number"] == 1
    assert submitted["versions"][0]["content"]["lettre_motivation"]["lettre"] == LETTER  # the version as sealed
    assert submitted["versions"][0]["manifest"][0]["sha256"] == rights.annex.sha256

    # every annex and issued document is in the archive, its bytes the stored ones and its hash the recorded one
    for dossier, annex in ((draft, rights.draft_annex), (submitted, rights.annex)):
        entry = dossier["annexes"][0]
        assert entry["sha256"] == annex.sha256 and entry["filename"] == annex.filename
        assert entry["file"].endswith(annex.filename) and sums[entry["file"]] == annex.sha256
    assert archive.read(submitted["annexes"][0]["file"]) == b"%PDF-1.4 preuve deposee"
    issued = {d["id"]: d for d in submitted["documents"]}
    assert set(issued) == {d.id for d in rights.documents}
    for document in rights.documents:
        entry = issued[document.id]
        assert sums[entry["file"]] == document.sha256 == entry["sha256"]
        assert archive.read(entry["file"]).startswith(b"%PDF")
    assert any(e["action"] == "dossier.submitted" and e["object_id"] == str(rights.dossier_id)
               for e in data["audit_events"])

    with app.app_context():
        rows = db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.subject_id == rights.candidate.id)).all()
        assert [(r.kind.value, r.status.value, r.organisation_id) for r in rows] == [("access", "done", rights.org.id)]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.exported"))
        assert event.actor_id == rights.candidate.id and event.payload == {"dossiers": 2, "files": 2 + len(
            rights.documents)}
    listed = client.get("/api/v1/me/requests", headers=bearer(rights.token)).get_json()["items"]
    assert [(r["kind"], r["status"]) for r in listed] == [("access", "done")]


def test_the_export_carries_the_fee_and_the_sealed_decision(app, client, rights, create_jury_session):
    """Issue 18 §2: the dossier's fee record and the jury's decisions (outcome, validated blocks, retake date)
    are in ``donnees.json``, as recorded."""
    from datetime import date, datetime, timedelta, timezone
    from types import SimpleNamespace

    from sqlalchemy import select

    from core.extensions import db
    from core.fees.models import FeeRequest, FeeState
    from core.jury.models import JuryDecision, SessionCandidate

    session_id = create_jury_session("RGT01", dossiers=[SimpleNamespace(id=rights.dossier_id)], status="closed",
                                     title="Session de mars")
    retake = date.today() + timedelta(days=200)
    with app.app_context():
        sitting = db.session.scalar(select(SessionCandidate.id).where(SessionCandidate.session_id == session_id))
        db.session.add(JuryDecision(candidate_id=sitting, outcome="partiel", validated_blocks=["BC01"],
                                    remaining="BC02", recorded_by_id=rights.admin.id,
                                    sealed_at=datetime.now(timezone.utc), retake_until=retake))
        db.session.add(FeeRequest(dossier_id=rights.dossier_id, amount_cents=30000, label="Frais de recevabilité",
                                  state=FeeState.PAID, transfer_reference="RF18RGT01EXPORT", paid_on=date(2026, 3, 2),
                                  paid_amount_cents=30000, invoice_number="2026-000007", seller_id=rights.org.id,
                                  payer_name="Camille Martin"))
        db.session.commit()

    data = json.loads(_zip(client.get(EXPORT, headers=bearer(rights.token))).read("donnees.json"))
    submitted = next(d for d in data["dossiers"] if d["id"] == rights.dossier_id)
    fee = submitted["fee"]
    assert (fee["label"], fee["amount_cents"], fee["state"], fee["paid_on"], fee["invoice_number"],
            fee["payer_name"]) == ("Frais de recevabilité", 30000, "paid", "2026-03-02", "2026-000007",
                                   "Camille Martin")
    [jury] = submitted["jury"]
    assert jury["session"]["id"] == session_id and jury["session"]["title"] == "Session de mars"
    [decision] = jury["decisions"]
    assert (decision["outcome"], decision["validated_blocks"], decision["remaining"]) == ("partiel", ["BC01"], "BC02")
    assert decision["retake_until"] == retake.isoformat() and decision["sealed_at"]
    draft = next(d for d in data["dossiers"] if d["id"] == rights.draft_id)
    assert draft["fee"] is None and draft["jury"] == []


def test_the_account_page_button_downloads_the_same_archive(client, rights):
    page = client.get("/compte")
    assert "Télécharger mes données" in page.get_data(as_text=True)
    archive = _zip(client.post("/compte/donnees/export", data={}, page="/compte"))
    data = json.loads(archive.read("donnees.json"))
    assert {d["id"] for d in data["dossiers"]} == {rights.draft_id, rights.dossier_id}


def test_only_the_persons_own_data(app, client, rights, create_user, login, token_of):
    """Another candidate's dossier and file are absent; a staff member of the organisation gets their own
    account only, never the dossiers they handle."""
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    other = create_user("candidate", email="sacha.bernard@example.org", first_name="Sacha", last_name="Bernard")
    with app.app_context():
        dossier = Dossier(candidate_id=other.id, certification_code="RGT01",
                          status=DossierStatus.DRAFT, organisation_id=rights.org.id)
        db.session.add(dossier)
        db.session.commit()
        other_dossier = dossier.id
    add_annex(app, other_dossier, other.id, 1, b"%PDF-1.4 piece de Sacha", "piece-de-sacha.pdf")

    raw = client.get(EXPORT, headers=bearer(rights.token)).get_data()
    archive = zipfile.ZipFile(io.BytesIO(raw))
    text = archive.read("donnees.json").decode("utf-8")
    assert "sacha" not in text.lower() and "piece-de-sacha" not in " ".join(archive.namelist())
    assert all(b"piece de Sacha" not in archive.read(n) for n in archive.namelist())

    mine = zipfile.ZipFile(io.BytesIO(client.get(EXPORT, headers=bearer(token_of(other))).get_data()))
    data = json.loads(mine.read("donnees.json"))
    assert [d["id"] for d in data["dossiers"]] == [other_dossier]
    assert rights.candidate.email not in mine.read("donnees.json").decode("utf-8")

    staff = zipfile.ZipFile(io.BytesIO(client.get(EXPORT, headers=bearer(token_of(rights.admin))).get_data()))
    data = json.loads(staff.read("donnees.json"))
    assert data["account"]["role"] == "certifier_admin" and data["dossiers"] == []
    assert staff.namelist() == ["donnees.json", "SHA256SUMS"]
    text = staff.read("donnees.json").decode("utf-8")
    assert rights.candidate.email not in text and "Camille" not in text and "sacha" not in text.lower()


def test_memory_stays_flat_for_a_large_annex(app, client, rights):
    """A 48 MiB annex streams through the export: the bytes arrive whole (its hash), the memory allocated while
    the archive is produced and read stays a small fraction of it."""
    size = 48 * 1024 * 1024
    digest = hashlib.sha256()

    def chunks():
        for _ in range(size // (1024 * 1024)):
            block = os.urandom(1024 * 1024)  # incompressible: the archive is as large as the file
            digest.update(block)
            yield block

    from core.dossiers.models import Annex, ScanState
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        put = app.extensions["livret"].storage.put(new_key("annexes", rights.dossier_id), chunks(),
                                                   content_type="application/pdf")
        db.session.add(Annex(dossier_id=rights.dossier_id, number=2, title="Vidéo", filename="grande-preuve.pdf",
                             media_type="application/pdf", size=put.size, sha256=put.sha256, storage_key=put.key,
                             scan_state=ScanState.CLEAN, uploaded_by_id=rights.candidate.id))
        db.session.commit()
    assert put.sha256 == digest.hexdigest()

    with tempfile.TemporaryFile() as sink:
        tracemalloc.start()
        try:
            response = client.get(EXPORT, headers=bearer(rights.token), buffered=False)
            assert response.status_code == 200
            received = 0
            for chunk in response.response:
                sink.write(chunk)
                received += len(chunk)
            response.close()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert received > size
        assert peak < 8 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB while streaming a 48 MiB annex"
        sink.seek(0)
        archive = zipfile.ZipFile(sink)
        sums = _sums(archive)
        path = next(p for p in archive.namelist() if p.endswith("grande-preuve.pdf"))
        assert sums[path] == put.sha256
        found = hashlib.sha256()
        with archive.open(path) as member:
            for block in iter(lambda: member.read(1024 * 1024), b""):
                found.update(block)
        assert found.hexdigest() == put.sha256


def test_a_missing_object_is_said_not_hidden(app, client, rights):
    with app.app_context():
        app.extensions["livret"].storage.delete(rights.draft_annex.key)
    archive = _zip(client.get(EXPORT, headers=bearer(rights.token)))
    data = json.loads(archive.read("donnees.json"))
    entry = next(d for d in data["dossiers"] if d["id"] == rights.draft_id)["annexes"][0]
    assert entry["file"] is None and entry["unavailable"] is True
    assert all(not n.endswith("brouillon.pdf") for n in archive.namelist())


def test_exports_are_limited_per_account(client, rights):
    for _ in range(10):
        assert client.get(EXPORT, headers=bearer(rights.token)).status_code == 200
    refused = client.get(EXPORT, headers=bearer(rights.token))
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert "réessayez dans" in refused.get_json()["error"]["message"]
    page = client.post("/compte/donnees/export", data={}, page="/compte")  # the page counts the same exports
    assert page.status_code == 429 and "réessayez dans" in page.get_data(as_text=True)


def test_anonymous_is_refused(client, plugin):
    assert client.get(EXPORT).status_code == 401
    response = client.post("/compte/donnees/export", data={}, csrf=False)
    assert response.status_code in (302, 400)
