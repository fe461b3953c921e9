"""Verification of an uploaded PDF: :func:`signing.verify` (offline: nothing
named in the file is fetched) plus the look-up of the document's hash among
every hash the platform issued."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from core.errors import UserError, ValidationFailed
from core.sealing.services import issued_hashes, signing_config
from signing import DocumentRefused, InvalidDocument, VerificationReport, verify
from signing.pades import LEVEL_LABELS


class DocumentTooLarge(UserError):
    status = 413
    code = "too_large"


@dataclass
class PlatformMatch:
    issued: bool
    issued_at: datetime | None = None
    current: bool | None = None  # these bytes are the latest version (timestamps renewed since otherwise)


@dataclass
class VerificationResult:
    report: VerificationReport
    platform: PlatformMatch

    @property
    def valid(self) -> bool:
        return self.report.valid

    @property
    def verdict(self) -> str:
        return _("Document valide") if self.report.valid else _("Document non valide")

    # flattened for the API schema
    def __getattr__(self, name):
        if name.startswith("_") or name in ("report", "platform"):
            raise AttributeError(name)
        return getattr(self.report, name)


def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level or "", _("aucun niveau PAdES atteint"))


def read_limited(stream: IO[bytes]) -> bytes:
    """Read an uploaded file, refusing it (413) beyond VERIFY_MAX_SIZE."""
    limit = current_app.config["VERIFY_MAX_SIZE"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentTooLarge(_("Le document dépasse la taille maximale acceptée (%(mb)s Mo).",
                                 mb=f"{limit / (1024 * 1024):.0f}"))
    return data


def verify_document(data: bytes) -> VerificationResult:
    """Raises :class:`ValidationFailed` (422, code ``invalid_document``) for a
    file that is not a readable PDF or exceeds the page limit."""
    if not data:
        raise ValidationFailed(_("Le fichier est vide."), code="invalid_document")
    cfg = signing_config()
    try:
        report = verify(data, trust_roots=cfg.trust_root_certs(), max_size=cfg.max_verify_size,
                        max_pages=cfg.max_verify_pages)
    except DocumentRefused as exc:
        raise ValidationFailed(str(exc), code="document_refused") from None
    except InvalidDocument as exc:
        raise ValidationFailed(str(exc), code="invalid_document") from None
    rows = issued_hashes(report.sha256)
    platform = PlatformMatch(issued=bool(rows))
    if rows:
        platform.issued_at = rows[0].created_at
        platform.current = all(r.superseded_at is None for r in rows)
    return VerificationResult(report=report, platform=platform)
