"""Prometheus metrics (``prometheus-client``), served at ``/metrics``.

Counters and histograms are updated where the work happens (requests here,
seals in :mod:`core.sealing.services`, verifications in
:mod:`core.verify.services`, uploads and scans in :mod:`core.annexes.services`)
through the small functions below, which never raise. Gauges that describe a
state (queue depth, days left on the seal certificate) are computed when
Prometheus scrapes.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory shared by the workers (prometheus-client's multiprocess mode); the
scrape then adds up every worker's counters.
"""
from __future__ import annotations

import functools
import logging
import os
import time

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

logger = logging.getLogger(__name__)

REQUESTS = Counter("livret_http_requests_total", "HTTP requests answered, by endpoint and status.",
                   ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram("livret_http_request_duration_seconds", "Time to answer a request, by endpoint.",
                            ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
SEALS = Counter("livret_seals_total", "Documents sealed and issued, by kind and outcome.", ["kind", "outcome"])
SEAL_SECONDS = Histogram("livret_seal_duration_seconds", "Time to seal and issue one document.", ["kind"],
                         buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
VERIFICATIONS = Counter("livret_verifications_total", "Verifications of PDF files, by outcome.", ["outcome"])
VERIFY_SECONDS = Histogram("livret_verification_duration_seconds", "Time to verify one PDF file.",
                           buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20))
UPLOADS = Counter("livret_uploads_total", "Files uploaded (annexes, deliverables), by outcome.", ["outcome"])
SCANS = Counter("livret_annex_scans_total", "Antivirus scans of uploaded files, by resulting state.", ["state"])
QUEUE_DEPTH = Gauge("livret_queue_depth", "Jobs waiting in the job queue (0 with inline jobs).",
                    multiprocess_mode="max")
SEAL_DAYS_LEFT = Gauge("livret_seal_certificate_days_left", "Days until the platform's seal certificate expires.",
                       multiprocess_mode="min")


def _safe(update) -> None:
    try:
        update()
    except Exception:  # noqa: BLE001 - metrics never break the work they count
        logger.debug("metric update failed", exc_info=True)


def observe_seal(kind: str, seconds: float, ok: bool) -> None:
    def update():
        SEALS.labels(kind=kind or "", outcome="ok" if ok else "failed").inc()
        if ok:
            SEAL_SECONDS.labels(kind=kind or "").observe(seconds)
    _safe(update)


def observe_verification(outcome: str, seconds: float) -> None:
    def update():
        VERIFICATIONS.labels(outcome=outcome).inc()
        VERIFY_SECONDS.observe(seconds)
    _safe(update)


def counted_seal(func):
    """Decorates :func:`core.sealing.services.issue_document`: one count per issuance, its duration."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except Exception:
            observe_seal(kwargs.get("kind", ""), time.perf_counter() - started, False)
            raise
        observe_seal(kwargs.get("kind", ""), time.perf_counter() - started, True)
        return result
    return wrapper


def counted_verification(func):
    """Decorates :func:`core.verify.services.verify_document`: outcome ``from_issuance``, ``valid``,
    ``invalid`` or ``refused`` (not verifiable, too complex), and the duration."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except Exception:
            observe_verification("refused", time.perf_counter() - started)
            raise
        if getattr(result.platform, "from_issuance", False):
            outcome = "from_issuance"
        else:
            outcome = "valid" if result.report.valid else "invalid"
        observe_verification(outcome, time.perf_counter() - started)
        return result
    return wrapper


def counted_upload(func):
    """Decorates :func:`core.annexes.services.store_annex` (annexes and deliverables): ``stored`` or the
    refusal's code (``page_count``, ``quota_exceeded``…)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            count_upload(str(getattr(exc, "code", None) or type(exc).__name__))
            raise
        count_upload("stored")
        return result
    return wrapper


def counted_scan(func):
    """Decorates :func:`core.annexes.scanning.scan_annex`: the state it recorded (clean, infected…)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        state = func(*args, **kwargs)
        if state is not None:
            count_scan(str(state))
        return state
    return wrapper


def count_upload(outcome: str) -> None:
    _safe(lambda: UPLOADS.labels(outcome=outcome).inc())


def count_scan(state: str) -> None:
    _safe(lambda: SCANS.labels(state=state).inc())


# -- requests -------------------------------------------------------------------

def _before() -> None:
    g._livret_started = time.perf_counter()


def _after(response):
    started = getattr(g, "_livret_started", None)
    endpoint = request.endpoint or "not_found"
    if endpoint != "operations.metrics":
        REQUESTS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).inc()
        if started is not None:
            REQUEST_SECONDS.labels(endpoint=endpoint).observe(time.perf_counter() - started)
    return response


def install(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)


# -- the scrape -----------------------------------------------------------------

def _refresh_gauges(app: Flask) -> None:
    jobs = app.extensions["livret"].jobs
    queue = getattr(jobs, "queue", None)
    _safe(lambda: QUEUE_DEPTH.set(queue.count if queue is not None else 0))

    def seal():
        from core.operations.services import seal_days_left

        SEAL_DAYS_LEFT.set(seal_days_left())
    _safe(seal)


def exposition(app: Flask) -> tuple[bytes, str]:
    """The text exposition format of every metric (all workers' in multiprocess mode)."""
    _refresh_gauges(app)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
