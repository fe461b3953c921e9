"""Development PKI, generated on first use in ``pki_dir``.

Layout (keys are written with mode 0600)::

    pki_dir/
      root.key.pem  root.crt.pem      self-signed root CA
      seal.key.pem  seal.crt.pem      the organisation's seal
      tsa.key.pem   tsa.crt.pem       the local RFC 3161 TSA
      root.crl                        CRL of the root (DER), refreshed daily
      revoked.json                    serials revoked by the root
      state.json                      organisation and base URL baked into
                                      the certificates
      issued/<serial>.crt.pem         personal certificates issued (no keys)

We use ``cryptography`` rather than certomancer: certomancer is driven by a
static YAML description and is meant for test fixtures, whereas this PKI must
be created at run time, be idempotent, issue personal certificates on demand
and maintain a CRL.  ``cryptography`` does each of these in a few lines.

All certificates except the root carry a CRL distribution point
``<base_url>/pki/crl/root.crl`` and an AIA ``caIssuers`` pointing at
``<base_url>/pki/root.crt``, both served by :mod:`signing.tsa`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .credentials import Credential, PersonSigner

ROOT_DAYS = 3650
SEAL_DAYS = 825
TSA_DAYS = 1825
PERSON_DAYS = 30
CRL_VALIDITY = dt.timedelta(days=7)
CRL_REFRESH = dt.timedelta(days=1)
KEY_BITS = 2048


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _write(path: Path, data: bytes, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    if private:
        os.chmod(path, 0o600)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _to_asn1_key(key) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


# one handle per (directory, organisation, base URL) and process, so that
# keys are parsed once
_INSTANCES: dict[tuple, "DevPKI"] = {}


class DevPKI:
    """Handle on a development PKI directory.  Use :meth:`ensure`."""

    def __init__(self, pki_dir: Path, organisation: str, base_url: str):
        self.dir = Path(pki_dir)
        self.organisation = organisation
        self.base_url = base_url.rstrip("/")
        self._cache: dict = {}

    # ------------------------------------------------------------------
    # creation
    # ------------------------------------------------------------------
    @classmethod
    def ensure(cls, pki_dir, *, organisation: str = "Livret",
               base_url: str = "http://127.0.0.1:8939") -> "DevPKI":
        """Create the PKI if needed (idempotent, safe across processes).

        When the organisation or the base URL differ from the ones baked into
        the existing seal/TSA certificates, those two are re-issued under the
        same root (documents sealed before stay verifiable).
        """
        key = (str(Path(pki_dir).resolve()), organisation, base_url.rstrip("/"))
        pki = _INSTANCES.get(key)
        if pki is not None and pki._p("root.key.pem").exists():
            return pki
        pki = cls(Path(pki_dir), organisation, base_url)
        pki.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with pki._lock():
            pki._create_missing()
        _INSTANCES[key] = pki
        return pki

    @contextmanager
    def _lock(self):
        with open(self.dir / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _p(self, name: str) -> Path:
        return self.dir / name

    def _create_missing(self) -> None:
        if not (self._p("root.key.pem").exists() and self._p("root.crt.pem").exists()):
            self._create_root()
            for stale in ("seal.crt.pem", "tsa.crt.pem", "root.crl", "revoked.json"):
                self._p(stale).unlink(missing_ok=True)
        state = self._state()
        wanted = {"organisation": self.organisation, "base_url": self.base_url}
        reissue = {k: state.get(k) for k in wanted} != wanted
        if reissue or not self._p("seal.crt.pem").exists():
            self._create_seal()
        if reissue or not self._p("tsa.crt.pem").exists():
            self._create_tsa()
        if reissue:
            _write(self._p("state.json"), json.dumps(wanted).encode())
        if not self._p("revoked.json").exists():
            _write(self._p("revoked.json"), b"[]")
        self._refresh_crl(force=not self._p("root.crl").exists())

    def _state(self) -> dict:
        try:
            return json.loads(self._p("state.json").read_text())
        except (OSError, ValueError):
            return {}

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/pki/crl/root.crl"

    @property
    def root_url(self) -> str:
        return f"{self.base_url}/pki/root.crt"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    def _create_root(self) -> None:
        key = _new_key()
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                f"{self.organisation} — autorité racine de développement",
            ),
        ])
        now = _now()
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=ROOT_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False, content_commitment=False,
                    key_encipherment=False, data_encipherment=False,
                    key_agreement=False, key_cert_sign=True, crl_sign=True,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        _write(self._p("root.key.pem"), _key_pem(key), private=True)
        _write(self._p("root.crt.pem"), _cert_pem(cert))
        self._cache.clear()

    def _root(self):
        if "root" not in self._cache:
            key = serialization.load_pem_private_key(
                self._p("root.key.pem").read_bytes(), password=None)
            cert = x509.load_pem_x509_certificate(self._p("root.crt.pem").read_bytes())
            self._cache["root"] = (key, cert)
        return self._cache["root"]

    def _issue(self, subject: x509.Name, public_key, *, days: int,
               eku=None, san=None, validity_start=None) -> x509.Certificate:
        root_key, root_cert = self._root()
        now = validity_start or _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(root_cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(min(now + dt.timedelta(days=days), root_cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=True,
                    key_encipherment=False, data_encipherment=False,
                    key_agreement=False, key_cert_sign=False, crl_sign=False,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.CRLDistributionPoints([
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(self.crl_url)],
                        relative_name=None, reasons=None, crl_issuer=None,
                    )
                ]),
                critical=False,
            )
            .add_extension(
                x509.AuthorityInformationAccess([
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(self.root_url),
                    )
                ]),
                critical=False,
            )
        )
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(root_key, hashes.SHA256())

    def _create_seal(self) -> None:
        key = _new_key()
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{self.organisation} — cachet"),
        ])
        cert = self._issue(subject, key.public_key(), days=SEAL_DAYS)
        _write(self._p("seal.key.pem"), _key_pem(key), private=True)
        _write(self._p("seal.crt.pem"), _cert_pem(cert))
        self._cache.pop("seal", None)

    def _create_tsa(self) -> None:
        key = _new_key()
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"{self.organisation} — horodatage de développement"
            ),
        ])
        cert = self._issue(subject, key.public_key(), days=TSA_DAYS,
                           eku=[ExtendedKeyUsageOID.TIME_STAMPING])
        _write(self._p("tsa.key.pem"), _key_pem(key), private=True)
        _write(self._p("tsa.crt.pem"), _cert_pem(cert))
        self._cache.pop("tsa", None)

    # ------------------------------------------------------------------
    # CRL and revocation
    # ------------------------------------------------------------------
    def _revoked(self) -> list[dict]:
        try:
            return json.loads(self._p("revoked.json").read_text())
        except (OSError, ValueError):
            return []

    def _refresh_crl(self, force: bool = False) -> None:
        path = self._p("root.crl")
        if not force and path.exists():
            current = x509.load_der_x509_crl(path.read_bytes())
            if _now() - current.last_update_utc < CRL_REFRESH:
                return
            number = current.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
        elif path.exists():
            current = x509.load_der_x509_crl(path.read_bytes())
            number = current.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
        else:
            number = 1
        root_key, root_cert = self._root()
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(root_cert.subject)
            # a little slack backwards so that a signature made in the same
            # second is not "before" the CRL it is checked against
            .last_update(now - dt.timedelta(minutes=1))
            .next_update(now + CRL_VALIDITY)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
        )
        for entry in self._revoked():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(int(entry["serial"]))
                .revocation_date(dt.datetime.fromisoformat(entry["date"]))
                .build()
            )
        crl = builder.sign(root_key, hashes.SHA256())
        _write(path, crl.public_bytes(serialization.Encoding.DER))

    def crl_der(self) -> bytes:
        """The current CRL (DER), re-issued when older than a day."""
        with self._lock():
            self._refresh_crl()
            return self._p("root.crl").read_bytes()

    def crl(self) -> asn1_crl.CertificateList:
        return asn1_crl.CertificateList.load(self.crl_der())

    def revoke(self, serial_number: int) -> None:
        """Revoke a certificate issued by this PKI and re-issue the CRL."""
        with self._lock():
            entries = self._revoked()
            if all(int(e["serial"]) != serial_number for e in entries):
                entries.append({"serial": str(serial_number), "date": _now().isoformat()})
                _write(self._p("revoked.json"), json.dumps(entries).encode())
            self._refresh_crl(force=True)

    # ------------------------------------------------------------------
    # accessors
    # ------------------------------------------------------------------
    @property
    def root_cert(self) -> asn1_x509.Certificate:
        return _to_asn1_cert(self._root()[1])

    @property
    def root_pem(self) -> bytes:
        return self._p("root.crt.pem").read_bytes()

    @property
    def root_path(self) -> Path:
        return self._p("root.crt.pem")

    def _credential(self, stem: str) -> Credential:
        if stem not in self._cache:
            key = serialization.load_pem_private_key(
                self._p(f"{stem}.key.pem").read_bytes(), password=None)
            cert = x509.load_pem_x509_certificate(self._p(f"{stem}.crt.pem").read_bytes())
            self._cache[stem] = Credential(
                key=_to_asn1_key(key), cert=_to_asn1_cert(cert), chain=[self.root_cert]
            )
        return self._cache[stem]

    def seal_credential(self) -> Credential:
        return self._credential("seal")

    def tsa_credential(self) -> Credential:
        return self._credential("tsa")

    def issue_person_certificate(self, name: str, email: str, days: int = PERSON_DAYS) -> PersonSigner:
        """Issue a short-lived signing certificate to a person.

        The key pair is generated here (server side) and returned with the
        certificate and its chain; only the certificate is kept on disk.
        """
        if not name.strip() or "@" not in email:
            raise ValueError("a name and an e-mail address are required")
        key = _new_key()
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.COMMON_NAME, name.strip()),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, email.strip()),
        ])
        cert = self._issue(subject, key.public_key(), days=days,
                           san=[x509.RFC822Name(email.strip())])
        issued = self.dir / "issued"
        issued.mkdir(exist_ok=True)
        _write(issued / f"{cert.serial_number:x}.crt.pem", _cert_pem(cert))
        return PersonSigner(
            key=_to_asn1_key(key), cert=_to_asn1_cert(cert), chain=[self.root_cert],
            name=name.strip(), email=email.strip(),
        )

