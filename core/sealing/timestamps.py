"""Reading the RFC 3161 timestamps of a signed PDF and appending a fresh
document timestamp (long-term upkeep of PAdES B-LTA documents).

Pure functions over bytes and a :class:`signing.SigningConfig`; the Flask
side (which documents, storage, audit) is in :mod:`core.sealing.services`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from signing.http import Timestamper as HTTPTimeStamper
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

from signing import SealingError, SigningConfig
from signing.pades import MSG_TSA, _translate, _validation_context

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimestampState:
    """The latest timestamp found in a document."""

    at: datetime  # genTime, UTC
    tsa_expires_at: datetime  # notAfter of the TSA certificate that signed it
    count: int  # timestamps found (signature and document timestamps)


def _tokens(emb):
    if emb.sig_object.get("/Type") == "/DocTimeStamp":
        yield emb.signed_data
        return
    try:
        yield from extract_tst_data_iter(emb.signer_info, signed=False)
    except Exception:  # no unsigned attributes: no signature timestamp
        return


def timestamp_state(pdf_bytes: bytes) -> TimestampState | None:
    """The latest RFC 3161 timestamp of ``pdf_bytes`` (``None`` when there is none)."""
    reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
    latest: tuple[datetime, datetime] | None = None
    count = 0
    for emb in reader.embedded_signatures:
        for signed_data in _tokens(emb):
            tst_info = signed_data["encap_content_info"]["content"].parsed
            gen_time = tst_info["gen_time"].native.astimezone(timezone.utc)
            cert = extract_certificate_info(signed_data).signer_cert
            not_after = cert["tbs_certificate"]["validity"]["not_after"].native.astimezone(timezone.utc)
            count += 1
            if latest is None or gen_time > latest[0]:
                latest = (gen_time, not_after)
    if latest is None:
        return None
    return TimestampState(at=latest[0], tsa_expires_at=latest[1], count=count)


def add_document_timestamp(pdf_bytes: bytes, config: SigningConfig) -> bytes:
    """Append the validation data of the last timestamp (DSS) and a new
    document timestamp from the configured TSA (PAdES B-LTA renewal).

    Fails closed with :class:`signing.SealingError` (French message) when the
    TSA or the revocation data cannot be had, or when the result does not
    carry a new document timestamp.
    """
    url = config.effective_tsa_url()
    if not url:
        raise SealingError(MSG_TSA, detail="no TSA configured")
    before = timestamp_state(pdf_bytes)
    stamper = PdfTimeStamper(HTTPTimeStamper(url, timeout=config.tsa_timeout))
    vc, _kept = _validation_context(config, None, cached=False)
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        out = stamper.update_archival_timestamp_chain(reader, vc, in_place=False)
    except SealingError:
        raise
    except Exception as exc:
        err = _translate(exc)
        logger.warning("timestamp renewal failed: %s", err.detail)
        raise err from exc
    result = out.getvalue()
    after = timestamp_state(result)
    if after is None or after.count <= (before.count if before else 0):
        raise SealingError("Le nouvel horodatage n'a pas pu être ajouté au document.",
                           detail="no new document timestamp in the output")
    return result
