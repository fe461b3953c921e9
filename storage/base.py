"""The storage interface shared by every backend, object keys and streaming helpers.

Object keys are built only from server-side identifiers (:func:`make_key`,
:func:`new_key`): a user's file name never reaches a key. A key is one or more
segments of ``[a-z0-9_-]`` joined by ``/`` — no dot at all, so no ``..``, no
hidden file, no extension, no leading ``/``.

Every ``put`` streams: the data are read in chunks of :data:`CHUNK_SIZE` and the
SHA-256 and size are computed on the fly by :class:`HashingReader`; no backend
ever holds a whole file in memory.

The work is split by responsibility, every name re-exported here: :mod:`storage.objects` (errors and
records), :mod:`storage.keys` (keys, SHA-256 check), :mod:`storage.streams` (:class:`HashingReader`,
:class:`ObjectReader`) and :mod:`storage.uploads` (:class:`Upload`); the :class:`Storage` interface is here.
"""
from __future__ import annotations

import abc
import os
from datetime import datetime
from typing import Iterator

from .keys import (
    _KEY_RE, _SEGMENT_RE, _SHA256_RE, MAX_KEY_LENGTH, _segment, make_key, new_key, validate_key, validate_prefix,
    validate_sha256)
from .objects import (
    IntegrityError, InvalidKey, ObjectEntry, ObjectNotFound, ObjectStat, SealedObject, SizeLimitExceeded,
    StorageError, StoredObject)
from .streams import CHUNK_SIZE, HashingReader, ObjectReader, Source
from .uploads import SpooledUpload, Upload

#: Name prefix of uploads staged on local disk by :mod:`storage.safety` (purged by :mod:`storage.sweep`).
STAGING_PREFIX = "livret-upload-"

# Every name of the module before its split, kept importable from here.
__all__ = [
    "CHUNK_SIZE", "STAGING_PREFIX", "MAX_KEY_LENGTH", "_SEGMENT_RE", "_KEY_RE", "_SHA256_RE", "Source",
    "StorageError", "InvalidKey", "ObjectNotFound", "IntegrityError", "SizeLimitExceeded", "StoredObject",
    "ObjectStat", "ObjectEntry", "SealedObject", "validate_key", "validate_prefix", "_segment", "make_key",
    "new_key", "validate_sha256", "HashingReader", "ObjectReader", "Upload", "SpooledUpload", "Storage",
]


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
