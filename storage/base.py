"""The storage interface shared by every backend, object keys and streaming helpers.

Object keys are built only from server-side identifiers (:func:`make_key`,
:func:`new_key`): a user's file name never reaches a key. A key is one or more
segments of ``[a-z0-9_-]`` joined by ``/`` — no dot at all, so no ``..``, no
hidden file, no extension, no leading ``/``.

Every ``put`` streams: the data are read in chunks of :data:`CHUNK_SIZE` and the
SHA-256 and size are computed on the fly by :class:`HashingReader`; no backend
ever holds a whole file in memory.
"""
from __future__ import annotations

import abc
import hashlib
import io
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterable, Iterator, Union

CHUNK_SIZE = 1024 * 1024
#: Name prefix of uploads staged on local disk by :mod:`storage.safety` (purged by :mod:`storage.sweep`).
STAGING_PREFIX = "livret-upload-"
MAX_KEY_LENGTH = 512
_SEGMENT_RE = re.compile(r"^[a-z0-9_-]+$")
_KEY_RE = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

Source = Union[BinaryIO, io.RawIOBase, io.BufferedIOBase, Iterable[bytes], bytes]


class StorageError(Exception):
    """A backend operation failed (I/O error, server error, integrity error)."""


class InvalidKey(StorageError, ValueError):
    """A key is not made of ``[a-z0-9_-]`` segments joined by ``/``."""


