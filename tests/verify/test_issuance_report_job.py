"""With RQ, the verification report of an issued document is computed by the worker after the
issuing transaction is committed: the person who seals does not wait for it, a rolled-back
issuance queues nothing, and running the job twice keeps one report."""
import hashlib
import uuid

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, JOBS_BACKEND="rq", REDIS_URL=REDIS_URL,
                JOBS_QUEUE=f"livret-test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def queue(app):
    jobs = app.extensions["livret"].jobs
    try:
        yield jobs
    finally:
        jobs.queue.delete(delete_jobs=True)


def test_the_worker_keeps_the_report_after_the_commit(app, client, input_pdf, queue):
    from core.extensions import db
    from core.sealing import reports
    from core.sealing.models import DocumentHash
    from core.sealing.services import issue_document

    with app.app_context():
        assert reports.mode() == "job"
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        row_id = db.session.scalar(db.select(DocumentHash.id).filter_by(document_id=doc.id))
        assert db.session.get(DocumentHash, row_id).verification_report is None
        sha256 = doc.sha256
    assert queue.queue.count == 1  # queued once the document was committed

    queue.work(burst=True, app=app)
    with app.app_context():
        stored = db.session.get(DocumentHash, row_id).verification_report
        assert stored["valid"] is True and stored["sha256"] == sha256
        assert reports.keep_issuance_report(sha256=sha256) is False  # idempotent: kept once
        with app.extensions["livret"].storage.open(doc.storage_key) as reader:
            data = b"".join(reader)
    assert hashlib.sha256(data).hexdigest() == sha256
    body = client.post("/api/v1/verify", data={"file": (__import__("io").BytesIO(data), "pv.pdf")},
                       content_type="multipart/form-data").get_json()
    assert body["platform"]["from_issuance"] is True and body["valid"] is True


def test_a_rolled_back_issuance_queues_nothing(app, input_pdf, queue):
    from core.extensions import db
    from core.sealing.services import issue_document

    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf", commit=False)
        assert doc.id is not None
        db.session.rollback()
    assert queue.queue.count == 0
