"""The final seal of a jury document, off the request: through the job queue, exactly once.

When the last planned person signs a grid or a procès-verbal, the signing
transaction only marks it « sealing » (:attr:`SignedDocumentStatus.SEALING`)
and, once committed, queues :func:`seal_document`. The job seals it (the
organisation's B-LTA seal), issues the :class:`core.dossiers.models.Document`
and, for a PV, decides the dossiers, closes the session and sends the e-mails
(:mod:`core.pv.closing`), all in one transaction.

Exactly once: the job claims the row (``UPDATE … WHERE status = 'sealing'``,
the row lock on PostgreSQL, the write lock on SQLite) before sealing, and a
job that finds the document sealed does nothing. A job that fails leaves the
document as it was (status « sealing », the French reason in ``seal_error``)
and is tried again: by the scheduler (:func:`resume_sealing`, documents whose
last attempt is older than :data:`RETRY_AFTER`, e.g. after a worker was killed
mid-way), or at once by the session manager (« Relancer le scellement »).

With the embedded default (inline jobs) the job runs right after the commit,
in the same request: the person gets the page back with the documents sealed.
With RQ, they get it back at once and the page (and ``GET
/api/v1/sessions/{id}/sealing``) shows the progress.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from core.auth.models import User, utcnow
from core.extensions import db
from core.jury.models import JurySession, SignedDocument, SignedDocumentStatus

logger = logging.getLogger(__name__)

JOB = "core.pv.sealing.seal_document"
RETRY_AFTER = timedelta(minutes=5)


def queue_seal(doc: SignedDocument, actor: User, work) -> None:
    """Mark ``doc`` (every planned signature applied) as waiting for its seal; queue the job once the
    current transaction is committed (``work``: :class:`core.pv.services.Work`)."""
    doc.status = SignedDocumentStatus.SEALING
    doc.seal_error = None
    document_id, actor_id = doc.id, actor.id
    work.callbacks.append(lambda: enqueue(document_id, actor_id))


def enqueue(document_id: int, actor_id: int | None) -> None:
    """Queue the seal of one document; a queue that cannot take it is logged (the scheduler retries)."""
    try:
        current_app.extensions["livret"].jobs.enqueue(JOB, document_id=document_id, actor_id=actor_id)
    except Exception as exc:  # noqa: BLE001 - the document stays « sealing »: resume_sealing will queue it
        # RQ: the queue refused it; inline jobs: the seal itself failed (recorded on the document)
        logger.error("the seal of jury document %s was not done: %s", document_id, type(exc).__name__)


def seal_document(document_id: int, actor_id: int | None = None) -> bool:
    """The job: seal ``document_id`` if it still waits for its seal. True when this call sealed it.

    Raises what sealing raised (the job fails, the queue's failure registry keeps it) after recording
    the attempt and the French reason on the document, which stays « sealing »."""
    from core.pv.services import Work, _seal, read_bytes, run

    doc = db.session.get(SignedDocument, document_id)
    if doc is None or doc.status is not SignedDocumentStatus.SEALING:
        return False
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    if actor is None:
        actor = db.session.get(User, doc.created_by_id)
    read_sha256 = doc.sha256
    work = Work()

    def action() -> bool:
        claimed = db.session.execute(
            update(SignedDocument)
            .where(SignedDocument.id == document_id, SignedDocument.status == SignedDocumentStatus.SEALING,
                   SignedDocument.sha256 == read_sha256)
            .values(seal_attempted_at=utcnow()).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:  # sealed (or changed) by another job meanwhile
            return False
        data = read_bytes(doc.storage_key)
        if hashlib.sha256(data).hexdigest() != read_sha256:
            from core.sealing.services import SealingFailed

            raise SealingFailed(_("Le document stocké ne correspond plus à son empreinte : il n'a pas été scellé."))
        doc.seal_error = None
        _seal(doc, data, actor, work)
        return True

    try:
        return run(work, action)
    except Exception as exc:
        _record_failure(document_id, exc)
        raise


def _record_failure(document_id: int, exc: Exception) -> None:
    from core.audit.services import record
    from core.errors import UserError

    reason = str(exc) if isinstance(exc, UserError) else _("Le scellement a échoué : il sera retenté.")
    try:
        db.session.execute(update(SignedDocument).where(SignedDocument.id == document_id)
                           .values(seal_attempted_at=utcnow(), seal_error=reason[:1000]))
        record("jury_document.seal_failed", "jury_document", document_id, actor_id=None, outcome="failure",
               payload={"error": type(exc).__name__})
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        db.session.rollback()
        logger.exception("could not record the failed seal of jury document %s", document_id)


def resume_sealing(now=None) -> int:
    """The scheduler's task: queue again every document waiting for its seal whose last attempt is older
    than :data:`RETRY_AFTER` (a killed worker, a queue that was down). Returns how many were queued."""
    cutoff = (now or utcnow()) - RETRY_AFTER
    rows = db.session.execute(select(SignedDocument.id, SignedDocument.created_by_id).where(
        SignedDocument.status == SignedDocumentStatus.SEALING,
        or_(SignedDocument.seal_attempted_at.is_(None), SignedDocument.seal_attempted_at < cutoff))).all()
    for document_id, actor_id in rows:
        enqueue(document_id, actor_id)
    return len(rows)


def retry(session: JurySession, actor: User) -> int:
    """« Relancer le scellement »: queue now every document of ``session`` waiting for its seal."""
    from core.audit.services import record

    waiting = [d for d in _final_documents(session) if d.status is SignedDocumentStatus.SEALING]
    for doc in waiting:
        record("jury_document.seal_retried", "jury_document", doc.id, actor_id=actor.id)
    db.session.commit()
    for doc in waiting:
        enqueue(doc.id, actor.id)
    return len(waiting)


def _final_documents(session: JurySession) -> list[SignedDocument]:
    return list(db.session.scalars(select(SignedDocument).where(
        SignedDocument.session_id == session.id, SignedDocument.status != SignedDocumentStatus.REPLACED)
        .order_by(SignedDocument.id)))


def progress(session: JurySession) -> dict[str, Any]:
    """Where the session's documents stand: how many are fully signed, how many of those are sealed,
    which ones wait for their seal and why the last attempt failed."""
    docs = _final_documents(session)
    finished = [d for d in docs if d.status in (SignedDocumentStatus.SEALING, SignedDocumentStatus.SEALED)]
    waiting = [d for d in finished if d.status is SignedDocumentStatus.SEALING]
    return {
        "session_id": session.id,
        "documents": len(docs),
        "signed": len(finished),
        "sealed": len(finished) - len(waiting),
        "waiting": len(waiting),
        "done": not waiting,
        "errors": [{"document_id": d.id, "kind": d.kind, "message": d.seal_error,
                    "attempted_at": d.seal_attempted_at} for d in waiting if d.seal_error],
    }
