"""Key material: loading the seal from configuration, and the
:class:`PersonSigner` credential issued to a person by the platform CA."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from asn1crypto import keys as asn1_keys
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import ConfigurationError


def load_certs_from_bytes(data: bytes) -> list[asn1_x509.Certificate]:
    """All certificates of a PEM bundle, or the single DER certificate."""
    if asn1_pem.detect(data):
        return [
            asn1_x509.Certificate.load(der)
            for kind, _h, der in asn1_pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
    return [asn1_x509.Certificate.load(data)]


def load_certs_from_files(paths) -> list[asn1_x509.Certificate]:
    certs: list[asn1_x509.Certificate] = []
    for p in paths or ():
        try:
            certs.extend(load_certs_from_bytes(Path(p).read_bytes()))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"Le certificat racine de confiance « {p} » est illisible.",
                detail=repr(exc),
            ) from exc
    return certs


class KeyCachingSigner(signers.SimpleSigner):
    """``SimpleSigner`` that parses its private key once.

    pyHanko's ``SimpleSigner.sign_raw`` re-loads the key from DER on every
    call, and ``cryptography`` runs the full RSA consistency check on each
    load (~0.1 s for RSA-2048, twice per signature: size estimate and real
    signature).  RSA PKCS#1 v1.5 (what our keys use) is handled here with the
    cached key; other mechanisms fall back to pyHanko's implementation.
    """

    _pyca_key = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mech["algorithm"].native != "rsassa_pkcs1v15" and mech.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        if self._pyca_key is None:
            key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            if not isinstance(key, RSAPrivateKey):
                return super().sign_raw(data, digest_algorithm)
            self._pyca_key = key
        return self._pyca_key.sign(
            data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
        )

    @classmethod
    def wrap(cls, signer: signers.SimpleSigner) -> "KeyCachingSigner":
        return cls(
            signing_cert=signer.signing_cert, signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
        )


@dataclass
class Credential:
    """A private key with its certificate and chain (no root needed)."""

    key: asn1_keys.PrivateKeyInfo
    cert: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate] = field(default_factory=list)

    def pyhanko_signer(self) -> signers.SimpleSigner:
        """A pyHanko signer for this credential (built once, then reused)."""
        cached = self.__dict__.get("_signer")
        if cached is None:
            reg = SimpleCertificateStore()
            reg.register_multiple(self.chain)
            cached = KeyCachingSigner(
                signing_cert=self.cert, signing_key=self.key, cert_registry=reg
            )
            self.__dict__["_signer"] = cached
        return cached

    @property
    def cert_pem(self) -> bytes:
        return asn1_pem.armor("CERTIFICATE", self.cert.dump())

    @property
    def chain_pem(self) -> bytes:
        return b"".join(asn1_pem.armor("CERTIFICATE", c.dump()) for c in self.chain)

    @property
    def key_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM: handle with care."""
        return asn1_pem.armor("PRIVATE KEY", self.key.dump())


@dataclass
class PersonSigner(Credential):
    """Credential issued to a person (candidate, juror, session manager)."""

    name: str = ""
    email: str = ""

    @property
    def serial_number(self) -> int:
        return self.cert.serial_number

    @property
    def not_after(self) -> datetime:
        return self.cert["tbs_certificate"]["validity"]["not_after"].native


def load_seal_signer(config) -> signers.Signer:
    """The organisation's seal as a pyHanko signer, per ``config``."""
    if config.pkcs11 is not None or config.seal_pkcs12 or config.seal_cert or config.seal_key:
        return load_signer(pkcs12=config.seal_pkcs12, pkcs12_password=config.seal_pkcs12_password,
                           cert=config.seal_cert, key=config.seal_key, key_password=config.seal_key_password,
                           chain=config.seal_chain, pkcs11=config.pkcs11, what="du cachet")
    if config.uses_dev_pki:
        return config.dev().seal_credential().pyhanko_signer()
    raise ConfigurationError("Aucun certificat de cachet n'est configuré.")


def load_signer(*, pkcs12=None, pkcs12_password=None, cert=None, key=None, key_password=None, chain=(),
                pkcs11=None, what: str = "du cachet") -> signers.Signer:
    """A pyHanko signer from one key source: a PKCS#11 token (``pkcs11``, a :class:`signing.config.Pkcs11Config`),
    a PKCS#12 file, or PEM/DER certificate and key files (``cert`` first in its file, then its chain).
    ``what`` names the key in French messages (« du cachet », « de l'autorité des signatures personnelles »)."""
    chain = load_certs_from_files(chain)
    if pkcs11 is not None:
        return _load_pkcs11_signer(pkcs11, chain)
    if pkcs12:
        try:
            data = Path(pkcs12).read_bytes()
            return KeyCachingSigner.wrap(signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=chain,
                passphrase=pkcs12_password.encode() if pkcs12_password is not None else None,
            ))
        except Exception as exc:  # wrong password, corrupt file, missing file
            raise ConfigurationError(
                f"Le fichier PKCS#12 {what} est illisible (fichier absent ou mot de passe incorrect).",
                detail=repr(exc),
            ) from exc
    if not (cert and key):
        raise ConfigurationError(f"Le certificat et la clé {what} doivent être configurés ensemble.")
    try:
        private = load_private_key_from_pemder_data(
            Path(key).read_bytes(), passphrase=key_password.encode() if key_password is not None else None)
        certs = load_certs_from_bytes(Path(cert).read_bytes())
    except Exception as exc:
        raise ConfigurationError(f"Le certificat ou la clé {what} est illisible.", detail=repr(exc)) from exc
    if not certs:
        raise ConfigurationError(f"Le fichier du certificat {what} est vide.")
    return Credential(key=private, cert=certs[0], chain=certs[1:] + chain).pyhanko_signer()


def _load_pkcs11_signer(p11, chain) -> signers.Signer:
    # Imported lazily: python-pkcs11 is an optional dependency.
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as ph_pkcs11
    except ImportError as exc:
        raise ConfigurationError(
            "La prise en charge PKCS#11 n'est pas installée (paquet python-pkcs11).",
            detail=repr(exc),
        ) from exc
    try:
        session = ph_pkcs11.open_pkcs11_session(
            p11.module_path,
            slot_no=p11.slot_no,
            token_criteria=TokenCriteria(label=p11.token_label),
            user_pin=p11.pin,
        )
        return ph_pkcs11.PKCS11Signer(
            session,
            cert_label=p11.cert_label or p11.key_label,
            key_label=p11.key_label,
            ca_chain=chain,
        )
    except Exception as exc:
        raise ConfigurationError(
            "Le jeton PKCS#11 du cachet est inaccessible.", detail=repr(exc)
        ) from exc
