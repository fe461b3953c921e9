"""HSTS when cookies are secure and the request is HTTPS (directly or through a trusted proxy), and access logs
that keep no value of a query string (werkzeug's development server and gunicorn, both really run)."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HSTS = "max-age=31536000; includeSubDomains"
EMAIL = "jean.dupont@example.org"


def test_hsts_only_over_https_with_secure_cookies(app, app_config):
    from core import create_app

    secure = create_app({**app_config, "SESSION_COOKIE_SECURE": True})  # on the database of ``app``
    assert secure.test_client().get("/", base_url="https://localhost").headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in secure.test_client().get("/", base_url="http://localhost").headers
    # cookies not marked secure (development): no HSTS, even over HTTPS
    assert "Strict-Transport-Security" not in app.test_client().get("/", base_url="https://localhost").headers


def test_hsts_behind_a_trusted_proxy_only(app, app_config):
    from core import create_app

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    proxied = create_app({**app_config, "SESSION_COOKIE_SECURE": True, "TRUSTED_PROXIES": 1})
    response = proxied.test_client().get("/", headers=forwarded)  # plain HTTP from the proxy
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in proxied.test_client().get("/").headers  # the proxy says http
    # no trusted proxy: a forged header does not make the request secure
    direct = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    assert "Strict-Transport-Security" not in direct.test_client().get("/", headers=forwarded).headers


def test_query_strings_are_masked():
    from core.access_log import mask_query_string, mask_target

    assert mask_query_string("q=jean.dupont%40example.org&page=2") == "q=***&page=***"
    assert mask_query_string(EMAIL) == "***"
    line = f'"GET /certificateur/dossiers?q={EMAIL}&statut=submitted HTTP/1.1" 200 -'
    assert mask_target(line) == '"GET /certificateur/dossiers?q=***&statut=*** HTTP/1.1" 200 -'
    assert mask_target("GET /espace/ HTTP/1.1") == "GET /espace/ HTTP/1.1"


def test_one_time_links_are_masked_in_every_route_that_carries_a_token(app):
    """Every route with a ``token`` argument (verification, password reset, third-party payer, page and API)
    loses its secret in access logs and in the application's own log lines; a new such route without a
    prefix in ``SECRET_PATHS`` fails here."""
    from core.access_log import mask_path, mask_target

    secret = "eyJ1c2VyIjo0Mn0.Z2VoZWlt.c2lnbmF0dXJl"
    adapter = app.url_map.bind("livret.example.fr")
    routes = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(routes) >= 6, [r.rule for r in routes]
    for rule in routes:
        values = {name: (secret if name == "token" else "stripe") for name in rule.arguments}
        url = adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
        assert secret in url
        for line in (f'"GET {url}?next=/espace HTTP/1.1" 200 -', f"Unhandled error on GET {url}"):
            masked = mask_target(line)
            assert secret not in masked and "***" in masked, (rule.rule, masked)
        assert secret not in mask_path(url)
    assert mask_path("/dossiers/12/sections/etat_civil") == "/dossiers/12/sections/etat_civil"
    assert mask_target("GET /verifier HTTP/1.1") == "GET /verifier HTTP/1.1"


def test_an_error_on_a_one_time_link_logs_the_path_without_its_secret(app, client, caplog, monkeypatch):
    from core.auth import views

    secret = "eyJ1c2VyIjo0Mn0.Z2VoZWlt.c2lnbmF0dXJl"

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render_template", broken)
    caplog.set_level(logging.ERROR)
    assert client.get(f"/mot-de-passe/reinitialiser/{secret}").status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/mot-de-passe/reinitialiser/***" in logged and secret not in logged


def _get(url, headers=None, within=120.0):
    """The status of a GET, waiting for the server to start (a gunicorn worker loads the app first)."""
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer") from None
            time.sleep(0.2)


def test_development_server_access_log_has_no_query_values(app, caplog):
    from werkzeug.serving import make_server

    from core.sealing.testing import closed_port

    caplog.set_level(logging.INFO, logger="werkzeug")
    port = closed_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _get(f"http://127.0.0.1:{port}/accessibilite?q={EMAIL}&page=2") == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /accessibilite?q=***&page=*** HTTP/1.1" in line for line in lines), lines
    assert not any("jean.dupont" in line or "example.org" in line for line in lines), lines


def test_gunicorn_access_log_has_no_query_values(tmp_path):
    """gunicorn started as the Dockerfile starts it, on the embedded SQLite database."""
    from core.sealing.testing import closed_port

    port = closed_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "LIVRET_INSTANCE_PATH": str(tmp_path / "instance"),
           "LIVRET_SECRET_KEY": "gunicorn-test-secret-key-not-for-production",
           "LIVRET_DATABASE_URL": "sqlite:///" + str(tmp_path / "livret.sqlite3")}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--config", "core/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--access-logfile", str(log), "core.wsgi:app"],
        cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        referer = f"http://127.0.0.1:{port}/certificateur/dossiers?q={EMAIL}"
        assert _get(f"http://127.0.0.1:{port}/accessibilite?q={EMAIL}&page=2", headers={"Referer": referer}) == 200
        assert _get(f"http://127.0.0.1:{port}/mot-de-passe/reinitialiser/eyJzZWNyZXQiOjF9.dG9rZW4") in (200, 302, 400, 404)
        # `make run` serves this way: the probes an orchestrator and Prometheus use answer
        assert _get(f"http://127.0.0.1:{port}/healthz") == 200
        assert _get(f"http://127.0.0.1:{port}/readyz") == 200
        assert _get(f"http://127.0.0.1:{port}/metrics") == 200
    finally:
        process.terminate()
        _out, errors = process.communicate(timeout=30)
    text = log.read_text(encoding="utf-8")
    assert '"GET /accessibilite?q=***&page=*** HTTP/1.1" 200' in text, (text, errors.decode()[-2000:])
    assert "/certificateur/dossiers?q=***" in text  # the Referer, masked too
    assert "jean.dupont" not in text and "example.org" not in text
    assert "/mot-de-passe/reinitialiser/***" in text and "eyJzZWNyZXQiOjF9" not in text  # a one-time link
    # what a health check or the load benchmark waits for: the worker has loaded the application
    assert "Worker ready (pid:" in errors.decode(), errors.decode()[-2000:]


@pytest.fixture(autouse=True)
def _no_leftover_filters():
    """The werkzeug filter is installed once per process (idempotent): nothing to undo."""
    yield
    from core.access_log import QueryStringFilter

    assert sum(isinstance(f, QueryStringFilter) for f in logging.getLogger("werkzeug").filters) <= 1
