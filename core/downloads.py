"""Sending stored objects to the browser or an API client: streamed, as attachment, never sniffed,
never cached, never rendered (sandboxed), with a safe file name, and checkable.

Every download whose SHA-256 is recorded (issued documents, signed documents,
annexes) carries it twice: ``ETag: "<hex>"`` (a strong validator) and
``Content-Digest: sha-256=:<base64>:`` (RFC 9530). A request whose
``If-None-Match`` names it (or ``*``; weak comparison, RFC 9110 §13.1.2) gets a
``304 Not Modified`` without a body: nothing is read from storage and nothing
is audited (no content leaves: it is not a download).

The headers can never announce other bytes than the ones sent:

- ``verify=WHOLE`` (issued and signed documents: PDFs of bounded size): the
  object is read once into a spool (memory, then a temporary file), its SHA-256
  compared with the recorded one before the first byte leaves; a mismatch is
  logged and answered ``503 document_unavailable``, never with the wrong bytes;
- ``verify=STREAM`` (annexes, up to the upload limit): the bytes are hashed as
  they stream and the last chunk is held back until the end: on a mismatch (or
  a length other than the recorded one) the error is logged and the stream is
  aborted (:class:`DownloadIntegrityError`), so the client sees a broken transfer
  (fewer bytes than ``Content-Length``), never a clean wrong file.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import re
import tempfile
import unicodedata
from typing import Any, Callable
from urllib.parse import quote

from flask import Response, g, request, stream_with_context
from flask_babel import lazy_gettext as _l

from core.errors import UserError

logger = logging.getLogger(__name__)

WHOLE, STREAM = "whole", "stream"
CHUNK_SIZE = 1024 * 1024
SPOOL_MEMORY = 8 * 1024 * 1024  # a verified document beyond this waits in a temporary file
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class DocumentUnavailable(UserError):
    """The stored object cannot be read, or its bytes are not the recorded ones: nothing was sent."""

    status = 503
    code = "document_unavailable"
    default_message = _l("Ce document est momentanément indisponible. Réessayez plus tard.")


class DownloadIntegrityError(Exception):
    """The bytes being streamed are not the recorded ones: the transfer is aborted."""


def content_disposition(filename: str, default: str = "document") -> str:
    """``attachment`` with an ASCII ``filename`` fallback and the exact UTF-8 name in ``filename*`` (RFC 6266/8187)."""
    from storage.safety import safe_filename

    name = safe_filename(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%;' else "_" for ch in fallback).strip()
    return f"attachment; filename=\"{fallback or default}\"; filename*=UTF-8''{quote(name, safe='')}"


# ---------------------------------------------------------------------------
# validators
# ---------------------------------------------------------------------------

def strong_etag(sha256: str) -> str:
    return f'"{sha256}"'


def content_digest(sha256: str) -> str:
    """The ``Content-Digest`` field value (RFC 9530) of the bytes whose SHA-256 (hex) is ``sha256``."""
    return "sha-256=:" + base64.b64encode(bytes.fromhex(sha256)).decode("ascii") + ":"


def _checked(sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    return sha256


def matches_if_none_match(sha256: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``sha256``'s entity tag: ``*``, or any tag of the list
    compared weakly (``W/"x"`` matches ``"x"``). An unreadable header matches nothing."""
    return bool(request.headers.get("If-None-Match")) and request.if_none_match.contains_weak(sha256)


