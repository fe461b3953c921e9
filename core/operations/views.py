"""``/healthz``, ``/readyz`` and ``/metrics`` (no session, no CSRF, not rate limited, never cached)."""
from __future__ import annotations

import hmac
import ipaddress

from flask import Response, current_app, jsonify, request

from core.operations import metrics
from core.operations.blueprint import blueprint
from core.operations.services import readiness


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
def healthz():
    """The process is alive and answers (nothing else is touched)."""
    return _no_store(jsonify({"status": "ok"}))


@blueprint.get("/readyz")
def readyz():
    """Every dependency answers: 200 ``ready``, or 503 ``not_ready`` with the failing checks' reasons."""
    ready, checks = readiness()
    response = jsonify({"status": "ready" if ready else "not_ready", "checks": checks})
    response.status_code = 200 if ready else 503
    return _no_store(response)


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@blueprint.get("/metrics", endpoint="metrics")
def metrics_view():
    """Prometheus metrics: with ``METRICS_TOKEN`` set, for ``Authorization: Bearer <token>``; without it,
    for the machine itself (loopback) only."""
    if not _allowed():
        response = jsonify({"error": {"code": "forbidden", "message": "Métriques réservées à l'exploitation : "
                                      "jeton METRICS_TOKEN requis (en-tête Authorization: Bearer)."}})
        response.status_code = 403
        return _no_store(response)
    body, content_type = metrics.exposition(current_app)
    return _no_store(Response(body, content_type=content_type))
