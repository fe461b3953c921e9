"""livret pki export-root, livret seal IN OUT, livret seal renew."""
import hashlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.dossiers.models import Document
from core.extensions import db
from core.sealing.models import DocumentHash
from signing import verify


def _roots(app):
    from core.sealing.services import signing_config

    with app.app_context():
        return signing_config().trust_root_certs()


def test_export_root_prints_the_root_pem(app, runner, signing_env):
    from pathlib import Path

    result = runner.invoke(args=["pki", "export-root"])
    assert result.exit_code == 0, result.output
    assert result.output.encode() == (Path(signing_env["SIGNING_PKI_DIR"]) / "root.crt.pem").read_bytes()


def test_seal_in_out(app, runner, input_pdf, tmp_path):
    src, dst = tmp_path / "pv-hors-ligne.pdf", tmp_path / "pv-scelle.pdf"
    src.write_bytes(input_pdf)
    result = runner.invoke(args=["seal", str(src), str(dst), "--level", "B-LTA", "--reason", "PV de session"])
    assert result.exit_code == 0, result.output
    assert "Document scellé (B-LTA)" in result.output
    sealed = dst.read_bytes()
    report = verify(sealed, trust_roots=_roots(app))
    assert report.valid and report.signatures[0].level == "B-LTA"
    with app.app_context():  # recorded as issued by the platform (no stored document)
        row = db.session.scalar(select(DocumentHash).where(DocumentHash.sha256 == hashlib.sha256(sealed).hexdigest()))
        assert row is not None and row.origin == "cli" and row.document_id is None
        assert db.session.scalar(select(AuditEvent.action)) == "document.sealed_external"


def test_seal_help_and_missing_file(app, runner, tmp_path):
    result = runner.invoke(args=["seal", "--help"])
    assert result.exit_code == 0 and "IN.pdf OUT.pdf" in result.output and "renew" in result.output
    result = runner.invoke(args=["seal", str(tmp_path / "absent.pdf"), str(tmp_path / "out.pdf")])
    assert result.exit_code != 0 and not (tmp_path / "out.pdf").exists()


def test_seal_renew_adds_a_document_timestamp(app, runner, input_pdf):
    from core.sealing.services import issue_document

    with app.app_context():
        doc = issue_document(input_pdf, kind="certificate", title="Certificat", filename="certificat.pdf")
        doc_id, old_key, old_sha = doc.id, doc.storage_key, doc.sha256

    # nothing is due today
    result = runner.invoke(args=["seal", "renew"])
    assert result.exit_code == 0, result.output
    assert "0 document(s) à renouveler" in result.output

    later = (datetime.now(timezone.utc) + timedelta(days=3 * 365)).date().isoformat()
    result = runner.invoke(args=["seal", "renew", "--now", later])
    assert result.exit_code == 0, result.output
    assert "1 document(s) à renouveler, 1 renouvelé(s), 0 en échec" in result.output

    storage = app.extensions["livret"].storage
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert doc.sha256 != old_sha and doc.storage_key != old_key
        with storage.open(doc.storage_key) as reader:
            data = b"".join(reader)
        assert hashlib.sha256(data).hexdigest() == doc.sha256
        rows = db.session.scalars(select(DocumentHash).where(DocumentHash.document_id == doc_id)
                                  .order_by(DocumentHash.id)).all()
        assert [r.origin for r in rows] == ["issued", "renewed"]
        assert rows[0].superseded_at is not None and rows[1].superseded_at is None
        assert rows[1].last_timestamp_at >= rows[0].last_timestamp_at
        assert "document.timestamp_renewed" in db.session.scalars(select(AuditEvent.action)).all()
    # the previous version is kept as it was sealed: a new object holds the renewed bytes
    with storage.open(old_key) as reader:
        assert hashlib.sha256(b"".join(reader)).hexdigest() == old_sha
    assert not storage.delete(old_key) and storage.exists(old_key)  # never deleted
    report = verify(data, trust_roots=_roots(app))
    assert report.valid, report.reasons
    assert len(report.document_timestamps) == 2 and all(t.valid for t in report.document_timestamps)
    assert report.signatures[0].level == "B-LTA"


def test_renew_seals_job_with_now(app, input_pdf):
    """The job function: documents are selected by the age of their last timestamp."""
    from core.sealing.services import issue_document, renew_seals

    with app.app_context():
        issue_document(input_pdf, kind="pv", title="PV", filename="pv.pdf")
        assert renew_seals() == {"due": 0, "renewed": 0, "failed": 0}
        assert renew_seals(now=datetime.now(timezone.utc) + timedelta(days=731)) == {
            "due": 1, "renewed": 1, "failed": 0}
        # just renewed: not due before its new timestamp ages in turn
        assert renew_seals(now=datetime.now(timezone.utc) + timedelta(days=700))["due"] == 0
