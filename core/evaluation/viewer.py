"""Sending an annex or the Livret 2 to the juror's browser to be read in place.

PDFs and images are sent ``inline`` (framable by the platform's own pages
only); anything else, or when the juror asks for it, as an attachment. Every
response keeps ``nosniff`` and ``no-store`` (see :mod:`core.downloads`).

Content-Security-Policy: images get ``sandbox`` (no script, no form, unique
origin). PDFs do not: Chrome and Firefox refuse to start their PDF viewer in
a sandboxed document (it shows "blocked" instead of the PDF), so a PDF gets a
policy that only limits who may frame it; the declared type (checked at upload
by sniffing, never guessed by the browser thanks to ``nosniff``) keeps the
bytes from ever being rendered as a page of the platform.
"""
from __future__ import annotations

from flask import Response

from core.downloads import STREAM, attachment_response, content_disposition

INLINE_IMAGES = ("image/png", "image/jpeg")
INLINE_PDF = "application/pdf"
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
PDF_POLICY = "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"


def viewable(media_type: str | None) -> bool:
    return media_type == INLINE_PDF or media_type in INLINE_IMAGES


def file_response(source, *, filename: str, media_type: str | None, size: int | None, sha256: str | None,
                  download: bool = False, verify: str = STREAM, before_send=None) -> Response:
    """``source`` (see :func:`core.downloads.attachment_response`: checked against ``sha256``, a 304 when
    ``If-None-Match`` names it) streamed inline when the browser can show it safely, as an attachment
    otherwise."""
    response = attachment_response(source, filename=filename, media_type=media_type, size=size, sha256=sha256,
                                   verify=verify, before_send=before_send)
    if download or not viewable(media_type) or response.status_code != 200:
        return response
    response.headers["Content-Disposition"] = "inline" + content_disposition(filename)[len("attachment"):]
    response.headers["Content-Security-Policy"] = PDF_POLICY if media_type == INLINE_PDF else IMAGE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
