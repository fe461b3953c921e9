"""Checks of an uploaded seal (PKCS#12): readable, with a key and a certificate that may seal.

:func:`inspect_pkcs12` refuses, with a French message tied to the form field
(``pkcs12`` or ``password``): a file that is not PKCS#12, a wrong password, a
file without private key or certificate, a certificate outside its validity
period, without the key usages a seal needs, whose extended key usages exclude
document signing, whose public key is not the private key's, or that no trust
root of the platform vouches for (a seal nobody can verify, and that PAdES LT
levels cannot even produce).
"""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask_babel import gettext as _

from core.errors import ValidationFailed

MAX_PKCS12_SIZE = 100 * 1024

# Extended key usages under which signing documents is allowed.
DOCUMENT_SIGNING_EKUS = {
    "2.5.29.37.0",  # anyExtendedKeyUsage
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    "1.3.6.1.4.1.311.10.3.12",  # Microsoft document signing
    "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
    "1.3.6.1.5.5.7.3.4",  # emailProtection (S/MIME), carried by many seal certificates
}
EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH.dotted_string: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING.dotted_string: "codeSigning",
    ExtendedKeyUsageOID.TIME_STAMPING.dotted_string: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string: "OCSPSigning",
}


class SealRefused(ValidationFailed):
    code = "seal_refused"

    def __init__(self, message: str, *, field_name: str = "pkcs12"):
        super().__init__(message, details={field_name: [message]})


@dataclass
class InspectedSeal:
    """What an accepted PKCS#12 holds, and what is kept of it in clear."""

    certificate: x509.Certificate
    others: list[x509.Certificate]
    subject_cn: str
    subject_o: str
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    chain: list[dict[str, Any]] = field(default_factory=list)


