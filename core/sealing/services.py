"""The platform's use of :mod:`signing`: the organisation's seal, personal signatures
after re-authentication, issued documents. The configuration and the development
TSA/CRL are in :mod:`core.sealing.configuration`, the renewal of timestamps in
:mod:`core.sealing.renewal` (both re-exported here).

Everything fails closed: :class:`SealingFailed` (a :class:`UserError` with a
French message) is raised and nothing is left behind — no database row, no
stored object.
"""
from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import User
from core.dossiers.models import Document
from core.errors import UserError, ValidationFailed
from core.extensions import db
from core.operations.metrics import counted_seal
from core.sealing import immutable, reports
from core.sealing.models import DocumentHash
from core.sealing.timestamps import timestamp_state
from signing import SigningConfig, SigningLayerError, seal, sign

logger = logging.getLogger(__name__)

REAUTH_VALIDITY = timedelta(minutes=10)
_LEVEL_ORDER = ("B-B", "B-T", "B-LT", "B-LTA")


from core.sealing.configuration import (  # noqa: E402,F401 - re-exported: the rest of the app imports them here
    _config_from_settings,
    check_person_signatures,
    check_settings,
    ensure_dev_services,
    init_app,
    prepared_config,
    signing_config,
    trust_roots,
)
from core.sealing.errors import (  # noqa: E402,F401 - re-exported
    ReauthenticationRequired,
    SealingFailed,
    TimestampSlow,
    failed as _failed,
)


# ---------------------------------------------------------------------------
# seal and personal signatures
# ---------------------------------------------------------------------------

def _organisation_seal(cfg: SigningConfig, organisation) -> tuple[SigningConfig, Any]:
    """The configuration and signer for sealing on behalf of ``organisation``:
    its own seal certificate and TSA URL when its admin uploaded them
    (``core/organisations/seals.py``), else the platform's."""
    if organisation is None:
        return cfg, None
    from core.organisations.seals import signer_for

    signer, tsa_url = signer_for(organisation)
    if tsa_url:
        cfg = cfg.replace(tsa_url=tsa_url)
    return cfg, signer


def seal_pdf(pdf_bytes: bytes, *, reason: str, location: str | None = None, level: str | None = None,
             organisation=None, certify: bool = False, field_name: str | None = None) -> bytes:
    """The organisation's seal (visible block, French) at ``level`` (default SIGNING_LEVEL).

    ``organisation``: seal with that organisation's own certificate and TSA
    when it has them. ``certify``: a certification signature (DocMDP: only
    form filling and signatures may follow; first signature only).
    ``field_name``: sign into that existing (prepared) signature field.
    """
    cfg, signer = _organisation_seal(prepared_config(), organisation)
    try:
        return seal(pdf_bytes, level=level or cfg.default_level, reason=reason, location=location, config=cfg,
                    signer=signer, certify=certify, field_name=field_name)
    except SigningLayerError as exc:
        logger.warning("sealing failed: %s (%s)", exc, exc.detail)
        raise _failed(exc) from exc


def reauthenticate(user: User, password: str) -> None:
    """Check the password of ``user`` again before a signature.

    Raises :class:`ValidationFailed` (French, tied to the ``password`` field);
    on success, :func:`sign_as_person` may sign for this user in the same
    application context (request) for a few minutes. Wrong passwords are limited
    per account and per address (:mod:`core.auth.attempts`): beyond
    ``REAUTH_RATE_LIMIT``, :class:`~core.auth.attempts.TooManyAttempts` (429) is
    raised before the password is checked.
    """
    from core.auth import attempts
    from core.auth.services import check_password

    attempts.check(user)
    if not password or not user.is_active or not check_password(user, password):
        attempts.failed(user)
        message = _("Mot de passe incorrect : votre identité n'a pas pu être confirmée, rien n'a été signé.")
        raise ValidationFailed(message, details={"password": [message]}, code="reauthentication_failed")
    g.livret_reauthenticated = (user.id, time.monotonic())


def act_on_consent(user: User) -> None:
    """Let a job sign for ``user``, who confirmed their identity (password re-entered) in the request that
    queued it — the submission whose documents a slow TSA deferred (:mod:`core.dossiers.submission_queue`)."""
    g.livret_reauthenticated = (user.id, time.monotonic())


def _reauthenticated(user: User) -> bool:
    marker = g.get("livret_reauthenticated")
    return (marker is not None and marker[0] == user.id
            and time.monotonic() - marker[1] <= REAUTH_VALIDITY.total_seconds())


def _person_level(level: str) -> str:
    # The person signs first; the organisation's seal, applied last, carries
    # the long-term data (DSS) and the archive timestamp for both.
    return _LEVEL_ORDER[min(_LEVEL_ORDER.index(level), _LEVEL_ORDER.index("B-T"))]


def sign_as_person(pdf_bytes: bytes, user: User, *, reason: str, level: str | None = None,
                   field_name: str | None = None) -> bytes:
    """Sign for ``user`` with a short-lived certificate issued by the platform CA
    (name and e-mail in the subject). :func:`reauthenticate` must have succeeded
    for this user in the current request. Audited (ids only)."""
    if not _reauthenticated(user):
        raise ReauthenticationRequired()
    cfg = prepared_config()
    days = int(current_app.config["SIGNING_PERSON_CERT_DAYS"])
    pm = current_app.extensions["livret"].pm
    try:
        signer = pm.hook.livret_person_signer(user=user, config=cfg, days=days)
        if signer is None:
            raise SealingFailed(_("Aucune autorité de certification de la plateforme n'est configurée pour les "
                                  "signatures personnelles : le document n'a pas été signé."))
        out = sign(pdf_bytes, signer=signer, level=level or _person_level(cfg.default_level),
                   reason=reason, config=cfg, field_name=field_name)
    except (SigningLayerError, ValueError) as exc:
        logger.warning("personal signature failed: %s (%s)", exc, getattr(exc, "detail", ""))
        raise _failed(exc) from exc
    cert = signer.cert if hasattr(signer, "cert") else signer.signing_cert
    record("signature.person", "user", user.id, actor_id=user.id,
           payload={"certificate_serial": format(cert.serial_number, "x"),
                    "sha256": hashlib.sha256(out).hexdigest()})
    return out


