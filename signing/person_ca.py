"""The certification authority that issues the short-lived personal signing certificates in production.

Candidates, jurors and session managers sign with a certificate the platform
issues for the signature, the moment they have confirmed their identity
(password typed again): name and e-mail in the subject, ``digitalSignature``
and ``nonRepudiation``, valid ``SIGNING_PERSON_CERT_DAYS`` days, the key
generated and used on the server and never stored. With
``SIGNING_DEV_PKI=true`` the development PKI issues them
(:meth:`signing.devpki.DevPKI.issue_person_certificate`); in production, this
module does, with the CA key the operator configures (:class:`PersonCAConfig`):
PEM files, a PKCS#12 file, or a key on a PKCS#11 token. The CA key only ever
signs through pyHanko's ``Signer.async_sign_raw``, so a token's key never
leaves the token.

What it means legally (docs/signing.md): an advanced electronic signature
(eIDAS art. 26), the platform acting as registration authority (identity
checked by the confirmed e-mail address and the password typed again). A
qualified signature needs a qualified provider: plug a remote signing
service with the ``livret_person_signer`` hook instead of this CA.
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .credentials import PersonSigner, load_signer
from .errors import ConfigurationError

KEY_BITS = 2048
CRL_DAYS = 7


@dataclass
class PersonCAConfig:
    """Where the personal-signature CA's key and certificate are (one source)."""

    pkcs12: Path | str | None = None
    pkcs12_password: str | None = None
    cert: Path | str | None = None
    key: Path | str | None = None
    key_password: str | None = None
    chain: list[Path | str] = field(default_factory=list)
    pkcs11_key: str | None = None  # a key label on the seal's PKCS#11 token (SigningConfig.pkcs11)
    crl_url: str | None = None  # written into each certificate (CRL distribution point) when set

    @property
    def configured(self) -> bool:
        return bool(self.pkcs12 or self.cert or self.key or self.pkcs11_key)


def _utc(moment: datetime) -> asn1_x509.Time:
    moment = moment.astimezone(timezone.utc).replace(microsecond=0)
    return asn1_x509.Time({"utc_time" if moment.year < 2050 else "general_time": moment})


