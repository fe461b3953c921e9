"""An organisation's own seal certificate and TSA URL (uploaded by its admin).

The certifier admin uploads a PKCS#12 file (key, certificate, chain) with its
password; both are checked (:mod:`core.organisations.seal_checks`) then stored
encrypted with Fernet under ``ORGANISATION_SEAL_KEY`` (or a key derived from
``SECRET_KEY``). :func:`signer_for`, called by
:func:`core.sealing.services.seal_pdf` for ``organisation=``, turns the active
and currently valid seal into a pyHanko signer; otherwise the platform's seal
is used. Neither the password nor the key ever leaves this module.

Every change (upload, removal, TSA URL) checks that the actor is the
organisation's certifier admin and writes an audit event.
"""
from __future__ import annotations

import base64
import ipaddress
import logging
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import Organisation, Role, User, utcnow
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.organisations.models import OrganisationSeal, OrganisationSigningSettings, aware
from core.organisations.seal_checks import SealRefused, inspect_pkcs12

logger = logging.getLogger(__name__)

HKDF_INFO = b"livret organisation seal encryption v1"
EXPIRY_WARNING_DAYS = 30
MAX_TSA_URL_LENGTH = 500
_CACHE = "livret_organisation_signers"


# ---------------------------------------------------------------------------
# Encryption at rest
# ---------------------------------------------------------------------------

def _fernet() -> MultiFernet:
    keys = [k for k in (current_app.config.get("ORGANISATION_SEAL_KEY") or "").split(",") if k.strip()]
    if not keys:
        secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret)
        keys = [base64.urlsafe_b64encode(derived).decode("ascii")]
    return MultiFernet([Fernet(k.strip().encode("ascii")) for k in keys])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    """The clear bytes; :class:`cryptography.fernet.InvalidToken` when no configured key opens them."""
    return _fernet().decrypt(token)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

def active_seal(org: Organisation) -> OrganisationSeal | None:
    return db.session.scalar(select(OrganisationSeal).where(OrganisationSeal.organisation_id == org.id,
                                                            OrganisationSeal.active.is_(True)))


def tsa_url_of(org: Organisation) -> str:
    row = db.session.get(OrganisationSigningSettings, org.id)
    return row.tsa_url if row is not None else ""


def _readable(seal: OrganisationSeal) -> bool:
    try:
        decrypt(seal.pkcs12_encrypted or b"")
        decrypt(seal.password_encrypted or b"")
    except InvalidToken:
        return False
    return True


def chain_of(seal: OrganisationSeal) -> list[dict[str, Any]]:
    """The chain certificates of ``seal`` with their dates as datetimes (for pages)."""
    entries = []
    for item in seal.chain or []:
        entries.append({"subject": item.get("subject", ""), "issuer": item.get("issuer", ""),
                        "not_before": datetime.fromisoformat(item["not_before"]),
                        "not_after": datetime.fromisoformat(item["not_after"])})
    return entries


@dataclass
class SealStatus:
    """What the settings page and the API show about an organisation's seal."""

    seal: OrganisationSeal | None
    state: str  # none | valid | expired | not_yet_valid | unreadable
    days_left: int | None
    expiring_soon: bool
    tsa_url: str

    @property
    def in_use(self) -> bool:
        return self.state == "valid"


def seal_status(org: Organisation, now: datetime | None = None) -> SealStatus:
    now = now or utcnow()
    seal = active_seal(org)
    tsa_url = tsa_url_of(org)
    if seal is None:
        return SealStatus(None, "none", None, False, tsa_url)
    days_left = seal.days_left(now)
    if now > aware(seal.not_after):
        state = "expired"
    elif now < aware(seal.not_before):
        state = "not_yet_valid"
    elif not _readable(seal):
        state = "unreadable"
    else:
        state = "valid"
    return SealStatus(seal, state, days_left, state == "valid" and days_left < EXPIRY_WARNING_DAYS, tsa_url)