def _name_part(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _when(moment: datetime) -> str:
    """For people: Paris time with the zone (« 06/12/2026 à 04:29 (heure de Paris) »)."""
    from core.templating import local_datetime

    return local_datetime(moment)


def _describe(cert: x509.Certificate) -> dict[str, Any]:
    return {"subject": cert.subject.rfc4514_string(), "issuer": cert.issuer.rfc4514_string(),
            "not_before": cert.not_valid_before_utc.isoformat(), "not_after": cert.not_valid_after_utc.isoformat()}


def _is_pfx(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native is not None and pfx["auth_safe"]["content_type"].native is not None
    except (ValueError, TypeError, KeyError):
        return False


def _load(data: bytes, password: str):
    if not data:
        raise SealRefused(_("Choisissez le fichier PKCS#12 (.p12 ou .pfx) du certificat de cachet."))
    if len(data) > MAX_PKCS12_SIZE:
        raise SealRefused(_("Le fichier dépasse %(kb)d Ko : un fichier PKCS#12 de cachet est bien plus petit.",
                            kb=MAX_PKCS12_SIZE // 1024))
    if not _is_pfx(data):
        raise SealRefused(_("Ce fichier n'est pas au format PKCS#12 (.p12 ou .pfx) : exportez le certificat de "
                            "cachet avec sa clé privée dans ce format."))
    candidates = [password.encode("utf-8")] if password else [None, b""]
    for candidate in candidates:
        try:
            return pkcs12.load_key_and_certificates(data, candidate)
        except ValueError:
            continue
    if not password:
        raise SealRefused(_("Ce fichier PKCS#12 est protégé : saisissez son mot de passe."), field_name="password")
    raise SealRefused(_("Le mot de passe ne déchiffre pas ce fichier PKCS#12."), field_name="password")


def _check_validity(cert: x509.Certificate, now: datetime) -> None:
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now > end:
        raise SealRefused(_("Le certificat a expiré le %(end)s (valide du %(start)s au %(end)s) : déposez un "
                            "certificat en cours de validité.", start=_when(start), end=_when(end)))
    if now < start:
        raise SealRefused(_("Le certificat n'est pas encore valide : il le sera du %(start)s au %(end)s.",
                            start=_when(start), end=_when(end)))


def _check_key_usage(cert: x509.Certificate, non_repudiation_required: bool) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise SealRefused(_("Le certificat ne déclare aucun usage de clé (extension KeyUsage) : un certificat "
                            "de cachet doit permettre la signature (digitalSignature) ou la non-répudiation "
                            "(nonRepudiation).")) from None
    if non_repudiation_required and not usage.content_commitment:
        raise SealRefused(_("Le certificat ne permet pas la non-répudiation (usage nonRepudiation / "
                            "contentCommitment), exigée pour les cachets au niveau %(level)s de la plateforme.",
                            level="PAdES B-LT / B-LTA"))
    if not (usage.digital_signature or usage.content_commitment):
        raise SealRefused(_("Les usages de clé du certificat ne permettent pas de signer des documents : "
                            "digitalSignature ou nonRepudiation est requis."))


def _check_extended_key_usage(cert: x509.Certificate) -> None:
    try:
        ekus = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    dotted = [oid.dotted_string for oid in ekus]
    if any(oid in DOCUMENT_SIGNING_EKUS for oid in dotted):
        return
    names = ", ".join(EKU_NAMES.get(oid, oid) for oid in dotted)
    raise SealRefused(_("Les usages étendus du certificat (%(names)s) ne permettent pas de signer des "
                        "documents : il s'agit d'un certificat d'un autre usage (serveur web, "
                        "authentification…).", names=names))


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _KEY_MISMATCH() -> str:  # noqa: N802 - a message, translated when raised
    return _("La clé privée du fichier ne correspond pas au certificat : le fichier PKCS#12 mélange la clé "
             "d'un certificat et un autre certificat.")


def _is_end_entity(cert: x509.Certificate) -> bool:
    try:
        return not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return True


def _check_key_matches(key, cert: x509.Certificate) -> None:
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise SealRefused(_KEY_MISMATCH())


def _check_trusted(cert: x509.Certificate, others: list[x509.Certificate], trust_roots: list, now: datetime) -> None:
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import InvalidCertificateError, PathBuildingError, ValidationError

    def asn1(c: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    intermediates = [asn1(c) for c in others]
    context = ValidationContext(trust_roots=trust_roots, other_certs=intermediates, moment=now,
                                allow_fetching=False, revocation_mode="soft-fail")
    validator = CertificateValidator(asn1(cert), intermediate_certs=intermediates, validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except (PathBuildingError, InvalidCertificateError):  # no path, or self-signed
        raise SealRefused(_("Le certificat n'est rattaché à aucune autorité de certification reconnue par la "
                            "plateforme : joignez la chaîne de certification au fichier PKCS#12, ou demandez à "
                            "l'exploitant d'ajouter l'autorité racine (SIGNING_TRUST_ROOTS).")) from None
    except ValidationError as exc:
        raise SealRefused(_("La chaîne de certification du certificat n'est pas valide (%(reason)s).",
                            reason=str(exc))) from None


def _chain_order(cert: x509.Certificate, others: list[x509.Certificate]) -> list[x509.Certificate]:
    """The other certificates from the certificate's issuer upwards, then any unrelated ones."""
    ordered, left, current = [], list(others), cert
    while True:
        parent = next((c for c in left if c.subject == current.issuer), None)
        if parent is None:
            break
        ordered.append(parent)
        left.remove(parent)
        if parent.subject == parent.issuer:
            break
        current = parent
    return ordered + left


def inspect_pkcs12(data: bytes, password: str, *, now: datetime, non_repudiation_required: bool,
                   trust_roots: list) -> InspectedSeal:
    """The checked content of ``data``; :class:`SealRefused` (422, French, field named) otherwise."""
    key, cert, others = _load(data, password or "")
    others = list(others or [])
    if key is None:
        if cert is None and not others:
            raise SealRefused(_("Le fichier PKCS#12 ne contient ni clé privée ni certificat."))
        raise SealRefused(_("Le fichier PKCS#12 ne contient pas la clé privée du certificat : exportez-le avec "
                            "sa clé privée."))
    if cert is None:
        if any(_is_end_entity(c) for c in others):
            # OpenSSL pairs the key with the certificate whose public key it matches: none does
            raise SealRefused(_KEY_MISMATCH())
        raise SealRefused(_("Le fichier PKCS#12 ne contient pas de certificat."))
    others = [c for c in others if c != cert]
    _check_key_matches(key, cert)
    _check_validity(cert, now)
    _check_key_usage(cert, non_repudiation_required)
    _check_extended_key_usage(cert)
    _check_trusted(cert, others, trust_roots, now)
    chain = _chain_order(cert, others)
    return InspectedSeal(
        certificate=cert, others=chain,
        subject_cn=_name_part(cert.subject, NameOID.COMMON_NAME)[:300],
        subject_o=_name_part(cert.subject, NameOID.ORGANIZATION_NAME)[:300],
        subject=cert.subject.rfc4514_string()[:1000], issuer=cert.issuer.rfc4514_string()[:1000],
        serial=format(cert.serial_number, "x"), not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint_sha256=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
        chain=[_describe(c) for c in chain])
