"""/healthz, /readyz and /metrics as an orchestrator and Prometheus use them, JSON logs as a collector reads them."""
import io
import json
import logging

import pytest


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_the_storage_the_tsa_and_the_seal(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "storage", "tsa", "seal_certificate"}  # no Redis in use
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["seal_certificate"]["days_left"] > 30
    assert body["checks"]["storage"]["free_mb"] >= 200  # the filesystem backend of the tests


def test_readyz_turns_red_when_the_storage_is_nearly_full(app, client, stored_keys):
    app.config["STORAGE_MIN_FREE_MB"] = 10**9  # more than any disk here: the storage counts as full
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not_ready"
    storage = body["checks"]["storage"]
    assert storage["ok"] is False and "at least 1000000000 required" in storage["detail"], storage
    assert list(app.extensions["livret"].storage.iter_keys("readiness/")) == []  # the write probe cleaned up


def test_readyz_turns_red_before_the_seal_expires(app, client):
    app.config["READY_SEAL_MIN_DAYS"] = 100_000
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not_ready"
    seal = body["checks"]["seal_certificate"]
    assert seal["ok"] is False and "at least 100000 required" in seal["detail"]
    assert body["checks"]["database"]["ok"] is True  # the others still reported


@pytest.fixture
def dead_redis_config(app_config):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return dict(app_config, JOBS_BACKEND="rq", REDIS_URL=f"redis://127.0.0.1:{port}/0")


def test_readyz_names_an_unreachable_redis(dead_redis_config):
    from core import create_app

    app = create_app(dead_redis_config)
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in body["checks"]["redis"]["detail"]


def _sample(text: str, name: str, **labels) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def test_metrics_count_requests_seals_and_verifications(app, client, input_pdf):
    from core.sealing.services import issue_document

    before = client.get("/metrics").get_data(as_text=True)
    seals_before = _sample(before, "livret_seals_total", kind="pv", outcome="ok")
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        doc = issue_document(input_pdf, kind="pv", title="Procès-verbal", filename="pv.pdf")
        with app.extensions["livret"].storage.open(doc.storage_key) as reader:
            data = b"".join(reader)
    verified = client.post("/api/v1/verify", data={"file": (io.BytesIO(data), "pv.pdf")},
                           content_type="multipart/form-data")
    assert verified.status_code == 200
    client.post("/api/v1/verify", data={"file": (io.BytesIO(b"pas un PDF"), "x.pdf")},
                content_type="multipart/form-data")

    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert _sample(text, "livret_http_requests_total", endpoint="operations.healthz", method="GET", status="200") >= 1
    assert _sample(text, "livret_seals_total", kind="pv", outcome="ok") == seals_before + 1
    assert _sample(text, "livret_seal_duration_seconds_count", kind="pv") >= 1
    assert _sample(text, "livret_verifications_total", outcome="valid") >= 1
    assert _sample(text, "livret_verifications_total", outcome="refused") >= 1
    assert _sample(text, "livret_seal_certificate_days_left") > 30
    assert _sample(text, "livret_queue_depth") == 0


def test_metrics_count_uploads_and_scans(app, client, login, create_user, certifier_org, input_pdf):
    from core.dossiers.services import create_dossier
    from core.extensions import db

    certifier_org("RNCP37827")
    user = create_user("candidate")
    with app.app_context():
        from core.auth.models import User

        dossier = create_dossier(db.session.get(User, user.id), "RNCP37827")
        db.session.commit()
        dossier_id = dossier.id
    login(user)
    before = client.get("/metrics").get_data(as_text=True)
    response = client.post(f"/dossiers/{dossier_id}/annexes", data={
        "file-0": (io.BytesIO(input_pdf), "preuve.pdf"), "title-0": "Preuve", "role-0": "evidence"},
        content_type="multipart/form-data")
    assert response.status_code in (200, 302, 303), response.status_code
    after = client.get("/metrics").get_data(as_text=True)
    assert _sample(after, "livret_uploads_total", outcome="stored") == _sample(
        before, "livret_uploads_total", outcome="stored") + 1
    assert _sample(after, "livret_annex_scans_total") >= _sample(before, "livret_annex_scans_total") + 1


def test_metrics_are_for_operators_only(app, client):
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403 and outside.get_json()["error"]["code"] == "forbidden"
    app.config["METRICS_TOKEN"] = "jeton-de-supervision"
    assert client.get("/metrics").status_code == 403  # loopback is not enough once a token is set
    assert client.get("/metrics", headers={"Authorization": "Bearer autre"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer jeton-de-supervision"},
                    environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert ok.status_code == 200 and "livret_http_requests_total" in ok.get_data(as_text=True)


@pytest.mark.logs_personal_data("an address in a query string, which the JSON formatter must hide")
def test_json_logs_hide_query_strings(app):
    from core.operations.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("livret.test.json")
    log.addHandler(handler)
    try:
        with app.test_request_context("/certificateur/dossiers?q=jean@example.org"):
            log.warning("recherche lente : /certificateur/dossiers?q=jean@example.org")
            try:
                raise ValueError("échec")
            except ValueError:
                log.exception("erreur")
    finally:
        log.removeHandler(handler)
    first, second = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    assert first["level"] == "WARNING" and first["logger"] == "livret.test.json"
    assert first["message"] == "recherche lente : /certificateur/dossiers?q=***"
    assert first["path"] == "/certificateur/dossiers" and "jean" not in json.dumps(first)
    assert first["time"].endswith("+00:00")
    assert "ValueError: échec" in second["exception"]
