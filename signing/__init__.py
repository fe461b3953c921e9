"""Livret signing layer: PAdES seals and signatures, development PKI, local
RFC 3161 TSA, verification.  Pure library (no Flask); see docs/signing.md."""

from .config import DEFAULT_LEVEL, LEVELS, Pkcs11Config, SigningConfig
from .credentials import Credential, PersonSigner
from .errors import (
    ConfigurationError,
    DocumentRefused,
    InvalidDocument,
    SealingError,
    SigningLayerError,
    VerificationTooComplex,
)
from .pades import Placement, seal, sign
from .verify import Limits, SignatureReport, VerificationReport, verify
from .log_redaction import install as _redact_pyhanko_logs

_redact_pyhanko_logs()  # pyHanko's log lines name certificate holders: redacted (signing/log_redaction.py)


def issue_person_certificate(config: SigningConfig, name: str, email: str, days: int = 30) -> PersonSigner:
    """Issue a personal signing certificate from the development PKI."""
    return config.dev().issue_person_certificate(name, email, days=days)


__all__ = [
    "DEFAULT_LEVEL", "LEVELS", "ConfigurationError", "Credential", "DocumentRefused",
    "InvalidDocument", "Limits", "PersonSigner", "Pkcs11Config", "Placement", "SealingError",
    "SignatureReport", "SigningConfig", "SigningLayerError", "VerificationReport",
    "VerificationTooComplex", "issue_person_certificate", "seal", "sign", "verify",
]
