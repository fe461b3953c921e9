"""Issue 16 §3: the platform as it is deployed, under faults (``make stack-test``).

PostgreSQL, SeaweedFS S3 (sealed documents in its object-lock bucket), Redis, clamd, two gunicorn app processes,
one RQ worker and the scheduler, all on loopback (:mod:`tests.stack.stack_support`). The candidate → admissibility
→ jury → sealed PV journey goes through both app processes in turn, over HTTP only; then, each bounded in time:

1. the worker is killed (``kill -9``) while it seals the session's documents, then started again: every document
   ends sealed exactly once;
2. the S3 server is stopped during 200 uploads, then started again: every upload acknowledged 201 reads back with
   its SHA-256; no row without object, no object without row after ``livret storage sweep``; no duplicate;
3. PostgreSQL is restarted during a burst of section saves: no acknowledged save lost, clear JSON 503 answers
   meanwhile, recovery without restarting the app processes;
4. clamd is stopped: uploads stay « en attente » (not downloadable), and are scanned once it is back
   (``livret annexes rescan``).

Each prints its figures (acknowledged, lost, duplicated, orphaned) and fails on any loss. Last, `/healthz`,
`/readyz` and `/metrics` answer on both app processes, and `/readyz` turns red while the S3 server is down.
"""
from __future__ import annotations

import time

import pytest

from core.sealing.testing import signing_env  # noqa: F401 - the shared development PKI and TSA
from tests.stack import stack_faults as faults
from tests.stack.stack_journey import (RoundRobin, admissible_candidates, check_documents, jury_until_signed,
                                       load_client, wait_sealed)
from tests.stack.stack_support import Stack

pytestmark = [pytest.mark.stack, pytest.mark.slow]

CANDIDATES = 3  # a session of 3 candidates: 3 grids and a PV to seal


@pytest.fixture(scope="module")
def stack(tmp_path_factory, signing_env):  # noqa: F811 - the shared fixture
    started = time.monotonic()
    running = Stack(tmp_path_factory.mktemp("stack"), signing_env)
    try:
        running.start()
        faults.report("stack started", seconds=round(time.monotonic() - started, 1))
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def balancer(stack):
    return RoundRobin(stack.urls)


@pytest.fixture(scope="module")
def lc(stack, balancer, tmp_path_factory):
    return load_client(tmp_path_factory.mktemp("client"), balancer)


def test_journey_to_a_sealed_pv_with_the_worker_killed_while_sealing(stack, lc, balancer, tmp_path):
    started = time.monotonic()
    outbox = stack.instance / "outbox"
    candidates = admissible_candidates(lc, outbox, tmp_path, CANDIDATES)
    manager, sid = jury_until_signed(lc, [d for _me, d in candidates])
    figures = faults.kill_worker_while_sealing(stack, sid)
    wait_sealed(manager, sid, 120)
    figures["recovered_after_s"] = round(time.monotonic() - figures.pop("killed_at"), 1)
    figures.update(faults.sealed_exactly_once(stack, sid))
    figures["documents_checked"] = check_documents(lc, manager, sid, candidates)
    figures["requests_per_app"] = sorted(balancer.counts.values())
    figures["seconds"] = round(time.monotonic() - started, 1)
    faults.report("1. worker killed while sealing", **figures)
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["orphaned"] == 0, figures
    counts = list(balancer.counts.values())
    assert len(counts) == 2 and abs(counts[0] - counts[1]) <= 1, balancer.counts  # both apps, in turn


def test_s3_stopped_during_200_uploads(stack, lc, tmp_path):
    started = time.monotonic()
    figures = faults.uploads_with_s3_restarted(stack, lc, tmp_path, total=200)
    figures["seconds"] = round(time.monotonic() - started, 1)
    faults.report("2. S3 stopped during 200 uploads", **figures)
    assert figures["server_errors"] == 0, figures
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["orphaned"] == 0, figures
    assert figures["stored_not_acknowledged"] == 0, figures  # a client told to retry would store it twice
    assert figures["refused_while_down"] > 0, figures  # the fault happened during the uploads


def test_postgres_restarted_during_section_saves(stack, lc, tmp_path):
    started = time.monotonic()
    pids = [app.pid for app in stack.apps]
    figures = faults.saves_with_postgres_restarted(stack, lc)
    figures["seconds"] = round(time.monotonic() - started, 1)
    faults.report("3. PostgreSQL restarted during section saves", **figures)
    assert [app.pid for app in stack.apps] == pids and all(app.alive() for app in stack.apps)  # not restarted
    assert figures["server_errors"] == 0 and figures["not_json_503"] == 0, figures
    assert figures["lost"] == 0, figures
    assert figures["answered_503"] > 0, figures  # the fault happened during the burst
    assert figures["recovered_apps"] == 2, figures


def test_clamd_stopped_uploads_wait_then_are_scanned(stack, lc, tmp_path):
    started = time.monotonic()
    figures = faults.uploads_with_clamd_stopped(stack, lc, tmp_path, count=10)
    figures["seconds"] = round(time.monotonic() - started, 1)
    faults.report("4. clamd stopped", **figures)
    assert figures["downloadable_while_down"] == 0 and figures["not_pending_while_down"] == 0, figures
    assert figures["lost"] == 0 and figures["scanned_after"] == figures["acknowledged"], figures


def test_probes_answer_on_the_running_stack_and_readyz_turns_red_without_s3(stack):
    import requests

    for url in stack.urls:
        assert requests.get(url + "/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(url + "/readyz", timeout=30)
        body = ready.json()
        assert ready.status_code == 200 and body["status"] == "ready", body
        assert {"database", "storage", "redis", "tsa", "seal_certificate"} <= set(body["checks"]), body
        metrics = requests.get(url + "/metrics", timeout=30)
        assert metrics.status_code == 200, metrics.text[:500]
        for name in ("livret_http_requests_total", "livret_uploads_total", "livret_seal_certificate_days_left"):
            assert name in metrics.text, name
    stack.s3.stop()
    try:
        down = requests.get(stack.urls[0] + "/readyz", timeout=30)
        assert down.status_code == 503 and down.json()["checks"]["storage"]["ok"] is False, down.text[:1000]
        assert down.json()["checks"]["database"]["ok"] is True  # the others still answer
    finally:
        stack.s3.start()
    deadline = time.monotonic() + 90
    while requests.get(stack.urls[0] + "/readyz", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "/readyz still red 90 s after S3 came back"
        time.sleep(1)
    faults.report("5. probes", readyz="green, red without S3, green again", metrics="answered by both apps")
