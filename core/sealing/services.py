"""The platform's use of :mod:`signing`: configuration from the settings, the
embedded development TSA/CRL, the organisation's seal, personal signatures
after re-authentication, issued documents and the renewal of their timestamps.

Everything fails closed: :class:`SealingFailed` (a :class:`UserError` with a
French message) is raised and nothing is left behind — no database row, no
stored object.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from core.audit.services import record
from core.auth.models import User, utcnow
from core.config import ConfigError
from core.dossiers.models import Document
from core.errors import UserError, ValidationFailed
from core.extensions import db
from core.operations.metrics import counted_seal
from core.sealing import immutable, reports
from core.sealing.models import DocumentHash
from core.sealing.timestamps import add_document_timestamp, timestamp_state
from signing import (
    ConfigurationError,
    Pkcs11Config,
    SigningConfig,
    SigningLayerError,
    seal,
    sign,
    verify,
)
from signing.person_ca import PersonCAConfig

logger = logging.getLogger(__name__)

REAUTH_VALIDITY = timedelta(minutes=10)
_LEVEL_ORDER = ("B-B", "B-T", "B-LT", "B-LTA")


class SealingFailed(UserError):
    """The document could not be sealed, signed or issued; nothing was kept. Retry later."""

    status = 503
    code = "sealing_failed"
    default_message = _l("Le document n'a pas pu être scellé. Réessayez plus tard.")


class TimestampSlow(SealingFailed):
    """The timestamping authority did not answer in time (:class:`signing.errors.TimestampTimeout`):
    nothing was kept; a job with more patience may succeed (:mod:`core.sealing.patience`)."""


def _failed(exc: Exception) -> SealingFailed:
    """The :class:`SealingFailed` (or :class:`TimestampSlow`) for a signing layer error."""
    from signing.errors import TimestampTimeout

    return (TimestampSlow if isinstance(exc, TimestampTimeout) else SealingFailed)(str(exc))


class ReauthenticationRequired(UserError):
    status = 403
    code = "reauthentication_required"
    default_message = _l("Confirmez votre identité avec votre mot de passe avant de signer.")


# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------

def _split(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


def _config_from_settings(settings) -> SigningConfig:
    pkcs11 = None
    if settings.get("SIGNING_PKCS11_MODULE"):
        pkcs11 = Pkcs11Config(module_path=settings["SIGNING_PKCS11_MODULE"],
                              token_label=settings.get("SIGNING_PKCS11_TOKEN") or "",
                              key_label=settings.get("SIGNING_PKCS11_KEY") or "",
                              pin=settings.get("SIGNING_PKCS11_PIN") or None)
    timeout = float(settings.get("SIGNING_TSA_TIMEOUT") or 10)
    return SigningConfig(
        pki_dir=settings["SIGNING_PKI_DIR"],
        organisation=settings.get("SIGNING_ORGANISATION") or "Livret",
        location=settings.get("SIGNING_LOCATION") or "France",
        seal_pkcs12=settings.get("SIGNING_SEAL_PKCS12") or None,
        seal_pkcs12_password=settings.get("SIGNING_SEAL_PKCS12_PASSWORD") or None,
        seal_cert=settings.get("SIGNING_SEAL_CERT") or None,
        seal_key=settings.get("SIGNING_SEAL_KEY") or None,
        seal_key_password=settings.get("SIGNING_SEAL_KEY_PASSWORD") or None,
        seal_chain=_split(settings.get("SIGNING_SEAL_CHAIN")),
        pkcs11=pkcs11,
        person_ca=PersonCAConfig(
            pkcs12=settings.get("SIGNING_PERSON_CA_PKCS12") or None,
            pkcs12_password=settings.get("SIGNING_PERSON_CA_PKCS12_PASSWORD") or None,
            cert=settings.get("SIGNING_PERSON_CA_CERT") or None,
            key=settings.get("SIGNING_PERSON_CA_KEY") or None,
            key_password=settings.get("SIGNING_PERSON_CA_KEY_PASSWORD") or None,
            chain=_split(settings.get("SIGNING_PERSON_CA_CHAIN")),
            pkcs11_key=settings.get("SIGNING_PERSON_CA_PKCS11_KEY") or None,
            crl_url=settings.get("SIGNING_PERSON_CA_CRL_URL") or None),
        tsa_url=settings.get("SIGNING_TSA_URL") or None,
        tsa_timeout=timeout,
        revocation_fetch_timeout=timeout,
        revocation_cache_seconds=float(settings.get("SIGNING_REVOCATION_CACHE_SECONDS", 300)),
        trust_roots=_split(settings.get("SIGNING_TRUST_ROOTS")),
        default_level=settings.get("SIGNING_LEVEL") or "B-LTA",
        dev_pki=bool(settings.get("SIGNING_DEV_PKI", True)),
        dev_base_url=settings.get("SIGNING_DEV_BASE_URL") or "http://127.0.0.1:8939",
        max_verify_size=int(settings.get("VERIFY_MAX_SIZE") or 50 * 1024 * 1024),
        max_verify_pages=int(settings.get("VERIFY_MAX_PAGES") or 2000),
    )


def check_settings(settings) -> None:
    """Start-up check (called by :func:`init_app`): without the development
    PKI, a seal key, a TSA (for levels above B-B) and trust roots are
    required, and key files must be readable. Raises :class:`ConfigError`."""
    import os

    cfg = _config_from_settings(settings)
    for name in ("SIGNING_SEAL_PKCS12", "SIGNING_SEAL_CERT", "SIGNING_SEAL_KEY", "SIGNING_PKCS11_MODULE",
                 "SIGNING_PERSON_CA_PKCS12", "SIGNING_PERSON_CA_CERT", "SIGNING_PERSON_CA_KEY"):
        path = settings.get(name)
        if path and not os.path.isfile(path):
            raise ConfigError(f"Setting {name} names {path}, which is not a readable file.")
    for name in ("SIGNING_SEAL_CHAIN", "SIGNING_TRUST_ROOTS", "SIGNING_PERSON_CA_CHAIN"):
        for path in _split(settings.get(name)):
            if not os.path.isfile(path):
                raise ConfigError(f"Setting {name} names {path}, which is not a readable file.")
    if bool(settings.get("SIGNING_SEAL_CERT")) != bool(settings.get("SIGNING_SEAL_KEY")):
        raise ConfigError("Settings SIGNING_SEAL_CERT and SIGNING_SEAL_KEY go together: set both.")
    if bool(settings.get("SIGNING_PERSON_CA_CERT")) != bool(settings.get("SIGNING_PERSON_CA_KEY")):
        raise ConfigError("Settings SIGNING_PERSON_CA_CERT and SIGNING_PERSON_CA_KEY go together: set both.")
    if cfg.pkcs11 is not None and not (cfg.pkcs11.token_label and cfg.pkcs11.key_label):
        raise ConfigError("Setting SIGNING_PKCS11_MODULE needs SIGNING_PKCS11_TOKEN and SIGNING_PKCS11_KEY.")
    if cfg.dev_pki:
        return
    if cfg.pkcs11 is None and cfg.seal_pkcs12 is None and cfg.seal_cert is None:
        raise ConfigError("SIGNING_DEV_PKI is false but no seal key is configured: set SIGNING_SEAL_PKCS12, "
                          "or SIGNING_SEAL_CERT and SIGNING_SEAL_KEY, or SIGNING_PKCS11_MODULE/_TOKEN/_KEY.")
    if cfg.default_level != "B-B" and not cfg.tsa_url:
        raise ConfigError(f"SIGNING_DEV_PKI is false and SIGNING_LEVEL is {cfg.default_level}: "
                          "set SIGNING_TSA_URL to a time-stamping authority.")
    if not cfg.trust_roots:
        raise ConfigError("SIGNING_DEV_PKI is false: set SIGNING_TRUST_ROOTS to the PEM files of the trusted roots.")
    if cfg.pkcs11 is None:  # files: check now that the key opens (a token is opened when sealing)
        try:
            cfg.load_seal_signer()
        except SigningLayerError as exc:
            raise ConfigError(f"The seal key cannot be loaded ({exc.detail or exc}).") from None
    if cfg.person_ca.configured and not cfg.person_ca.pkcs11_key:
        try:
            cfg.person_authority()
        except SigningLayerError as exc:
            raise ConfigError(f"The personal-signature CA cannot be loaded: {exc} ({exc.detail or ''}).") from None


def check_person_signatures(app) -> None:
    """Start-up check, once the plugins are loaded: in production (``SIGNING_DEV_PKI`` false) someone must issue
    the personal signing certificates — the configured CA (``SIGNING_PERSON_CA_*``) or a plugin implementing
    ``livret_person_signer`` (a remote signing service). Raises :class:`ConfigError` naming what is missing."""
    cfg = _config_from_settings(app.config)
    if cfg.dev_pki or cfg.person_ca.configured:
        return
    pm = app.extensions["livret"].pm
    if any(not impl.plugin_name.startswith("core.default_plugins")
           for impl in pm.hook.livret_person_signer.get_hookimpls()):
        return
    raise ConfigError("SIGNING_DEV_PKI is false but nobody issues the personal signing certificates: set "
                      "SIGNING_PERSON_CA_PKCS12, or SIGNING_PERSON_CA_CERT and SIGNING_PERSON_CA_KEY, or "
                      "SIGNING_PERSON_CA_PKCS11_KEY (docs/signing.md, « Personal signatures in production »), or "
                      "install a plugin implementing livret_person_signer.")


def init_app(app) -> None:
    check_settings(app.config)
    check_person_signatures(app)


def signing_config(app=None) -> SigningConfig:
    """The :class:`SigningConfig` of the application (built once)."""
    app = app or current_app._get_current_object()
    cfg = app.extensions.get("livret_signing_config")
    if cfg is None:
        cfg = _config_from_settings(app.config)
        if cfg.dev_pki and cfg.trust_roots:
            # configured roots plus the development root (generated on first use)
            cfg.trust_roots = list(cfg.trust_roots) + [cfg.dev().root_path]
        app.extensions["livret_signing_config"] = cfg
    return cfg


def trust_roots(app=None) -> list:
    """Trust anchors for verification (asn1crypto certificates)."""
    return signing_config(app).trust_root_certs()


# ---------------------------------------------------------------------------
# the embedded development TSA and CRL
# ---------------------------------------------------------------------------

_SERVERS: dict[str, Any] = {}
_SERVERS_LOCK = threading.Lock()


def _served_root(base_url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(f"{base_url}/pki/root.crt?format=pem", timeout=3) as response:  # noqa: S310
            return response.read()
    except (urllib.error.URLError, OSError, ValueError):
        return None


def ensure_dev_services(cfg: SigningConfig | None = None):
    """Serve the development TSA and CRL on ``SIGNING_DEV_BASE_URL`` when the
    development PKI is used (idempotent). When the port is already served by
    a sibling process (another worker) with the same root, that is fine."""
    cfg = cfg or signing_config()
    if not cfg.dev_pki:
        return None
    from signing.tsa import start_dev_services

    pki = cfg.dev()
    with _SERVERS_LOCK:
        server = _SERVERS.get(cfg.dev_base_url)
        if server is not None:
            if server._get_pki().root_pem != pki.root_pem:
                raise ConfigurationError(
                    "Le service d'horodatage de développement sert une autre autorité : "
                    "changez SIGNING_DEV_BASE_URL.", detail="two PKIs on one base URL in one process")
            return server
        served = _served_root(cfg.dev_base_url)
        if served is None:
            try:
                server = start_dev_services(cfg)
            except (OSError, SystemExit) as exc:  # werkzeug exits when the port is taken
                if isinstance(exc, OSError) and exc.errno != errno.EADDRINUSE:
                    raise ConfigurationError("Le service d'horodatage de développement n'a pas pu démarrer.",
                                             detail=repr(exc)) from None
                served = _served_root(cfg.dev_base_url)  # a sibling won the race
            else:
                _SERVERS[cfg.dev_base_url] = server
                logger.info("development TSA/CRL served at %s", cfg.dev_base_url)
                return server
        if served is None or served.strip() != pki.root_pem.strip():
            raise ConfigurationError(
                "L'adresse du service d'horodatage de développement (SIGNING_DEV_BASE_URL) est occupée "
                "par un autre service.", detail=f"{cfg.dev_base_url} serves another root or nothing")
        return None


def prepared_config() -> SigningConfig:
    """The configuration, with the development TSA/CRL running when needed."""
    from core.sealing.patience import patient

    cfg = signing_config()
    try:
        ensure_dev_services(cfg)
    except SigningLayerError as exc:
        logger.error("development TSA/CRL unavailable: %s", exc.detail)
        raise SealingFailed(str(exc)) from exc
    return patient(cfg)


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


# ---------------------------------------------------------------------------
# renewal of timestamps (livret seal renew)
# ---------------------------------------------------------------------------

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
    ``core.sealing.services.renew_seals``. A failure on one document is
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