# ---------------------------------------------------------------------------
# issued documents
# ---------------------------------------------------------------------------

def _storage():
    return current_app.extensions["livret"].storage


def _hash_row(document_id, data: bytes, origin: str, key: str | None, report: dict | None = None) -> DocumentHash:
    state = timestamp_state(data)
    return DocumentHash(document_id=document_id, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                        origin=origin, storage_key=key,
                        last_timestamp_at=state.at if state else None,
                        tsa_expires_at=state.tsa_expires_at if state else None,
                        verification_report=report)


def _safe_filename(filename: str) -> str:
    from core.utils import slugify

    stem = filename.rsplit(".", 1)[0] if filename.lower().endswith(".pdf") else filename
    return (slugify(stem) or "document")[:150] + ".pdf"


@counted_seal
def issue_document(pdf_bytes: bytes, *, dossier=None, version=None, kind: str, title: str, filename: str,
                   reason: str | None = None, level: str | None = None, actor_id: int | None = None,
                   commit: bool = True, organisation=None, field_name: str | None = None) -> Document:
    """Seal ``pdf_bytes`` (organisation's seal, last), store it and record it.

    The object key is built from server ids; the :class:`Document` row, its
    hash (:class:`DocumentHash`) and an audit event are written in a
    savepoint. With ``commit=True`` (default) the session is committed.
    On failure, :class:`SealingFailed` is raised and nothing is kept: the
    savepoint is rolled back and the stored object deleted. With
    ``commit=False`` the caller commits (an object left by a failed commit
    is removed by the storage sweep). ``organisation`` and ``field_name``:
    see :func:`seal_pdf`.
    """
    from storage import StorageError, new_key

    immutable.require_lock_available()
    sealed = seal_pdf(pdf_bytes, reason=reason or title, level=level, organisation=organisation,
                      field_name=field_name)
    digest = hashlib.sha256(sealed).hexdigest()
    report = reports.at_issuance(sealed)
    dossier_id = getattr(dossier, "id", None)
    key = new_key("documents", dossier_id if dossier_id is not None else "platform")
    storage = _storage()
    try:
        stored = storage.put(key, sealed, length=len(sealed), sha256=digest, content_type="application/pdf")
    except StorageError as exc:
        logger.error("storing document %s failed: %s", key, exc)
        storage.delete(key)
        raise SealingFailed(_("Le document scellé n'a pas pu être enregistré : réessayez plus tard.")) from exc
    try:
        with db.session.begin_nested():
            doc = Document(dossier_id=dossier_id, version_id=getattr(version, "id", None), kind=kind,
                           title=title[:200], filename=_safe_filename(filename), media_type="application/pdf",
                           size=stored.size, sha256=stored.sha256, storage_key=stored.key)
            db.session.add(doc)
            db.session.flush()
            db.session.add(_hash_row(doc.id, sealed, "issued", stored.key, report))
            record("document.issued", "document", doc.id, actor_id=actor_id,
                   payload={"kind": kind, "dossier_id": dossier_id, "sha256": stored.sha256})
        if report is None:
            reports.schedule(digest)
        immutable.seal_after_commit(stored.key)
        if commit:
            db.session.commit()
    except Exception as exc:
        if commit:
            db.session.rollback()
        storage.delete(stored.key)
        if isinstance(exc, UserError):
            raise
        logger.exception("recording document %s failed", stored.key)
        raise SealingFailed(_("Le document scellé n'a pas pu être enregistré : réessayez plus tard.")) from exc
    return doc


def record_external_seal(data: bytes, *, actor_id: int | None = None) -> DocumentHash:
    """Remember the hash of a file sealed outside any dossier (``livret seal IN OUT``)."""
    row = _hash_row(None, data, "cli", None)
    db.session.add(row)
    db.session.flush()
    record("document.sealed_external", "document_hash", row.id, actor_id=actor_id, payload={"sha256": row.sha256})
    return row


def issued_hashes(sha256: str) -> list[DocumentHash]:
    """Every record of a document issued by the platform with these exact bytes."""
    rows = list(db.session.scalars(select(DocumentHash).where(DocumentHash.sha256 == sha256)
                                   .order_by(DocumentHash.id)))
    if not rows:  # documents recorded without a hash row (before this table existed)
        for doc in db.session.scalars(select(Document).where(Document.sha256 == sha256)):
            rows.append(DocumentHash(document_id=doc.id, sha256=doc.sha256, size=doc.size, origin="issued",
                                     storage_key=doc.storage_key, created_at=doc.created_at))
    return rows


def open_document(document: Document, *, actor_id: int | None):
    """A stream over the document's current bytes; the access is audited.
    Callers check the actor's right to the document first."""
    record("document.read", "document", document.id, actor_id=actor_id)
    return _storage().open(document.storage_key)


from core.sealing.renewal import documents_due, renew_document, renew_seals  # noqa: E402,F401 - re-exported
