"""A submission whose documents wait for a slow timestamping authority: issued by a job, exactly once.

The candidate re-entered their password and the version is valid, but the TSA
did not answer within ``SUBMISSION_TSA_WAIT_SECONDS``. Rather than hold the
person (or refuse a dossier they spent weeks on), :func:`submit_pending`
records the version with ``documents_pending`` and queues :func:`issue_pending`,
which signs the Livret 2 for the candidate on the consent they gave (the
password re-entry, in the audit chain), seals it and the receipt with the TSA's
full timeout (``SIGNING_TSA_TIMEOUT``), then sends the ``dossier.submitted``
webhook and the receipt e-mail.

Exactly once: the job claims the version (``UPDATE … WHERE documents_pending``:
the row lock on PostgreSQL, the write lock on SQLite) and clears the flag in
the same transaction as the documents; a job that finds it cleared does
nothing. A failed job leaves the version pending (the French reason in
``seal_error``, its objects removed) and is tried again by the scheduler
(:func:`resume_pending`, with the jury seals' ``SEAL_RESUME_SECONDS``).
With inline jobs it runs at once, in the same request.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from core.auth.models import User, utcnow
from core.dossiers.models import Document, Dossier, DossierVersion
from core.extensions import db

logger = logging.getLogger(__name__)

JOB = "core.dossiers.submission_queue.issue_pending"


def submit_pending(dossier: Dossier, actor: User) -> DossierVersion:
    """Record the submitted version with its documents pending, commit, queue the job."""
    from core.audit.services import record
    from core.dossiers import services

    version = services.submit(dossier, actor=actor)
    version.documents_pending = True
    db.session.flush()
    record("dossier.documents_deferred", "dossier", dossier.id, actor_id=actor.id,
           payload={"version": version.number, "reason": "tsa_slow"})
    db.session.commit()
    logger.warning("the TSA was slow: the documents of dossier %s version %s go through the job queue",
                   dossier.id, version.number)
    enqueue(version.id)
    return version


def enqueue(version_id: int) -> None:
    """Queue the job; a queue that cannot take it is logged (the scheduler tries again)."""
    try:
        current_app.extensions["livret"].jobs.enqueue(JOB, version_id=version_id)
    except Exception as exc:  # noqa: BLE001 - the version stays pending: resume_pending queues it again
        logger.error("the documents of dossier version %s were not issued: %s", version_id, type(exc).__name__)


def issue_pending(version_id: int) -> bool:
    """The job: issue the documents of ``version_id`` if they are still pending. True when this call did."""
    from core.dossiers import services
    from core.dossiers.submission import discard, emit_submitted, issue_submission_documents
    from core.sealing.services import act_on_consent

    version = db.session.get(DossierVersion, version_id)
    if version is None or not version.documents_pending:
        return False
    claimed = db.session.execute(
        update(DossierVersion).where(DossierVersion.id == version_id, DossierVersion.documents_pending.is_(True))
        .values(seal_attempted_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    dossier = version.dossier
    actor = db.session.get(User, version.submitted_by_id)
    issued: list[Document] = []
    try:
        act_on_consent(actor)
        issue_submission_documents(dossier, version, actor, into=issued)
        version.documents_pending = False
        version.seal_error = None
        emit_submitted(dossier, version, issued)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        discard(issued)
        _record_failure(version_id, exc)
        raise
    services.after_submission(version)
    return True


def _record_failure(version_id: int, exc: Exception) -> None:
    from core.audit.services import record
    from core.errors import UserError

    reason = str(exc) if isinstance(exc, UserError) else _("Le scellement a échoué : il sera retenté.")
    try:
        version = db.session.get(DossierVersion, version_id)
        db.session.execute(update(DossierVersion).where(DossierVersion.id == version_id)
                           .values(seal_attempted_at=utcnow(), seal_error=reason[:1000]))
        record("dossier.documents_failed", "dossier", version.dossier_id, actor_id=None, outcome="failure",
               payload={"version": version.number, "error": type(exc).__name__})
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        db.session.rollback()
        logger.exception("could not record the failed issue of dossier version %s", version_id)


def resume_pending(now=None) -> int:
    """The scheduler's task: queue again every pending version whose last attempt is older than the jury
    seals' retry delay (a killed worker, a queue that was down, a TSA still slow). Returns how many."""
    from core.pv.sealing import RETRY_AFTER

    cutoff = (now or utcnow()) - RETRY_AFTER
    ids = db.session.scalars(select(DossierVersion.id).where(
        DossierVersion.documents_pending.is_(True),
        or_(DossierVersion.seal_attempted_at.is_(None), DossierVersion.seal_attempted_at < cutoff))).all()
    for version_id in ids:
        enqueue(version_id)
    return len(ids)


def progress(dossier: Dossier) -> dict[str, Any]:
    """Where the documents of the dossier's last version stand (the page and the API follow it)."""
    version = dossier.latest_version
    pending = bool(version is not None and version.documents_pending)
    issued = 0 if version is None else db.session.scalar(
        select(func.count(Document.id)).where(Document.version_id == version.id)) or 0
    return {
        "dossier_id": dossier.id,
        "version": version.number if version is not None else None,
        "done": not pending,
        "signed": 2 if version is not None else 0,
        "sealed": 0 if pending else min(issued, 2),
        "error": version.seal_error if pending else None,
        "attempted_at": version.seal_attempted_at if pending else None,
    }
