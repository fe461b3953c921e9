"""Sending stored objects to the browser safely: streamed, as attachment, never sniffed or cached."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, stream_with_context

from storage.safety import safe_filename

CHUNK = 256 * 1024


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name."""
    name = safe_filename(filename)
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def send_object(reader, *, filename: str, media_type: str, size: int | None = None) -> Response:
    def chunks():
        try:
            while True:
                block = reader.read(CHUNK)
                if not block:
                    break
                yield block
        finally:
            reader.close()

    response = Response(stream_with_context(chunks()), mimetype=media_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    if size is not None:
        response.headers["Content-Length"] = str(size)
    return response
