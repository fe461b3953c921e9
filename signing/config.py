"""Configuration of the signing layer (pure data, no Flask).

The Flask app builds a :class:`SigningConfig` from its settings and hands it
to :func:`signing.seal`, :func:`signing.sign` and :func:`signing.verify`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .person_ca import PersonCAConfig

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
DEFAULT_LEVEL = "B-LTA"

# Fixed default port of the embedded development TSA/CRL server.  The URL of
# the CRL is written into every development certificate, so it must stay
# stable across restarts (see docs/signing.md).
DEFAULT_DEV_BASE_URL = "http://127.0.0.1:8939"


@dataclass
class Pkcs11Config:
    """A seal key held on a PKCS#11 token (HSM, smart card, SoftHSM)."""

    module_path: str
    token_label: str
    key_label: str
    cert_label: str | None = None  # defaults to key_label
    pin: str | None = None
    slot_no: int | None = None


@dataclass
class SigningConfig:
    """Everything the signing layer needs.

    Key source for the organisation's seal, in order of precedence:

    1. ``pkcs11`` (a :class:`Pkcs11Config`): loaded lazily through
       ``pyhanko.sign.pkcs11`` (needs the ``python-pkcs11`` package);
    2. ``seal_pkcs12`` (+ ``seal_pkcs12_password``);
    3. ``seal_cert`` + ``seal_key`` PEM files (+ ``seal_key_password``,
       + ``seal_chain`` PEM files);
    4. otherwise, when ``dev_pki`` is true, the development PKI generated in
       ``pki_dir`` (see :mod:`signing.devpki`).
    """

    pki_dir: Path | str | None = None
    organisation: str = "Livret"
    location: str = "France"

    # -- seal key material -------------------------------------------------
    seal_pkcs12: Path | str | None = None
    seal_pkcs12_password: str | None = None
    seal_cert: Path | str | None = None
    seal_key: Path | str | None = None
    seal_key_password: str | None = None
    seal_chain: list[Path | str] = field(default_factory=list)
    pkcs11: Pkcs11Config | None = None

    # -- the CA of the personal signatures in production (signing.person_ca) --
    person_ca: "PersonCAConfig | None" = None

    # -- time stamping and trust -------------------------------------------
    tsa_url: str | None = None
    tsa_timeout: float = 10.0
    trust_roots: list[Path | str] = field(default_factory=list)
    revocation_fetch_timeout: float = 10.0
    # revocation data (CRLs, OCSP responses) fetched for a B-LT/B-LTA seal is reused by the next seals for
    # this many seconds (0: fetch for every seal); see signing.pades._REVINFO
    revocation_cache_seconds: float = 300.0

    # -- defaults ----------------------------------------------------------
    default_level: str = DEFAULT_LEVEL

    # -- embedded development PKI ------------------------------------------
    dev_pki: bool = True
    dev_base_url: str = DEFAULT_DEV_BASE_URL

    # -- verification limits -----------------------------------------------
    max_verify_size: int = 50 * 1024 * 1024
    max_verify_pages: int = 2000

    def __post_init__(self):
        if self.default_level not in LEVELS:
            raise ValueError(f"unknown PAdES level {self.default_level!r}")
        if self.pki_dir is not None:
            self.pki_dir = Path(self.pki_dir)
        self.dev_base_url = self.dev_base_url.rstrip("/")

    # ------------------------------------------------------------------
    @property
    def uses_dev_pki(self) -> bool:
        """True when the seal comes from the generated development PKI."""
        return (
            self.dev_pki
            and self.pkcs11 is None
            and self.seal_pkcs12 is None
            and self.seal_cert is None
        )

    def dev(self):
        """The development PKI (created on first use)."""
        from .devpki import DevPKI

        if self.pki_dir is None:
            raise ValueError("pki_dir is required for the development PKI")
        return DevPKI.ensure(
            self.pki_dir, organisation=self.organisation,
            base_url=self.dev_base_url,
        )

    def effective_tsa_url(self) -> str | None:
        if self.tsa_url:
            return self.tsa_url
        if self.dev_pki and self.pki_dir is not None:
            return f"{self.dev_base_url}/tsa"
        return None

    def trust_root_certs(self):
        """Trust anchors as ``asn1crypto`` certificates."""
        from .credentials import load_certs_from_files

        certs = load_certs_from_files(self.trust_roots)
        if not certs and self.dev_pki and self.pki_dir is not None:
            certs = [self.dev().root_cert]
        return certs

    def load_seal_signer(self):
        """The organisation's seal as a pyHanko ``Signer``; a key from files (or the development PKI) is
        loaded once per configuration and reused by every seal (a token's session is opened each time)."""
        from .credentials import load_seal_signer

        if self.pkcs11 is not None:
            return load_seal_signer(self)
        cached = self.__dict__.get("_seal_signer")
        if cached is None:
            cached = self.__dict__["_seal_signer"] = load_seal_signer(self)
        return cached

    def person_authority(self):
        """The :class:`signing.person_ca.PersonCA` of ``person_ca`` (loaded once), or ``None`` when none is
        configured."""
        if self.person_ca is None or not self.person_ca.configured:
            return None
        cached = self.__dict__.get("_person_authority")
        if cached is None:
            from .person_ca import PersonCA

            cached = self.__dict__["_person_authority"] = PersonCA.from_config(self.person_ca, self.pkcs11)
        return cached

    def replace(self, **changes) -> "SigningConfig":
        """A copy with ``changes``; one that changes only network settings keeps the loaded keys."""
        copy = dataclasses.replace(self, **changes)
        if set(changes) <= {"tsa_url", "tsa_timeout", "revocation_fetch_timeout"}:
            for cached in ("_seal_signer", "_person_authority"):
                if cached in self.__dict__:
                    copy.__dict__[cached] = self.__dict__[cached]
        return copy
