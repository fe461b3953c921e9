"""Issued documents are immutable (issue 16): once recorded, a sealed document moves to the object-lock bucket
under a COMPLIANCE retention (real S3 server: SeaweedFS), is read from there, and can be neither deleted nor
overwritten; on the filesystem it is read-only. With SEALED_REQUIRE_LOCK, no document is issued without a lock."""
import hashlib
import uuid
from datetime import datetime, timezone

import pytest

from core.sealing.testing import input_pdf, signing_env  # noqa: F401 - the development PKI, a PDF to seal


@pytest.fixture
def app_config(app_config, signing_env, s3_server):  # noqa: F811
    suffix = uuid.uuid4().hex[:10]
    host = s3_server["endpoint"]
    return {**app_config, **signing_env, "STORAGE_BACKEND": "s3", "S3_ENDPOINT": host,
            "S3_ACCESS_KEY": s3_server["access_key"], "S3_SECRET_KEY": s3_server["secret_key"],
            "S3_BUCKET": f"m-{suffix}", "S3_OBJECT_LOCK_BUCKET": f"l-{suffix}", "S3_SECURE": False,
            "S3_REGION": s3_server["region"], "S3_CREATE_BUCKETS": True, "SEALED_RETENTION_DAYS": 2,
            "SEALED_REQUIRE_LOCK": True}


def test_an_issued_document_is_locked_in_compliance_mode_and_still_served(app, client, input_pdf, s3_server):  # noqa: F811
    from core.extensions import db
    from core.sealing.services import issue_document
    from storage import StorageError

    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        key, sha256 = doc.storage_key, doc.sha256
    cfg, raw = app.config, s3_server["client"]
    assert [o.object_name for o in raw.list_objects(cfg["S3_BUCKET"], recursive=True)] == []
    retention = raw.get_object_retention(cfg["S3_OBJECT_LOCK_BUCKET"], key)
    assert retention.mode == "COMPLIANCE"
    days = (retention.retain_until_date - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 1.9 < days <= 2.0

    storage = app.extensions["livret"].storage
    with storage.open(key) as reader:
        assert hashlib.sha256(b"".join(reader)).hexdigest() == sha256
    assert storage.delete(key) is False and storage.exists(key)
    with pytest.raises(StorageError):
        storage.put(key, b"%PDF-1.7 faux", content_type="application/pdf")
    with pytest.raises(Exception) as refused:  # the server itself refuses
        raw.remove_object(cfg["S3_OBJECT_LOCK_BUCKET"], key,
                          version_id=raw.stat_object(cfg["S3_OBJECT_LOCK_BUCKET"], key).version_id)
    assert "AccessDenied" in str(refused.value) or "locked" in str(refused.value).lower()
    with app.app_context():
        from core.dossiers.models import Document

        assert db.session.get(Document, doc.id).sha256 == sha256


def test_without_object_lock_nothing_is_issued_when_the_lock_is_required(app, input_pdf):  # noqa: F811
    from sqlalchemy import func, select

    from core.dossiers.models import Document
    from core.extensions import db
    from core.sealing.services import SealingFailed, issue_document

    app.extensions["livret"].storage.object_lock_bucket = None  # as if the lock bucket were missing
    with app.app_context():
        with pytest.raises(SealingFailed) as refused:
            issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        assert "verrouillage des objets" in str(refused.value)
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_livret_seal_lock_locks_documents_issued_before(app, input_pdf, s3_server):  # noqa: F811
    from core.extensions import db
    from core.sealing import immutable
    from core.sealing.services import issue_document

    with app.app_context():
        real = immutable.seal_after_commit
        immutable.seal_after_commit = lambda key: None  # as before this release: stored, not locked
        try:
            doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        finally:
            immutable.seal_after_commit = real
        key = doc.storage_key
        db.session.remove()
    raw = s3_server["client"]
    assert [o.object_name for o in raw.list_objects(app.config["S3_BUCKET"], recursive=True)] == [key]
    result = app.test_cli_runner().invoke(args=["seal", "lock"])
    assert result.exit_code == 0, result.output
    assert "1 document(s) : 1 verrouillé(s) avec rétention, 0 en lecture seule sans rétention, 0 en échec." in result.output
    assert raw.get_object_retention(app.config["S3_OBJECT_LOCK_BUCKET"], key).mode == "COMPLIANCE"
    assert [o.object_name for o in raw.list_objects(app.config["S3_BUCKET"], recursive=True)] == []
