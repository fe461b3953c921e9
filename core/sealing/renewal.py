"""The renewal of issued documents' timestamps (``livret seal renew``, the scheduler's daily task)."""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from core.audit.services import record
from core.auth.models import utcnow
from core.dossiers.models import Document
from core.extensions import db
from core.sealing import immutable, reports
from core.sealing.configuration import prepared_config
from core.sealing.errors import SealingFailed
from core.sealing.models import DocumentHash
from core.sealing.services import _hash_row, _storage
from core.sealing.timestamps import add_document_timestamp
from signing import SigningLayerError, verify

logger = logging.getLogger(__name__)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def documents_due(now: datetime | None = None) -> list[tuple[Document, DocumentHash]]:
    """Documents whose last timestamp is older than SIGNING_RENEW_AFTER_DAYS
    or whose TSA certificate expires within SIGNING_RENEW_MARGIN_DAYS."""
    now = _as_utc(now or utcnow())
    age_limit = now - timedelta(days=int(current_app.config["SIGNING_RENEW_AFTER_DAYS"]))
    expiry_limit = now + timedelta(days=int(current_app.config["SIGNING_RENEW_MARGIN_DAYS"]))
    query = (select(Document, DocumentHash)
             .join(DocumentHash, and_(DocumentHash.document_id == Document.id,
                                      DocumentHash.sha256 == Document.sha256,
                                      DocumentHash.superseded_at.is_(None)))
             .where(DocumentHash.last_timestamp_at.is_not(None))
             .where(or_(DocumentHash.last_timestamp_at < age_limit, DocumentHash.tsa_expires_at < expiry_limit))
             .order_by(Document.id))
    return [(doc, row) for doc, row in db.session.execute(query)]


def _read(key: str) -> bytes:
    with _storage().open(key) as reader:
        return b"".join(reader)


def renew_document(document: Document, current: DocumentHash) -> DocumentHash:
    """Add a fresh document timestamp to ``document``; store the new bytes as
    a new object, commit the new hash, then delete the old object."""
    from storage import new_key

    cfg = prepared_config()
    data = _read(document.storage_key)
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise SealingFailed(_("Le document stocké ne correspond plus à son empreinte : il n'a pas été renouvelé."))
    try:
        renewed = add_document_timestamp(data, cfg)
    except SigningLayerError as exc:
        raise SealingFailed(str(exc)) from exc
    report = verify(renewed, trust_roots=cfg.trust_root_certs(), max_size=max(len(renewed), cfg.max_verify_size),
                    max_pages=max(10**6, cfg.max_verify_pages))
    if not report.valid:
        raise SealingFailed(_("Le document renouvelé n'est pas valide : il n'a pas été remplacé."),
                            details={"reasons": report.reasons})
    storage = _storage()
    old_key = document.storage_key
    stored = storage.put(new_key("documents", document.dossier_id if document.dossier_id is not None else "platform"),
                         renewed, length=len(renewed), sha256=hashlib.sha256(renewed).hexdigest(),
                         content_type="application/pdf")
    immutable.seal_after_commit(stored.key)
    try:
        now = utcnow()
        current.superseded_at = now
        document.sha256, document.size, document.storage_key = stored.sha256, stored.size, stored.key
        row = _hash_row(document.id, renewed, "renewed", stored.key, reports.stored_report(report))
        db.session.add(row)
        record("document.timestamp_renewed", "document", document.id, actor_id=None,
               payload={"previous_sha256": current.sha256, "sha256": stored.sha256})
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete(stored.key)
        raise
    # the previous bytes stay: a sealed object is never deleted (the superseded hash row still names them)
    logger.info("document %s renewed: %s kept, %s added", document.id, old_key, stored.key)
    return row


def renew_seals(now: datetime | None = None) -> dict[str, int]:
    """Renew every document due (see :func:`documents_due`); returns counts.

    A job function: ``livret seal renew`` runs it, a scheduler may enqueue
    ``core.sealing.renewal.renew_seals``. A failure on one document is
    audited (outcome ``failure``) and the others are still renewed.
    """
    due = documents_due(now)
    renewed = failed = 0
    for document_id in [doc.id for doc, _row in due]:
        document = db.session.get(Document, document_id)
        current = db.session.scalar(select(DocumentHash).where(
            DocumentHash.document_id == document_id, DocumentHash.sha256 == document.sha256,
            DocumentHash.superseded_at.is_(None)))
        try:
            renew_document(document, current)
            renewed += 1
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the others
            db.session.rollback()
            logger.warning("renewal of document %s failed: %s", document_id, exc)
            record("document.timestamp_renewed", "document", document_id, actor_id=None, outcome="failure",
                   payload={"error": type(exc).__name__})
            db.session.commit()
            failed += 1
    return {"due": len(due), "renewed": renewed, "failed": failed}