# ---------------------------------------------------------------------------
# Changes (certifier admin of the organisation)
# ---------------------------------------------------------------------------

def _require_admin(org: Organisation, actor: User) -> None:
    if actor is None or actor.role is not Role.CERTIFIER_ADMIN or actor.organisation_id != org.id:
        raise NotFound()


def _non_repudiation_required() -> bool:
    """pyHanko checks the nonRepudiation key usage when it embeds validation data (B-LT, B-LTA)."""
    from core.sealing.services import signing_config

    return signing_config().default_level in ("B-LT", "B-LTA")


def _trust_roots() -> list:
    from core.sealing.services import signing_config

    return signing_config().trust_root_certs()


def _deactivate(seal: OrganisationSeal, actor: User) -> None:
    seal.active = False
    seal.deactivated_at = utcnow()
    seal.deactivated_by_id = actor.id
    seal.pkcs12_encrypted = None  # the key of a seal no longer used is not kept
    seal.password_encrypted = None


def upload_seal(org: Organisation, *, actor: User, data: bytes, password: str,
                now: datetime | None = None) -> OrganisationSeal:
    """Check and store a PKCS#12 seal; it replaces the active one. :class:`SealRefused` (422) otherwise.

    Wrong passwords of the file count like wrong account passwords (:mod:`core.auth.attempts`):
    beyond the limit, :class:`~core.auth.attempts.TooManyAttempts` (429) before the file is opened.
    """
    from core.auth import attempts

    _require_admin(org, actor)
    attempts.check(actor)
    try:
        inspected = inspect_pkcs12(data, password or "", now=now or utcnow(),
                                   non_repudiation_required=_non_repudiation_required(),
                                   trust_roots=_trust_roots())
    except SealRefused as exc:
        if password and "password" in (exc.details or {}):
            attempts.failed(actor)  # a password was tried and did not open the file
        raise
    previous = active_seal(org)
    if previous is not None:
        _deactivate(previous, actor)
        db.session.flush()  # one active seal per organisation (partial unique index)
    seal = OrganisationSeal(
        organisation_id=org.id, pkcs12_encrypted=encrypt(data), password_encrypted=encrypt(
            (password or "").encode("utf-8")),
        subject_cn=inspected.subject_cn, subject_o=inspected.subject_o, subject=inspected.subject,
        issuer=inspected.issuer, serial=inspected.serial, not_before=inspected.not_before,
        not_after=inspected.not_after, fingerprint_sha256=inspected.fingerprint_sha256, chain=inspected.chain,
        uploaded_by_id=actor.id, uploaded_at=utcnow(), active=True)
    db.session.add(seal)
    db.session.flush()
    record("organisation.seal_uploaded", "organisation", org.id, actor_id=actor.id, payload={
        "seal_id": seal.id, "subject": seal.subject, "issuer": seal.issuer, "serial": seal.serial,
        "fingerprint_sha256": seal.fingerprint_sha256, "not_after": inspected.not_after.isoformat(),
        "replaced_seal_id": previous.id if previous is not None else None})
    return seal


def remove_seal(org: Organisation, *, actor: User) -> OrganisationSeal | None:
    """Deactivate the active seal (the platform's seal is used again); None when there was none."""
    _require_admin(org, actor)
    seal = active_seal(org)
    if seal is None:
        return None
    _deactivate(seal, actor)
    record("organisation.seal_removed", "organisation", org.id, actor_id=actor.id, payload={
        "seal_id": seal.id, "serial": seal.serial, "fingerprint_sha256": seal.fingerprint_sha256})
    return seal


def _public_address(host: str, port: int) -> str | None:
    """An error message when ``host`` resolves to an address the server must not reach, else None."""
    if current_app.config.get("ORGANISATION_TSA_ALLOW_PRIVATE"):
        return None
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return _("Le nom d'hôte « %(host)s » est introuvable.", host=host)
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return _("L'adresse %(addr)s est privée, réservée ou locale : le service d'horodatage doit être "
                     "joignable sur Internet.", addr=str(address))
    return None


