"""Fixtures of the organisation tests: the development PKI (sealing) and PKCS#12 files made from it."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, NoEncryption, pkcs12
from cryptography.x509.oid import NameOID

from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401

SEAL_PASSWORD = "mot-de-passe-du-p12"
FULL_USAGE = ("digital_signature", "content_commitment")
_KEYS: list = []


def _key():
    # RSA keys are slow to generate: a few are made once and reused by the tests of the session
    if len(_KEYS) < 3:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _KEYS[-1]
    _KEYS.append(_KEYS.pop(0))
    return _KEYS[-1]


def _key_usage(names) -> x509.KeyUsage:
    flags = {n: n in names for n in ("digital_signature", "content_commitment", "key_encipherment",
                                      "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign")}
    return x509.KeyUsage(**flags, encipher_only=False, decipher_only=False)


def _mismatched_pfx(key, cert: x509.Certificate) -> bytes:
    """A PKCS#12 (not encrypted, no MAC) whose key and certificate share a local key id but do not match:
    tools refuse to write one, some old exports still do."""
    from asn1crypto import cms, core, keys, pkcs12 as asn1_pkcs12, x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat

    attrs = asn1_pkcs12.Attributes([{"type": "local_key_id", "values": [core.OctetString(b"\x01")]}])

    def bag(kind, value):
        return asn1_pkcs12.SafeBag({"bag_id": kind, "bag_value": value, "bag_attributes": attrs})

    key_info = keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
    cert_bag = asn1_pkcs12.CertBag({"cert_id": "x509",
                                    "cert_value": asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))})
    contents = asn1_pkcs12.SafeContents([bag("key_bag", key_info), bag("cert_bag", cert_bag)])
    safe = asn1_pkcs12.AuthenticatedSafe([cms.ContentInfo({"content_type": "data", "content": contents.dump()})])
    return asn1_pkcs12.Pfx({"version": "v3", "auth_safe": cms.ContentInfo(
        {"content_type": "data", "content": safe.dump()})}).dump()


@pytest.fixture
def dev_pki(app):
    from core.sealing.services import signing_config

    with app.app_context():
        return signing_config().dev()


@pytest.fixture
def make_p12(dev_pki) -> Callable[..., bytes]:
    """``make_p12(...)``: a PKCS#12 seal issued by the development root (so PAdES LT levels can validate it).

    Options: ``password`` (None: not encrypted), ``cn``, ``o``, ``days`` of validity, ``start`` (offset of
    the start of validity from now), ``usage`` (key usage names, or None: no KeyUsage extension), ``eku``
    (extended key usage OIDs), ``mismatched`` (the key of another certificate), ``with_key``,
    ``with_chain`` (the root in the file), ``self_signed`` (no trusted issuer).
    """

    def factory(*, password: str | None = SEAL_PASSWORD, cn: str = "Organisme Alpha — cachet",
                o: str = "Organisme Alpha", days: int = 365, start: dt.timedelta = dt.timedelta(minutes=-5),
                usage: Any = FULL_USAGE, eku: Any = None, mismatched: bool = False, with_key: bool = True,
                with_chain: bool = True, self_signed: bool = False) -> bytes:
        root_key, root_cert = dev_pki._root()
        key = _key()
        begins = dt.datetime.now(dt.timezone.utc) + start
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
                             x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        builder = (x509.CertificateBuilder().subject_name(subject)
                   .issuer_name(subject if self_signed else root_cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(begins).not_valid_after(begins + dt.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                       full_name=[x509.UniformResourceIdentifier(dev_pki.crl_url)], relative_name=None,
                       reasons=None, crl_issuer=None)]), critical=False))
        if usage is not None:
            builder = builder.add_extension(_key_usage(usage), critical=True)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        cert = builder.sign(key if self_signed else root_key, hashes.SHA256())
        if mismatched:
            other = _key()
            while other is key:
                other = _key()
            return _mismatched_pfx(other, cert)
        encryption = BestAvailableEncryption(password.encode()) if password else NoEncryption()
        return pkcs12.serialize_key_and_certificates(
            b"cachet", key if with_key else None, cert, [root_cert] if with_chain else None, encryption)

    return factory


@pytest.fixture
def api_headers(app) -> Callable[[Any], dict]:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user: Any) -> dict:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory
