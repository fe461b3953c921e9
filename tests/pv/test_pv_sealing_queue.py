"""Issue 15 §2: the final seals go through the job queue (RQ on a real Redis here, as in production).

The last signature answers at once (202, ``Location`` to the progress), the session page shows the progress
and the manager's « Relancer le scellement »; the worker seals each document exactly once, even when its job
was queued several times (the scheduler's ``resume_sealing`` after a worker died, a manager's retry).
"""
from __future__ import annotations

import uuid

import pytest

from core.sealing.testing import input_pdf, signing_env  # noqa: F401 - shared signing fixtures
from tests.pv.conftest import page
from tests.pv.test_pv_rules import PASSWORD, RS_TWO, _real_documents

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def app_config(app_config, signing_env):  # noqa: F811
    return {**app_config, **signing_env, "JOBS_BACKEND": "rq", "REDIS_URL": REDIS_URL,
            "JOBS_QUEUE": f"livret-test-seal-{uuid.uuid4().hex[:8]}"}


@pytest.fixture
def queue(app):
    jobs = app.extensions["livret"].jobs
    try:
        yield jobs
    finally:
        jobs.queue.delete(delete_jobs=True)


def _issued(app) -> int:
    from core.dossiers.models import Document
    from core.extensions import db

    with app.app_context():
        return db.session.query(Document).filter(Document.kind == "jury_grid").count()


def test_the_last_signature_answers_at_once_and_the_worker_seals_each_document_once(
        app, jury_session, api_headers, clients, input_pdf, queue):  # noqa: F811
    s = jury_session("RS6776", RS_TWO)
    sid = s["session_id"]
    ids = _real_documents(app, s, 2, input_pdf)
    first = api_headers(s["jurors"][0])
    signed = _client = app.test_client()
    signed = _client.post(f"/api/v1/sessions/{sid}/signatures", json={"password": PASSWORD}, headers=first)
    assert signed.status_code == 200 and signed.json["complete"]  # one juror of two: nothing to seal yet
    last = _client.post(f"/api/v1/sessions/{sid}/signatures", json={"password": PASSWORD},
                        headers=api_headers(s["jurors"][1]))
    assert last.status_code == 202, last.json
    assert last.headers["Location"].endswith(f"/api/v1/sessions/{sid}/sealing")
    assert {d["status"] for d in last.json["signed"]} == {"sealing"}
    assert queue.queue.count == 2 and _issued(app) == 0  # queued, not run

    progress = _client.get(f"/api/v1/sessions/{sid}/sealing", headers=api_headers(s["manager"])).json
    assert (progress["documents"], progress["signed"], progress["sealed"], progress["waiting"]) == (2, 2, 0, 2)
    manager = clients(s["manager"])
    text = page(manager.get(f"/sessions/{sid}/pv"))
    assert "Scellement des documents signés" in text and "0 document(s) scellé(s) sur 2 signé(s)." in text
    assert "Relancer le scellement" in text
    assert manager.get(f"/sessions/{sid}/pv/scellement").json["waiting"] == 2
    juror_page = page(clients(s["jurors"][0]).get(f"/sessions/{sid}/pv"))
    assert "Scellement des documents signés" in juror_page and "Relancer le scellement" not in juror_page

    # the same seals queued again (a manager's retry, the scheduler after a worker died): still once each
    relaunched = manager.post(f"/sessions/{sid}/pv/scellement", data={})
    assert relaunched.status_code == 302
    with app.app_context():
        from datetime import timedelta

        from core.auth.models import utcnow
        from core.pv.sealing import resume_sealing

        assert resume_sealing(now=utcnow() + timedelta(hours=1)) == 2
    assert queue.queue.count == 6
    queue.work(burst=True, app=app)
    assert _issued(app) == 2
    done = _client.get(f"/api/v1/sessions/{sid}/sealing", headers=api_headers(s["manager"])).json
    assert (done["sealed"], done["waiting"], done["done"], done["errors"]) == (2, 0, True, [])
    with app.app_context():
        from core.extensions import db
        from core.jury.models import SignedDocument

        assert {db.session.get(SignedDocument, i).status.value for i in ids} == {"sealed"}
        from core.pv.sealing import resume_sealing

        assert resume_sealing() == 0
    assert "Scellement des documents signés" not in page(manager.get(f"/sessions/{sid}/pv"))