class PersonCA:
    """Issues personal signing certificates (and their CRL) with a configured CA key."""

    def __init__(self, signer, crl_url: str | None = None) -> None:
        self.signer = signer
        self.ca_cert: asn1_x509.Certificate = signer.signing_cert
        if self.ca_cert is None:
            raise ConfigurationError("L'autorité des signatures personnelles n'a pas de certificat.")
        constraints = self.ca_cert.basic_constraints_value
        if constraints is None or not constraints["ca"].native:
            raise ConfigurationError(
                "Le certificat configuré pour les signatures personnelles n'est pas celui d'une autorité de "
                "certification (basicConstraints CA:TRUE).", detail=self.ca_cert.subject.human_friendly)
        if self.ca_cert.key_usage_value is not None and "key_cert_sign" not in self.ca_cert.key_usage_value.native:
            raise ConfigurationError(
                "Le certificat configuré pour les signatures personnelles ne peut pas signer de certificats "
                "(keyUsage keyCertSign absent).", detail=self.ca_cert.subject.human_friendly)
        self.crl_url = crl_url
        registry = getattr(signer, "cert_registry", None)
        others = [c for c in (registry or []) if c.dump() != self.ca_cert.dump()]
        self.chain = [self.ca_cert, *others]

    @classmethod
    def from_config(cls, config: PersonCAConfig, pkcs11=None) -> "PersonCA":
        if not config.configured:
            raise ConfigurationError("Aucune autorité n'est configurée pour les signatures personnelles.")
        p11 = None
        if config.pkcs11_key:
            if pkcs11 is None:
                raise ConfigurationError("SIGNING_PERSON_CA_PKCS11_KEY demande un jeton PKCS#11 "
                                         "(SIGNING_PKCS11_MODULE, _TOKEN).")
            from dataclasses import replace

            p11 = replace(pkcs11, key_label=config.pkcs11_key, cert_label=config.pkcs11_key)
        signer = load_signer(pkcs12=config.pkcs12, pkcs12_password=config.pkcs12_password, cert=config.cert,
                             key=config.key, key_password=config.key_password, chain=config.chain, pkcs11=p11,
                             what="de l'autorité des signatures personnelles")
        return cls(signer, crl_url=config.crl_url)

    # ------------------------------------------------------------------
    def _sign(self, tbs_der: bytes) -> tuple[asn1_keys.SignedDigestAlgorithm, bytes]:
        mechanism = self.signer.get_signature_mechanism_for_digest("sha256")
        return mechanism, asyncio.run(self.signer.async_sign_raw(tbs_der, "sha256"))

    def issue_person_certificate(self, name: str, email: str, days: int = 30) -> PersonSigner:
        """A certificate for ``name`` <``email``>, valid ``days`` days (never beyond the CA's own)."""
        name, email = name.strip(), email.strip()
        if not name or "@" not in email:
            raise ValueError("a name and an e-mail address are required")
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        public = asn1_keys.PublicKeyInfo.load(key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
        now = datetime.now(timezone.utc)
        not_after = min(now + timedelta(days=days), self.ca_cert.not_valid_after)
        mechanism = self.signer.get_signature_mechanism_for_digest("sha256")
        extensions = [
            {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
            {"extn_id": "key_usage", "critical": True,
             "extn_value": asn1_x509.KeyUsage({"digital_signature", "non_repudiation"})},
            {"extn_id": "key_identifier", "critical": False,
             "extn_value": hashlib.sha1(public["public_key"].contents).digest()},
            {"extn_id": "subject_alt_name", "critical": False,
             "extn_value": [asn1_x509.GeneralName(name="rfc822_name", value=email)]},
        ]
        if self.ca_cert.key_identifier:
            extensions.append({"extn_id": "authority_key_identifier", "critical": False,
                               "extn_value": {"key_identifier": self.ca_cert.key_identifier}})
        if self.crl_url:
            extensions.append({"extn_id": "crl_distribution_points", "critical": False, "extn_value": [
                {"distribution_point": asn1_x509.DistributionPointName(
                    name="full_name", value=[asn1_x509.GeneralName(
                        name="uniform_resource_identifier", value=self.crl_url)])}]})
        tbs = asn1_x509.TbsCertificate({
            "version": "v3",
            "serial_number": int.from_bytes(secrets.token_bytes(16), "big") >> 1,
            "signature": mechanism,
            "issuer": self.ca_cert.subject,
            "validity": {"not_before": _utc(now - timedelta(minutes=5)), "not_after": _utc(not_after)},
            "subject": asn1_x509.Name.build({"country_name": "FR", "common_name": name, "email_address": email}),
            "subject_public_key_info": public,
            "extensions": extensions,
        })
        _mechanism, signature = self._sign(tbs.dump())
        cert = asn1_x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": mechanism,
                                      "signature_value": signature})
        private = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return PersonSigner(key=private, cert=cert, chain=list(self.chain), name=name, email=email)

    def crl(self, revoked: list[tuple[int, datetime]] = (), number: int | None = None) -> bytes:
        """A CRL (DER) signed by the CA, valid ``CRL_DAYS`` days, listing ``revoked`` (serial, date) pairs:
        what the operator publishes at ``crl_url`` (``livret pki person-crl``)."""
        now = datetime.now(timezone.utc)
        mechanism = self.signer.get_signature_mechanism_for_digest("sha256")
        extensions = [{"extn_id": "crl_number", "critical": False,
                       "extn_value": number if number is not None else int(now.timestamp())}]
        if self.ca_cert.key_identifier:
            extensions.append({"extn_id": "authority_key_identifier", "critical": False,
                               "extn_value": {"key_identifier": self.ca_cert.key_identifier}})
        entries = [{"user_certificate": serial, "revocation_date": _utc(when)} for serial, when in revoked]
        tbs = asn1_crl.TbsCertList({
            "version": "v2", "signature": mechanism, "issuer": self.ca_cert.subject,
            "this_update": _utc(now), "next_update": _utc(now + timedelta(days=CRL_DAYS)),
            **({"revoked_certificates": entries} if entries else {}),
            "crl_extensions": extensions,
        })
        _mechanism, signature = self._sign(tbs.dump())
        return asn1_crl.CertificateList({"tbs_cert_list": tbs, "signature_algorithm": mechanism,
                                         "signature": signature}).dump()
