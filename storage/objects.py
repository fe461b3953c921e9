"""What storage operations raise and return: the error classes (all :class:`StorageError`) and the
records of a stored object (:class:`StoredObject`, :class:`ObjectStat`, :class:`ObjectEntry`,
:class:`SealedObject`).

Part of :mod:`storage.base`, which re-exports every name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
