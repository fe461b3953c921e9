"""Readiness checks: what must work before the platform is given traffic.

Each check returns a :class:`Check`; :func:`readiness` runs them all, each
bounded in time, and never raises: a failing dependency is reported, not
propagated. The checks are those an operator needs to know before users meet
the problem: the database answers, the object storage answers, Redis answers
when jobs or rate limits use it, the time-stamping authority is reachable,
the seal certificate is valid for more than ``READY_SEAL_MIN_DAYS`` days.
"""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import text

from core.extensions import db

TIMEOUT_SECONDS = 3.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, "seconds": round(self.seconds, 4), **self.extra}


def check_database() -> Check:
    db.session.execute(text("SELECT 1"))
    db.session.rollback()
    return Check("database", True, db.engine.dialect.name)


def check_storage() -> Check:
    """The storage answers, accepts a write, and (when it can tell) has ``STORAGE_MIN_FREE_MB`` left: a full
    disk or bucket turns the probe red before an upload or a seal meets it."""
    storage = current_app.extensions["livret"].storage
    storage.exists("readiness/probe")  # a round trip; the object need not exist
    storage.probe_write()
    free = storage.free_bytes()
    if free is None:
        return Check("storage", True, f"{type(storage).__name__}: writable")
    minimum = int(current_app.config["STORAGE_MIN_FREE_MB"])
    free_mb = free // (1024 * 1024)
    return Check("storage", free_mb >= minimum,
                 f"{type(storage).__name__}: {free_mb} MiB free, at least {minimum} required",
                 extra={"free_mb": free_mb})


def _redis_urls() -> list[str]:
    cfg = current_app.config
    urls = []
    if cfg.get("JOBS_BACKEND") == "rq":
        urls.append(cfg["REDIS_URL"])
    limits = str(cfg.get("RATELIMIT_STORAGE_URI") or "")
    if limits.startswith(("redis://", "rediss://")) and limits not in urls:
        urls.append(limits)
    return urls


def check_redis() -> Check | None:
    urls = _redis_urls()
    if not urls:
        return None
    from redis import Redis

    for url in urls:
        Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS).ping()
    return Check("redis", True, f"{len(urls)} URL(s)")


def check_tsa() -> Check | None:
    from core.sealing.services import signing_config

    cfg = signing_config()
    if cfg.default_level == "B-B":
        return None  # no timestamps asked for
    if not cfg.tsa_url:
        if cfg.dev_pki:
            return Check("tsa", True, "embedded development TSA")
        return Check("tsa", False, "no SIGNING_TSA_URL configured")
    parts = urlsplit(cfg.tsa_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with socket.create_connection((parts.hostname, port), timeout=TIMEOUT_SECONDS):
        pass
    return Check("tsa", True, f"{parts.hostname}:{port}")


def seal_days_left() -> float | None:
    """Days until the platform's seal certificate expires (``None`` if it cannot be read)."""
    from core.sealing.services import prepared_config

    signer = prepared_config().load_seal_signer()
    not_after = signer.signing_cert["tbs_certificate"]["validity"]["not_after"].native
    return (not_after - datetime.now(timezone.utc)).total_seconds() / 86400


def check_seal() -> Check:
    minimum = int(current_app.config["READY_SEAL_MIN_DAYS"])
    days = seal_days_left()
    ok = days is not None and days > minimum
    return Check("seal_certificate", ok, f"{days:.0f} day(s) left, at least {minimum} required",
                 extra={"days_left": round(days, 1)})


CHECKS: tuple[Callable[[], Check | None], ...] = (check_database, check_storage, check_redis, check_tsa,
                                                 check_seal)


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """(ready, {name: result}); every check runs, each failure is reported with its reason."""
    results: dict[str, dict[str, Any]] = {}
    for check in CHECKS:
        started = time.perf_counter()
        name = check.__name__.removeprefix("check_")
        try:
            found = check()
        except Exception as exc:  # noqa: BLE001 - a probe reports, it does not raise
            db.session.rollback()
            found = Check(name, False, f"{type(exc).__name__}: {exc}"[:300])
        if found is None:
            continue
        found.seconds = time.perf_counter() - started
        results[found.name] = found.to_dict()
    return all(r["ok"] for r in results.values()), results
