"""Issued documents become immutable once they are recorded.

:func:`core.sealing.services.issue_document` stores the sealed bytes like any
object, records them, and only once the transaction is **committed** asks the
storage to seal the object (:meth:`storage.base.Storage.seal_object`): on S3,
a server-side copy into the object-lock bucket under a ``COMPLIANCE``
retention of ``SEALED_RETENTION_DAYS`` (nobody, not even the bucket's owner,
can delete or overwrite that version before the date); on the filesystem, a
read-only file that the storage layer never replaces nor deletes. A failed
issuance is rolled back before anything is locked, so nothing undeletable is
left behind.

With ``SEALED_REQUIRE_LOCK`` (production on S3), an issuance is refused before
anything is written when the storage has no object lock to offer.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event

from core.extensions import db

logger = logging.getLogger(__name__)

_PENDING = "livret_pending_sealed_objects"


def _storage():
    return current_app.extensions["livret"].storage


def require_lock_available() -> None:
    """With ``SEALED_REQUIRE_LOCK``, refuse (``SealingFailed``) when the storage cannot lock objects."""
    if not current_app.config.get("SEALED_REQUIRE_LOCK"):
        return
    from core.sealing.services import SealingFailed

    probe = getattr(_storage(), "object_lock_available", None)
    available, reason = probe() if probe is not None else (False, "no object lock on this storage backend")
    if not available:
        logger.error("issuance refused: sealed storage unavailable (%s)", reason)
        raise SealingFailed(_("Le stockage des documents scellés (verrouillage des objets) n'est pas disponible : "
                              "aucun document n'a été émis. Réessayez plus tard."))


def retain_until() -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=int(current_app.config["SEALED_RETENTION_DAYS"]))


def seal_after_commit(key: str) -> None:
    """Seal the object ``key`` once the current transaction is committed; forgotten if it is rolled back."""
    session = db.session()
    session.info.setdefault(_PENDING, []).append(key)
    if not event.contains(session, "after_commit", _seal_pending):
        event.listen(session, "after_commit", _seal_pending)
        event.listen(session, "after_rollback", _forget_pending)


def seal_now(key: str):
    """Seal one stored object (storage calls only, no SQL); failures are logged, never raised: the document
    is issued and readable, and ``livret seal lock`` seals what was left unsealed."""
    try:
        result = _storage().seal_object(key, retain_until=retain_until())
    except Exception:  # noqa: BLE001 - the document is issued; the lock can be applied again later
        logger.exception("issued document %s could not be sealed in storage", key)
        return None
    if not result.locked:
        logger.debug("issued document %s kept read-only without retention: %s", key, result.reason)
    return result


def _seal_pending(session) -> None:
    for key in session.info.pop(_PENDING, []):
        seal_now(key)


def _forget_pending(session) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