class ObjectNotFound(StorageError, KeyError):
    """No object is stored under this key."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep it readable
        return f"no object stored under {self.args[0]!r}" if self.args else "object not found"


class IntegrityError(StorageError):
    """The data written do not match the length or SHA-256 the caller announced."""


class SizeLimitExceeded(StorageError):
    """The stream is longer than the limit given to :class:`HashingReader`."""

    def __init__(self, limit: int):
        super().__init__(f"stream longer than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredObject:
    """What ``put`` wrote: the key, the exact size and the SHA-256 (hex) of the bytes."""

    key: str
    size: int
    sha256: str
    content_type: str | None = None


@dataclass(frozen=True)
class ObjectStat:
    """What a backend knows of a stored object. ``sha256`` is ``None`` only for an
    object written outside this package (the backend then has no recorded hash)."""

    key: str
    size: int
    sha256: str | None
    content_type: str | None
    modified: datetime  # timezone-aware, UTC


@dataclass(frozen=True)
class ObjectEntry:
    """One listed object (for the orphan sweep): key, size, last modification (UTC)."""

    key: str
    size: int
    modified: datetime


@dataclass(frozen=True)
class SealedObject:
    """Result of ``put_sealed``: ``locked`` is true only when the backend confirmed a
    retention on the stored version (read back after the write); else ``reason`` says why."""

    stored: StoredObject
    bucket: str | None
    locked: bool
    mode: str | None = None
    retain_until: datetime | None = None
    version_id: str | None = None
    reason: str | None = None


def validate_key(key: str) -> str:
    """Return ``key`` if it is a valid object key, else raise :class:`InvalidKey`."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or not _KEY_RE.match(key):
        raise InvalidKey(f"invalid object key {key!r}: expected [a-z0-9_-] segments joined by '/'")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a valid key optionally followed by ``/``."""
    if prefix == "":
        return prefix
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def _segment(part: object) -> str:
    if isinstance(part, bool):
        raise InvalidKey(f"invalid key segment {part!r}")
    if isinstance(part, int):
        if part < 0:
            raise InvalidKey(f"invalid key segment {part!r}")
        return str(part)
    if isinstance(part, uuid.UUID):
        return str(part)
    if isinstance(part, str) and _SEGMENT_RE.match(part):
        return part
    raise InvalidKey(f"invalid key segment {part!r}: only server-side ids ([a-z0-9_-], ints, UUIDs)")


def make_key(*server_ids: object) -> str:
    """Join server-side ids into a key: ``make_key("annexes", 42, uuid4())``.

    Accepts non-negative ints, :class:`uuid.UUID` and strings already in
    ``[a-z0-9_-]``; anything else (a user file name, a path) raises :class:`InvalidKey`.
    """
    if not server_ids:
        raise InvalidKey("a key needs at least one segment")
    return validate_key("/".join(_segment(p) for p in server_ids))


def new_key(*server_ids: object) -> str:
    """A fresh, unique key under ``server_ids``: ``annexes/<dossier_id>/<uuid4 hex>``."""
    return make_key(*server_ids, uuid.uuid4().hex)


def validate_sha256(value: str) -> str:
    if not isinstance(value, str) or not _SHA256_RE.match(value):
        raise ValueError(f"not a lowercase hex SHA-256: {value!r}")
    return value


class HashingReader(io.RawIOBase):
    """A read-only stream over ``source`` that counts bytes and computes SHA-256 as it goes.

    ``source`` is a binary file-like object (anything with ``read``), an iterable of
    ``bytes`` chunks (a generator), or ``bytes``. ``limit``: reading past that many
    bytes raises :class:`SizeLimitExceeded` at once (before the excess is handed on).
    ``expected_length``: at end of stream a different total raises :class:`IntegrityError`.
    Memory held is one chunk of the source at most.
    """

    def __init__(self, source: Source, *, limit: int | None = None, expected_length: int | None = None):
        super().__init__()
        if isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(bytes(source))
        self._read = getattr(source, "read", None)
        self._iter: Iterator[bytes] | None = None if self._read else iter(source)  # type: ignore[arg-type]
        self._pending = b""
        self._hash = hashlib.sha256()
        self.size = 0
        self.limit = limit
        self.expected_length = expected_length
        self.eof = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self, n: int) -> bytes:
        if self._pending:
            chunk, self._pending = self._pending[:n], self._pending[n:]
            return chunk
        if self._read is not None:
            return self._read(n) or b""
        assert self._iter is not None
        for chunk in self._iter:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(f"stream chunks must be bytes, not {type(chunk).__name__}")
            if chunk:
                chunk = bytes(chunk)
                if len(chunk) > n:
                    chunk, self._pending = chunk[:n], chunk[n:]
                return chunk
        return b""

    def read(self, n: int = -1) -> bytes:
        if self.eof:
            return b""
        if n is None or n < 0:
            # Never slurp: an unbounded read returns one chunk at a time.
            n = CHUNK_SIZE
        if n == 0:
            return b""
        chunk = self._next_chunk(n)
        if not chunk:
            self.eof = True
            if self.expected_length is not None and self.size != self.expected_length:
                raise IntegrityError(f"stream ended after {self.size} bytes, {self.expected_length} announced")
            return b""
        if self.limit is not None and self.size + len(chunk) > self.limit:
            raise SizeLimitExceeded(self.limit)
        if self.expected_length is not None and self.size + len(chunk) > self.expected_length:
            raise IntegrityError(f"stream longer than the {self.expected_length} bytes announced")
        self.size += len(chunk)
        self._hash.update(chunk)
        return chunk

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def chunks(self, size: int = CHUNK_SIZE) -> Iterator[bytes]:
        while True:
            chunk = self.read(size)
            if not chunk:
                return
            yield chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class ObjectReader(io.RawIOBase):
    """What ``Storage.open`` returns: a readable binary stream, iterable in chunks
    (``for chunk in reader``), a context manager that releases the backend's resources."""

    def __init__(self, raw, *, size: int, release=None):
        super().__init__()
        self._raw = raw
        self._release = release
        self.size = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            return self._raw.read()
        return self._raw.read(n)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def __iter__(self) -> Iterator[bytes]:  # type: ignore[override]
        while True:
            chunk = self._raw.read(CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
                if self._release:
                    self._release()
            finally:
                super().close()


class Upload(abc.ABC):
    """An object being written chunk by chunk (``Storage.begin_upload``); not an object until completed.

    ``write(chunk)`` as the bytes arrive (memory stays bounded: a backend may block
    until earlier data are sent); ``complete(sha256)`` checks the hash and size of
    what was written against the caller's and makes the object appear (atomically);
    ``abort()`` discards everything (idempotent; nothing was ever stored). Use as a
    context manager: leaving the block without ``complete`` aborts.
    """

    key: str
    content_type: str

    @abc.abstractmethod
    def write(self, chunk: bytes) -> None:
        """Append ``chunk``."""

    @abc.abstractmethod
    def complete(self, sha256: str | None = None, *, length: int | None = None) -> StoredObject:
        """Finish: the object exists afterwards. A different ``sha256``/``length`` raises
        :class:`IntegrityError` and nothing is stored."""

    @abc.abstractmethod
    def abort(self) -> None:
        """Discard the upload; no object is created. Idempotent, never raises."""

    def __enter__(self) -> "Upload":
        return self

    def __exit__(self, *exc) -> None:
        if not getattr(self, "completed", False):
            self.abort()


class SpooledUpload(Upload):
    """Generic :class:`Upload`: spools to a temporary file, ``put`` on ``complete``."""

    def __init__(self, storage: "Storage", key: str, content_type: str):
        import tempfile

        validate_key(key)
        self.storage, self.key, self.content_type = storage, key, content_type
        self._file = tempfile.TemporaryFile()
        self.completed = self.aborted = False

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def complete(self, sha256: str | None = None, *, length: int | None = None) -> StoredObject:
        if self.aborted or self.completed:
            raise StorageError(f"upload of {self.key!r} already finished")
        try:
            self._file.seek(0)
            stored = self.storage.put(self.key, self._file, length=length, content_type=self.content_type,
                                      sha256=sha256)
        finally:
            self._file.close()
        self.completed = True
        return stored

    def abort(self) -> None:
        self.aborted = True
        self._file.close()


class Storage(abc.ABC):
    """A store of immutable objects addressed by server-built keys."""

    #: Short backend name for settings and logs ("filesystem", "s3").
    name: str = "abstract"

    @abc.abstractmethod
    def put(
        self,
        key: str,
        stream: Source,
        *,
        length: int | None = None,
        content_type: str,
        sha256: str | None = None,
        max_size: int | None = None,
    ) -> StoredObject:
        """Stream ``stream`` to ``key`` and return its size and SHA-256.

        ``length``: announced size (checked; a mismatch raises :class:`IntegrityError`
        and stores nothing). ``sha256``: announced hash (checked likewise; lets a
        backend record the hash in the same request). ``max_size``: reading more
        raises :class:`SizeLimitExceeded`, nothing stored. An existing object under
        ``key`` is replaced atomically: readers see the old or the new content.
        """

    def begin_upload(self, key: str, *, content_type: str, caller_hashes: bool = False) -> Upload:
        """Start writing ``key`` chunk by chunk (see :class:`Upload`): the bytes can go to
        the backend while they are still arriving, and the object only appears on
        ``complete`` — ``abort`` leaves nothing. ``caller_hashes``: the caller hashes the
        very chunks it writes and announces the SHA-256 to ``complete``, so a backend may
        skip its own hash of the same bytes. This default spools to a temporary file."""
        return SpooledUpload(self, key, content_type)

    @abc.abstractmethod
    def open(self, key: str) -> ObjectReader:
        """A readable stream over the object (raises :class:`ObjectNotFound`). Close it."""

    @abc.abstractmethod
    def stat(self, key: str) -> ObjectStat:
        """Size, SHA-256, content type, modification time (raises :class:`ObjectNotFound`)."""

    @abc.abstractmethod
    def delete(self, key: str) -> bool:
        """Remove the object; return whether one existed. Idempotent."""

    @abc.abstractmethod
    def iter_objects(self, prefix: str = "") -> Iterator[ObjectEntry]:
        """Every stored object whose key starts with ``prefix`` (used by the orphan sweep)."""

    def put_sealed(
        self,
        key: str,
        stream: Source,
        *,
        content_type: str,
        retain_until: datetime,
        mode: str = "COMPLIANCE",
        length: int | None = None,
        sha256: str | None = None,
        require_lock: bool = False,
    ) -> SealedObject:
        """Store a sealed document under a retention where the backend can enforce one.

        This default (backends without object lock) stores it normally and reports
        ``locked=False`` — or raises :class:`StorageError` when ``require_lock``.
        """
        reason = f"the {self.name} backend has no object lock"
        if require_lock:
            raise StorageError(f"sealed storage unavailable: {reason}")
        stored = self.put(key, stream, length=length, content_type=content_type, sha256=sha256)
        return SealedObject(stored=stored, bucket=None, locked=False, reason=reason)

    def seal_object(self, key: str, *, retain_until: datetime, mode: str = "COMPLIANCE") -> SealedObject:
        """Make an object already stored immutable: from now on it is never replaced nor deleted through
        this interface, and the backend enforces a retention until ``retain_until`` where it can (S3 object
        lock). Called once the object is recorded (issued documents), so that a failed issuance leaves
        nothing locked behind. This default (no object lock) reports ``locked=False``."""
        stat = self.stat(key)
        return SealedObject(stored=StoredObject(key=key, size=stat.size, sha256=stat.sha256 or "",
                                                content_type=stat.content_type or ""),
                            bucket=None, locked=False, reason=f"the {self.name} backend has no object lock")

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        for entry in self.iter_objects(prefix):
            yield entry.key

    def purge_stale_temporaries(self, older_than_seconds: float) -> list[str]:
        """Remove leftovers of interrupted writes older than the grace period (backend-specific)."""
        return []

    def free_bytes(self) -> int | None:
        """Room left for new objects when the backend can tell (a filesystem); ``None`` when it cannot (an S3
        server refuses a write when full or over quota: :meth:`probe_write` finds out)."""
        return None

    def probe_write(self) -> None:
        """Write then remove a tiny object (readiness): raises :class:`StorageError` when writes are refused
        (disk or bucket full, quota reached, read-only credentials)."""
        key = f"readiness/probe-{os.getpid()}"
        self.put(key, b"probe", length=5, content_type="text/plain")
        self.delete(key)

    def check(self) -> None:
        """Raise :class:`StorageError` when the backend cannot be used (health check)."""
