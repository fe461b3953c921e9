"""Verification of an uploaded PDF: :func:`signing.verify` (offline: nothing
named in the file is fetched) plus the look-up of the document's hash among
every hash the platform issued."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from core.errors import UserError, ValidationFailed
from core.extensions import db
from core.operations.metrics import counted_verification
from core.sealing.reports import stored_report, trust_fingerprint
from core.sealing.services import issued_hashes, signing_config
from signing import DocumentRefused, InvalidDocument, Limits, VerificationReport, VerificationTooComplex, verify
from signing.pades import LEVEL_LABELS

logger = logging.getLogger(__name__)


class DocumentTooLarge(UserError):
    status = 413
    code = "too_large"


class TooComplexToVerify(UserError):
    """The document's analysis would exceed the verification budget (VERIFY_MAX_*, VERIFY_TIME_BUDGET_SECONDS)."""

    status = 422
    code = "verification_too_complex"


def _too_complex_message(exc: VerificationTooComplex) -> str:
    limit = f"{exc.limit:g}" if isinstance(exc.limit, float) else exc.limit
    if exc.what == "revisions":
        return _("Ce document compte trop de révisions (mises à jour successives) pour être vérifié ici : "
                 "%(found)s, pour %(limit)s au plus.", found=exc.found, limit=limit)
    if exc.what == "objects":
        return _("Ce document compte trop d'objets pour être vérifié ici : %(found)s, pour %(limit)s au plus.",
                 found=exc.found, limit=limit)
    if exc.what == "depth":
        return _("La structure de ce document est trop profonde pour être vérifiée ici "
                 "(plus de %(limit)s niveaux imbriqués).", limit=limit)
    return _("L'analyse de ce document dépasse la durée accordée à une vérification (%(limit)s s) : "
             "il est trop complexe pour être vérifié ici.", limit=limit)


def limits() -> Limits:
    """The verification budget of the settings."""
    config = current_app.config
    return Limits(max_revisions=int(config["VERIFY_MAX_REVISIONS"]), max_objects=int(config["VERIFY_MAX_OBJECTS"]),
                  max_depth=int(config["VERIFY_MAX_STRUCTURE_DEPTH"]),
                  seconds=float(config["VERIFY_TIME_BUDGET_SECONDS"]))


@dataclass
class PlatformMatch:
    issued: bool
    issued_at: datetime | None = None
    current: bool | None = None  # these bytes are the latest version (timestamps renewed since otherwise)
    from_issuance: bool = False  # the report is the one computed when the platform issued these bytes
    report_checked_at: datetime | None = None  # when that report was computed

    @property
    def statement(self) -> str | None:
        """« Ce document a été émis par la plateforme le … », said before anything else."""
        if not self.issued or self.issued_at is None:
            return None
        from core.templating import local_date

        return _("Ce document a été émis par la plateforme le %(date)s.", date=local_date(self.issued_at))


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


@counted_verification
def verify_document(data: bytes) -> VerificationResult:
    """The report of ``data``: the one computed at issuance when these bytes are a document the
    platform issued (same SHA-256, same trust roots), else a full verification within the budget.

    Raises :class:`ValidationFailed` (422, code ``invalid_document`` or ``document_refused``) for a
    file that is not a readable PDF or exceeds the page limit, :class:`TooComplexToVerify` (422,
    code ``verification_too_complex``) for one whose analysis would exceed the budget."""
    if not data:
        raise ValidationFailed(_("Le fichier est vide."), code="invalid_document")
    if b"%PDF-" not in data[:1024]:  # before any look-up: not a PDF at all
        raise ValidationFailed(_("Le fichier transmis n'est pas un document PDF."), code="invalid_document")
    cfg = signing_config()
    rows = issued_hashes(hashlib.sha256(data).hexdigest())
    platform = PlatformMatch(issued=bool(rows))
    if rows:
        platform.issued_at = rows[0].created_at
        platform.current = all(r.superseded_at is None for r in rows)
    report = _issuance_report(rows, data, cfg)
    if report is not None:
        platform.from_issuance = True
        platform.report_checked_at = _checked_at(rows)
        return VerificationResult(report=report, platform=platform)
    try:
        report = verify(data, trust_roots=cfg.trust_root_certs(), max_size=cfg.max_verify_size,
                        max_pages=cfg.max_verify_pages, limits=limits())
    except VerificationTooComplex as exc:
        logger.info("verification refused: %s (%s)", exc.what, exc.detail)
        raise TooComplexToVerify(_too_complex_message(exc),
                                 details={"limit": exc.what, "found": exc.found, "maximum": exc.limit}) from None
    except DocumentRefused as exc:
        raise ValidationFailed(str(exc), code="document_refused") from None
    except InvalidDocument as exc:
        raise ValidationFailed(str(exc), code="invalid_document") from None
    _keep(rows, report)
    return VerificationResult(report=report, platform=platform)


def _usable(row, data: bytes, fingerprint: str) -> dict | None:
    stored = getattr(row, "verification_report", None)
    if not isinstance(stored, dict) or stored.get("trust") != fingerprint:
        return None
    if stored.get("sha256") != row.sha256 or stored.get("size") != len(data):
        return None
    return stored


def _issuance_report(rows, data: bytes, cfg) -> VerificationReport | None:
    if not rows:
        return None
    fingerprint = trust_fingerprint(cfg.trust_root_certs())
    for row in rows:
        stored = _usable(row, data, fingerprint)
        if stored is None:
            continue
        try:
            return VerificationReport.from_dict(stored)
        except (KeyError, TypeError, ValueError):
            logger.warning("stored verification report of document hash %s unreadable", row.id)
    return None


def _checked_at(rows) -> datetime | None:
    for row in rows:
        value = (getattr(row, "verification_report", None) or {}).get("checked_at")
        if value:
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return None
    return None


def _keep(rows, report: VerificationReport) -> None:
    """Documents issued before reports were kept: keep the one just computed for the next visitor."""
    stored_rows = [r for r in rows if getattr(r, "id", None) is not None and r.verification_report is None]
    if not stored_rows:
        return
    try:
        value = stored_report(report)
        for row in stored_rows:
            row.verification_report = value
        db.session.commit()
    except Exception:  # noqa: BLE001 - an optimisation: the answer does not depend on it
        db.session.rollback()
        logger.warning("could not keep the verification report of an issued document", exc_info=True)
