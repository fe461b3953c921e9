"""Issue 15 §2: a submission whose timestamping authority is slow is recorded at once; its documents
are issued by the job queue, exactly once, and the page and the API show the progress.

The TSA is the real development TSA behind a relay that answers late (:mod:`slow_tsa`); the queue is
inline (the embedded default) in the first test and RQ on the real Redis in the second.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from slow_tsa import SlowTsa  # tests/dossiers/slow_tsa.py
from test_submission import CODE, DossierPlugin, add_annex, fill, open_dossier, page  # noqa: F401

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def slow_tsa(signing_env):
    with SlowTsa(signing_env["SIGNING_DEV_BASE_URL"] + "/tsa") as relay:
        yield relay


@pytest.fixture
def app_config(app_config, slow_tsa):
    return {**app_config, "SIGNING_TSA_URL": slow_tsa.url, "SUBMISSION_TSA_WAIT_SECONDS": 1}


@pytest.fixture
def plugin(register_plugin, certifier_org):
    certifier_org(CODE)
    return register_plugin(DossierPlugin(), "subplugin")


def _state(app, dossier_id):
    from core.audit.models import AuditEvent
    from core.dossiers.models import Document, Dossier
    from core.extensions import db

    with app.app_context():
        version = db.session.get(Dossier, dossier_id).latest_version
        kinds = sorted(d.kind for d in db.session.query(Document).filter(Document.dossier_id == dossier_id))
        keys = list(app.extensions["livret"].storage.iter_keys("documents/"))
        deferred = db.session.query(AuditEvent).filter(AuditEvent.action == "dossier.documents_deferred").count()
        return version, kinds, keys, deferred


def test_a_slow_tsa_defers_the_documents_and_the_inline_job_issues_them(app, client, plugin, create_user, login,
                                                                       outbox, slow_tsa):
    user = create_user("candidate", first_name="Camille", last_name="Martin")
    login(user)
    dossier_id = open_dossier(client)
    fill(client, dossier_id, user)
    add_annex(app, dossier_id, user.id, 1, b"%PDF-1.4 preuve", ["C1", "C2"])

    slow_tsa.delays = [3]  # the first timestamp (the candidate's signature) comes after the 1 s the person waits
    response = client.post(f"/dossiers/{dossier_id}/deposer", data={"password": user.plain_password})
    assert response.status_code == 302, page(response)
    version, kinds, keys, deferred = _state(app, dossier_id)
    assert deferred == 1  # the request gave up waiting and queued the documents ...
    assert version.number == 1 and not version.documents_pending and version.seal_error is None
    assert kinds == ["livret2", "receipt"] and len(keys) == 2  # ... the inline job issued them, once
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "Accusé de réception" in overview and "Scellement de votre dépôt en cours" not in overview
    assert client.get(f"/dossiers/{dossier_id}/scellement").json == {
        "dossier_id": dossier_id, "version": 1, "done": True, "signed": 2, "sealed": 2, "error": None,
        "attempted_at": None}
    assert version.seal_attempted_at is not None  # the job's claim
    assert len([m for m in outbox() if "Accusé de réception" in m["Subject"]]) == 1


@pytest.fixture
def rq_config(app_config):
    return {**app_config, "JOBS_BACKEND": "rq", "REDIS_URL": REDIS_URL, "SIGNING_TSA_TIMEOUT": 2,
            "JOBS_QUEUE": f"livret-test-submit-{uuid.uuid4().hex[:8]}"}


def test_with_rq_the_candidate_gets_202_and_follows_the_progress_until_issued_once(
        rq_config, certifier_org, create_user, slow_tsa):
    from core import create_app
    from core.api.services import issue_token
    from core.auth.models import User, utcnow
    from core.dossiers.submission_queue import issue_pending, resume_pending
    from core.extensions import db

    certifier_org(CODE)
    app = create_app({**rq_config, "EXTRA_PLUGINS": [DossierPlugin()]})
    jobs = app.extensions["livret"].jobs
    outbox = app.extensions["livret"].mailer.messages
    client = app.test_client()
    user = create_user("candidate", first_name="Camille", last_name="Martin")
    other = create_user("candidate")
    client.post("/connexion", data={"email": user.email, "password": user.plain_password})
    dossier_id = open_dossier(client)
    fill(client, dossier_id, user)
    add_annex(app, dossier_id, user.id, 1, b"%PDF-1.4 preuve", ["C1", "C2"])
    with app.app_context():
        secret, _t = issue_token(db.session.get(User, user.id), name="test")
        other_secret, _t = issue_token(db.session.get(User, other.id), name="test")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        slow_tsa.delays = [3]
        submitted = client.post(f"/api/v1/dossiers/{dossier_id}/submit", json={"password": user.plain_password},
                                headers=headers)
        assert submitted.status_code == 202, submitted.json
        assert submitted.headers["Location"].endswith(f"/api/v1/dossiers/{dossier_id}/sealing")
        assert submitted.json["status"] == "submitted" and submitted.json["version"]["documents_pending"] is True
        status = client.get(f"/api/v1/dossiers/{dossier_id}/sealing", headers=headers)
        assert status.status_code == 200 and status.headers["Cache-Control"] == "no-store"
        assert (status.json["done"], status.json["sealed"], status.json["signed"]) == (False, 0, 2)
        assert client.get(f"/api/v1/dossiers/{dossier_id}/sealing",
                          headers={"Authorization": f"Bearer {other_secret}"}).status_code == 404
        overview = page(client.get(f"/dossiers/{dossier_id}"))
        assert "Scellement de votre dépôt en cours" in overview and "0 document(s) scellé(s) sur 2." in overview
        stranger = app.test_client()  # another candidate, signed in through the form: the page's JSON is 404 too
        stranger.post("/connexion", data={"email": other.email, "password": other.plain_password})
        assert stranger.get(f"/dossiers/{dossier_id}/scellement").status_code == 404
        assert stranger.get(f"/dossiers/{dossier_id}").status_code == 404
        assert jobs.queue.count == 1 and _state(app, dossier_id)[1] == []

        # the worker's first try meets a TSA still slower than SIGNING_TSA_TIMEOUT: nothing is kept
        slow_tsa.delays = [3]
        jobs.work(burst=True, app=app)
        version, kinds, keys, _d = _state(app, dossier_id)
        assert version.documents_pending and "horodatage" in version.seal_error
        assert kinds == [] and keys == [] and not [m for m in outbox() if "Accusé" in m["Subject"]]
        assert "Le dernier essai a échoué" in page(client.get(f"/dossiers/{dossier_id}"))

        # the scheduler queues it again, a duplicate job too: issued once
        with app.app_context():
            assert resume_pending(now=utcnow() + timedelta(hours=1)) == 1
            assert resume_pending(now=utcnow() + timedelta(hours=1)) == 1
        jobs.work(burst=True, app=app)
        version, kinds, keys, _d = _state(app, dossier_id)
        assert not version.documents_pending and version.seal_error is None
        assert kinds == ["livret2", "receipt"] and len(keys) == 2
        with app.app_context():
            assert issue_pending(version.id) is False  # a late job finds nothing to do
        assert len([m for m in outbox() if "Accusé de réception" in m["Subject"]]) == 1
        done = client.get(f"/api/v1/dossiers/{dossier_id}/sealing", headers=headers).json
        assert (done["done"], done["sealed"], done["error"]) == (True, 2, None)
        documents = client.get(f"/api/v1/dossiers/{dossier_id}/documents", headers=headers)
        assert documents.status_code == 200 and len(documents.json["items"]) == 2, documents.json
    finally:
        jobs.queue.delete(delete_jobs=True)
