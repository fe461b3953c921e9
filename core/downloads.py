"""Sending stored objects to the browser or an API client: streamed, as attachment, never sniffed,
never cached, never rendered (sandboxed), with a safe file name."""
from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response, g, stream_with_context


def content_disposition(filename: str, default: str = "document") -> str:
    """``attachment`` with an ASCII ``filename`` fallback and the exact UTF-8 name in ``filename*`` (RFC 6266/8187)."""
    from storage.safety import safe_filename

    name = safe_filename(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%;' else "_" for ch in fallback).strip()
    return f"attachment; filename=\"{fallback or default}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(reader, *, filename: str, media_type: str | None, size: int | None = None,
                        etag: str | None = None) -> Response:
    """Stream ``reader`` (an iterable of byte chunks with ``close()``) as a download; the reader is closed at the end."""
    def body():
        try:
            yield from reader
        finally:
            reader.close()

    response = Response(stream_with_context(body()), mimetype=media_type or "application/octet-stream",
                        direct_passthrough=True)
    if size is not None:
        response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if etag:
        response.headers["ETag"] = f'"{etag}"'
    g.no_store = True
    return response
