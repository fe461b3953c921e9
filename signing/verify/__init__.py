"""Verification of signed PDFs: a per-signature report with French reasons.

Security notes: nothing is fetched from the network (URLs inside a submitted
PDF are attacker-controlled); revocation data must be embedded in the
document (DSS or CMS).  Limits on size and page count are enforced before
any parsing beyond the page count; the analysis is bounded by
:class:`Limits` (revisions, objects, structure depth, time), checked up
front from cheap counts and enforced while analysing
(:class:`VerificationTooComplex`).

Modules: :mod:`.report` (the report), :mod:`.checks` (one signature),
:mod:`.reader` (indexed object streams, deadline), :mod:`.fastparse` (simple
objects read without pyHanko's byte-by-byte parser), :mod:`.diff` (difference
analysis once per revision pair), :mod:`.usages` (usage maps), :mod:`.budget`
(up-front counts), :mod:`.gcpause` (no cyclic collection while verifying).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from io import BytesIO

from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature

from ..errors import DocumentRefused, InvalidDocument, VerificationTooComplex
from .budget import check_counts, check_raw
from .checks import (  # noqa: F401 - re-exported (tests and core import them from here)
    _as_certs,
    _check_doc_ts,
    _check_signature,
    _dss_material,
    _lta_spec,
    _removed_signatures,
)
from .diff import SharedDiffPolicy
from .gcpause import collector_paused
from .reader import AnalysisTooComplex, Limits, VerifyReader
from .report import (  # noqa: F401
    COVERAGE_TEXT,
    MODIFICATION_TEXT,
    SignatureReport,
    SignerIdentity,
    TimestampInfo,
    VerificationReport,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000

TOO_COMPLEX = {
    "revisions": "Le document compte trop de révisions (mises à jour successives) pour être vérifié "
                 "({found} ; maximum accepté : {limit}).",
    "objects": "Le document compte trop d'objets pour être vérifié ({found} ; maximum accepté : {limit}).",
    "depth": "La structure du document est trop profonde pour être vérifiée "
             "(plus de {limit} niveaux imbriqués).",
    "time": "L'analyse du document dépasse la durée maximale accordée à une vérification "
            "({limit:g} s) : il est trop complexe pour être vérifié ici.",
}


def too_complex(exc: AnalysisTooComplex) -> VerificationTooComplex:
    message = TOO_COMPLEX[exc.what].format(found=exc.found, limit=exc.limit)
    return VerificationTooComplex(message, what=exc.what, found=exc.found, limit=exc.limit, detail=str(exc))


def verify(pdf_bytes: bytes, *, trust_roots, max_size: int = DEFAULT_MAX_SIZE,
           max_pages: int = DEFAULT_MAX_PAGES, limits: Limits | None = None,
           diff_policy_factory=SharedDiffPolicy) -> VerificationReport:
    """Verify every signature and document timestamp of ``pdf_bytes``.

    ``trust_roots``: asn1crypto certificates, PEM/DER bytes or file paths.
    Raises :class:`InvalidDocument` (malformed), :class:`DocumentRefused`
    (size, pages) or :class:`VerificationTooComplex` (beyond ``limits``, the
    defaults of :class:`Limits` when omitted); otherwise returns a report whose ``valid`` is true only if the
    document carries at least one signature and every signature and
    timestamp is intact, trusted and not followed by disallowed changes.
    """
    if not isinstance(pdf_bytes, (bytes, bytearray)):
        raise InvalidDocument("Le fichier transmis n'est pas un document PDF.")
    data = bytes(pdf_bytes)
    if len(data) > max_size:
        raise DocumentRefused(
            f"Le document dépasse la taille maximale acceptée ({max_size // (1024 * 1024)} Mo)."
        )
    if b"%PDF-" not in data[:1024]:
        raise InvalidDocument("Le fichier transmis n'est pas un document PDF.")
    with collector_paused():
        return _verify_bytes(data, trust_roots, max_pages, limits or Limits(), diff_policy_factory)


def _verify_bytes(data: bytes, trust_roots, max_pages: int, limits: Limits, diff_policy_factory) -> VerificationReport:
    try:
        check_raw(data, limits)
        reader = VerifyReader(BytesIO(data), limits=limits, deadline=time.monotonic() + limits.seconds)
        pages = int(reader.root["/Pages"]["/Count"])
    except AnalysisTooComplex as exc:
        raise too_complex(exc) from None
    except Exception as exc:
        raise InvalidDocument(
            "Le document PDF est endommagé ou illisible : il ne peut pas être vérifié.",
            detail=repr(exc),
        ) from exc
    if pages > max_pages:
        raise DocumentRefused(
            f"Le document compte trop de pages ({pages} ; maximum accepté : {max_pages})."
        )
    if reader.encrypted:
        raise InvalidDocument("Les documents PDF chiffrés ne peuvent pas être vérifiés.")
    roots = _as_certs(trust_roots)
    report = VerificationReport(
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), page_count=pages
    )
    try:
        check_counts(reader, limits)
        asyncio.run(_verify_async(reader, roots, report, diff_policy_factory(reader)))
    except AnalysisTooComplex as exc:
        logger.info("verification refused: %s", exc)
        raise too_complex(exc) from None
    except (InvalidDocument, DocumentRefused):
        raise
    except Exception as exc:
        raise InvalidDocument(
            "Le document PDF est endommagé ou illisible : il ne peut pas être vérifié.",
            detail=repr(exc),
        ) from exc
    finally:
        reader.release()
    return report


async def _verify_async(reader: VerifyReader, roots, report: VerificationReport, diff_policy) -> None:
    dss = _dss_material(reader)
    sig_fields = list(enumerate_sig_fields(reader, filled_status=True))
    embedded = []
    for name, sig_obj, sig_field in sig_fields:
        try:
            embedded.append(EmbeddedPdfSignature(reader, sig_field, name))
        except Exception:
            logger.info("unreadable signature %s", name, exc_info=True)
            report.signatures.append(SignatureReport(
                field_name=name, kind="signature",
                reasons=[f"La signature « {name} » est illisible ou a été vidée de son contenu."],
            ))
    embedded.sort(key=lambda e: e.signed_revision)

    doc_ts_revisions = []
    for emb in embedded:
        if emb.sig_object.get("/Type") == "/DocTimeStamp":
            rep = await _check_doc_ts(emb, roots, dss, diff_policy)
            report.document_timestamps.append(rep)
            if rep.valid:
                doc_ts_revisions.append(emb.signed_revision)
    for emb in embedded:
        if emb.sig_object.get("/Type") != "/DocTimeStamp":
            report.signatures.append(
                await _check_signature(reader, emb, roots, dss, doc_ts_revisions, diff_policy)
            )

    report.removed_signatures = _removed_signatures(reader)
    if report.removed_signatures:
        report.reasons.append(
            "Une ou plusieurs signatures présentes dans une version antérieure du "
            "document ont été supprimées : " + ", ".join(report.removed_signatures) + "."
        )
    if not report.signatures:
        report.reasons.append("Le document ne comporte aucune signature.")
    for s in report.signatures + report.document_timestamps:
        for r in s.reasons:
            label = "Signature" if s.kind == "signature" else "Horodatage"
            report.reasons.append(f"{label} « {s.field_name} » : {r}")
    report.valid = not report.reasons
