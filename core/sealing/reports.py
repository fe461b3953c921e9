"""The verification report kept with each issued document.

The public verification page answers at once for a file the platform issued
by reusing the report stored in :attr:`DocumentHash.verification_report`.
Computing it costs a full verification (0.2 s for a receipt, up to a few
seconds for a tagged 20-page grid), so it is kept off the request that issues
the document. ``VERIFY_ISSUANCE_REPORT`` says when it is computed:

- ``job``: on the job queue, once the issuing transaction is committed (the
  RQ worker pays for it, the person who sealed does not wait);
- ``inline``: inside :func:`core.sealing.services.issue_document`;
- ``lazy``: at the first verification of the file, then kept for the next
  visitor (:func:`core.verify.services.verify_document`);
- ``auto`` (default): ``job`` with ``JOBS_BACKEND=rq``, else ``lazy`` — with
  inline jobs there is no worker to take the cost off the request.

The report is an optimisation: whatever the mode, the verification answer is
the same, and a failure to compute it never refuses an issuance.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import event, select

from core.extensions import db
from core.sealing.models import DocumentHash

logger = logging.getLogger(__name__)

_PENDING = "livret_pending_issuance_reports"
JOB = "core.sealing.reports.keep_issuance_report"


def trust_fingerprint(certs) -> str:
    """SHA-256 over the trust roots (a stored report is reused only under the same roots)."""
    return hashlib.sha256(b"".join(sorted(c.dump() for c in certs))).hexdigest()


def stored_report(report) -> dict:
    """What :class:`DocumentHash.verification_report` keeps of a :class:`signing.VerificationReport`."""
    from core.sealing.services import trust_roots

    return {**report.to_dict(), "trust": trust_fingerprint(trust_roots()),
            "checked_at": datetime.now(timezone.utc).isoformat()}


def issuance_report(data: bytes) -> dict | None:
    """The verification report of bytes the platform issued; ``None`` if the verification itself
    fails (the page then verifies in full): issuing never depends on it."""
    from core.sealing.services import signing_config
    from signing import verify

    cfg = signing_config()
    try:
        report = verify(data, trust_roots=cfg.trust_root_certs(), max_size=max(len(data), cfg.max_verify_size),
                        max_pages=max(10**6, cfg.max_verify_pages))
    except Exception:  # noqa: BLE001 - a report is an optimisation, never a reason to refuse
        logger.warning("no verification report kept for an issued document", exc_info=True)
        return None
    return stored_report(report)


def mode(app=None) -> str:
    """``job``, ``inline`` or ``lazy``: ``VERIFY_ISSUANCE_REPORT`` with ``auto`` resolved."""
    app = app or current_app
    value = app.config.get("VERIFY_ISSUANCE_REPORT", "auto")
    if value == "auto":
        return "job" if app.config.get("JOBS_BACKEND") == "rq" else "lazy"
    if value == "job" and app.config.get("JOBS_BACKEND") != "rq":
        # an inline queue would run the job inside the issuing request: same cost, later
        return "inline"
    return value


def at_issuance(data: bytes) -> dict | None:
    """The report to store in the new hash row, computed now only in ``inline`` mode."""
    return issuance_report(data) if mode() == "inline" else None


def schedule(sha256: str) -> None:
    """In ``job`` mode, queue :func:`keep_issuance_report` for ``sha256`` once the current
    transaction is committed (the worker must find the row); nothing if it is rolled back."""
    if mode() != "job":
        return
    session = db.session()
    pending = session.info.setdefault(_PENDING, set())
    pending.add(sha256)
    if not event.contains(session, "after_commit", _enqueue_after_commit):
        event.listen(session, "after_commit", _enqueue_after_commit)
        event.listen(session, "after_rollback", _forget_after_rollback)


def _enqueue_after_commit(session) -> None:
    pending = session.info.pop(_PENDING, set())
    if not pending:
        return
    jobs = current_app.extensions["livret"].jobs
    for sha256 in sorted(pending):
        try:
            jobs.enqueue(JOB, sha256=sha256)
        except Exception:  # noqa: BLE001 - the first verification computes it instead
            logger.warning("could not queue the verification report of %s", sha256, exc_info=True)


def _forget_after_rollback(session) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def keep_issuance_report(sha256: str) -> bool:
    """Job: compute and keep the report of the issued bytes whose hash is ``sha256``.

    Idempotent: rows that already hold a report are left alone; returns whether a report was
    kept. The bytes are read back from storage and checked against the hash first."""
    rows = [row for row in db.session.scalars(select(DocumentHash).where(
        DocumentHash.sha256 == sha256, DocumentHash.storage_key.is_not(None))).all()
        if row.verification_report is None]  # a JSON null, not an SQL NULL: filtered here
    if not rows:
        return False
    storage = current_app.extensions["livret"].storage
    with storage.open(rows[0].storage_key) as reader:
        data = b"".join(reader)
    if hashlib.sha256(data).hexdigest() != sha256:
        logger.error("stored document %s does not match its hash; no report kept", rows[0].storage_key)
        return False
    report = issuance_report(data)
    if report is None:
        return False
    for row in rows:
        row.verification_report = report
    db.session.commit()
    return True