def _protect(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    g.no_store = True
    return response


def not_modified(sha256: str | None) -> Response | None:
    """``304 Not Modified`` (``ETag``, no body, no ``Content-Digest``: there is no content) when the request's
    ``If-None-Match`` names ``sha256``; ``None`` otherwise."""
    if sha256 is None or not matches_if_none_match(sha256):
        return None
    response = Response(status=304)
    response.headers.pop("Content-Type", None)
    response.headers["ETag"] = strong_etag(sha256)
    return _protect(response)


def set_digest_headers(response: Response, sha256: str) -> Response:
    """``ETag`` and ``Content-Digest`` of a complete response body whose SHA-256 is ``sha256``."""
    response.headers["ETag"] = strong_etag(sha256)
    response.headers["Content-Digest"] = content_digest(sha256)
    return response


# ---------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------

class _SpoolReader:
    """Chunks of a spooled copy, then closed."""

    def __init__(self, spool):
        self._spool = spool

    def __iter__(self):
        while True:
            chunk = self._spool.read(CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        self._spool.close()


def _verified_copy(reader, sha256: str, label: str) -> tuple[_SpoolReader, int]:
    """The whole object read into a spool, its SHA-256 checked; DocumentUnavailable (logged) otherwise."""
    from storage import StorageError

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in reader:
            digest.update(chunk)
            spool.write(chunk)
            size += len(chunk)
    except (StorageError, OSError) as exc:
        spool.close()
        logger.error("%s: stored object unreadable: %r", label, exc)
        raise DocumentUnavailable() from None
    finally:
        reader.close()
    if digest.hexdigest() != sha256:
        spool.close()
        logger.error("%s: stored bytes do not match the recorded SHA-256 (recorded %s, read %s, %d bytes): "
                     "not sent", label, sha256, digest.hexdigest(), size)
        raise DocumentUnavailable()
    spool.seek(0)
    return _SpoolReader(spool), size


class _CheckedStream:
    """The reader's chunks, hashed as they pass, the last one held back until the total is checked."""

    def __init__(self, reader, sha256: str, size: int | None, label: str):
        self._reader, self._sha256, self._size, self._label = reader, sha256, size, label

    def _fail(self, what: str) -> None:
        logger.error("%s: %s: download aborted", self._label, what)
        raise DownloadIntegrityError(f"{self._label}: {what}")

    def __iter__(self):
        digest, total, held = hashlib.sha256(), 0, None
        for chunk in self._reader:
            if not chunk:
                continue
            total += len(chunk)
            if self._size is not None and total > self._size:
                self._fail(f"stored object longer than the recorded {self._size} bytes")
            digest.update(chunk)
            if held is not None:
                yield held
            held = chunk
        if self._size is not None and total != self._size:
            self._fail(f"stored object of {total} bytes, {self._size} recorded")
        if digest.hexdigest() != self._sha256:
            self._fail(f"stored bytes do not match the recorded SHA-256 (recorded {self._sha256}, "
                       f"read {digest.hexdigest()})")
        if held is not None:
            yield held

    def close(self) -> None:
        self._reader.close()


def _open(source, label: str):
    from storage import StorageError

    if not callable(source):
        return source
    try:
        return source()
    except (StorageError, OSError) as exc:
        logger.error("%s: stored object cannot be opened: %r", label, exc)
        raise DocumentUnavailable() from None


# ---------------------------------------------------------------------------
# the response
# ---------------------------------------------------------------------------

def attachment_response(source: Any, *, filename: str, media_type: str | None, size: int | None = None,
                        sha256: str | None = None, verify: str = STREAM,
                        before_send: Callable[[], None] | None = None, etag: str | None = None) -> Response:
    """Stream ``source`` as a download; the reader is closed at the end.

    ``source``: a zero-argument callable that opens the stored object (preferred: on a ``304`` nothing is
    opened), or a reader already open (an iterable of byte chunks with ``close()``).
    ``sha256``: the recorded SHA-256 (hex) of the bytes: ``ETag``, ``Content-Digest``, ``If-None-Match``
    and the integrity check (``verify``: :data:`WHOLE` or :data:`STREAM`, see the module).
    ``before_send``: called once the bytes are known good (``WHOLE``) or open (``STREAM``), before the first
    byte leaves and never for a ``304``: the audit event of the download, committed there.
    ``etag``: former name of ``sha256``.
    """
    sha256 = _checked(sha256 or etag)
    label = f"download {filename!r}"
    cached = not_modified(sha256)
    if cached is not None:
        if not callable(source):
            source.close()
        return cached
    reader = _open(source, label)
    try:
        if sha256 is not None and verify == WHOLE:
            reader, size = _verified_copy(reader, sha256, label)
        elif sha256 is not None:
            reader = _CheckedStream(reader, sha256, size, label)
        if before_send is not None:
            before_send()
    except BaseException:
        reader.close()
        raise

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
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if sha256 is not None:
        set_digest_headers(response, sha256)
    return _protect(response)


def stored_response(key: str, *, filename: str, media_type: str | None, size: int | None, sha256: str,
                    verify: str = WHOLE, before_send: Callable[[], None] | None = None) -> Response:
    """:func:`attachment_response` of the object stored under ``key`` in the configured storage."""
    from flask import current_app

    storage = current_app.extensions["livret"].storage
    return attachment_response(lambda: storage.open(key), filename=filename, media_type=media_type, size=size,
                               sha256=sha256, verify=verify, before_send=before_send)


def document_response(document: Any, *, actor_id: int | None) -> Response:
    """An issued :class:`~core.dossiers.models.Document`, verified whole against its recorded SHA-256; the
    download (``document.read``) is audited and committed before the first byte leaves (not a 304).
    Callers check the actor's right to the document first."""
    from core.audit.services import record
    from core.extensions import db

    def audit() -> None:
        record("document.read", "document", document.id, actor_id=actor_id)
        db.session.commit()

    return stored_response(document.storage_key, filename=document.filename, media_type=document.media_type,
                           size=document.size, sha256=document.sha256, verify=WHOLE, before_send=audit)