def check_tsa_url(url: str) -> str:
    """The URL, stripped (empty: the platform's TSA); :class:`ValidationFailed` on ``tsa_url`` otherwise."""
    url = (url or "").strip()
    if not url:
        return ""

    def refuse(message: str):
        return ValidationFailed(message, details={"tsa_url": [message]})

    if len(url) > MAX_TSA_URL_LENGTH:
        raise refuse(_("L'adresse est limitée à %(n)d caractères.", n=MAX_TSA_URL_LENGTH))
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise refuse(_("Adresse web invalide : saisissez par exemple https://horodatage.example.fr/tsa.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise refuse(_("L'adresse doit commencer par https:// ou http:// et désigner un serveur, par exemple "
                       "https://horodatage.example.fr/tsa."))
    if parts.username or parts.password:
        raise refuse(_("L'adresse ne doit pas contenir d'identifiant ni de mot de passe."))
    if parts.fragment:
        raise refuse(_("L'adresse ne doit pas contenir de fragment (#…)."))
    problem = _public_address(parts.hostname, port)
    if problem:
        raise refuse(problem)
    return url


def set_tsa_url(org: Organisation, *, actor: User, url: str) -> bool:
    """Save the organisation's TSA URL (empty: the platform's); returns whether it changed."""
    _require_admin(org, actor)
    url = check_tsa_url(url)
    row = db.session.get(OrganisationSigningSettings, org.id)
    if (row.tsa_url if row is not None else "") == url:
        return False
    if row is None:
        row = OrganisationSigningSettings(organisation_id=org.id)
        db.session.add(row)
    row.tsa_url = url
    row.updated_by_id = actor.id
    row.updated_at = utcnow()
    record("organisation.tsa_url_updated", "organisation", org.id, actor_id=actor.id,
           payload={"tsa_url": url or None})
    return True


# ---------------------------------------------------------------------------
# Sealing (core.sealing.services.seal_pdf)
# ---------------------------------------------------------------------------

def _tsa_for_sealing(org: Organisation) -> str | None:
    url = tsa_url_of(org)
    if not url:
        return None
    parts = urlsplit(url)
    problem = _public_address(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    if problem:  # the name resolves elsewhere now: the platform's TSA stamps this seal
        logger.warning("organisation %s: TSA URL refused at sealing time (%s)", org.id, problem)
        return None
    return url


def _load_signer(seal: OrganisationSeal) -> Any:
    from pyhanko.sign import signers

    from signing.credentials import KeyCachingSigner

    cache = current_app.extensions.setdefault(_CACHE, {})
    key = (seal.id, seal.fingerprint_sha256)
    signer = cache.get(key)
    if signer is None:
        data = decrypt(seal.pkcs12_encrypted or b"")
        password = decrypt(seal.password_encrypted or b"")
        attempts = [password] if password else [None, b""]
        for attempt in attempts:
            try:
                signer = KeyCachingSigner.wrap(signers.SimpleSigner.load_pkcs12_data(data, other_certs=None,
                                                                                      passphrase=attempt))
                break
            except ValueError:
                continue
        if signer is None:
            raise ValueError("the stored PKCS#12 does not open")
        cache[key] = signer
    return signer


def signer_for(organisation) -> tuple[Any, str | None]:
    """``(pyHanko signer or None, TSA URL or None)`` for sealing on behalf of
    ``organisation``; ``None`` means the platform's own."""
    if organisation is None or getattr(organisation, "id", None) is None:
        return None, None
    tsa_url = _tsa_for_sealing(organisation)
    seal = active_seal(organisation)
    if seal is None or not seal.valid_at(utcnow()):
        return None, tsa_url
    try:
        return _load_signer(seal), tsa_url
    except (InvalidToken, ValueError) as exc:
        logger.error("organisation %s: seal %s cannot be opened (%r); the platform's seal is used",
                     organisation.id, seal.id, exc)
        return None, tsa_url
