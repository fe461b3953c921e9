"""Object storage for evidence annexes and sealed documents (a plain library, no Flask).

Backends: :class:`~storage.filesystem.FilesystemStorage` (embedded default) and
:class:`~storage.s3.MinioStorage` (S3 through the ``minio`` SDK). Upload checks in
:mod:`storage.safety`, antivirus in :mod:`storage.scanner`, orphan sweep in
:mod:`storage.sweep`. See ``docs/storage.md``.
"""
from __future__ import annotations

from typing import Any, Mapping

from .base import (
    CHUNK_SIZE,
    HashingReader,
    IntegrityError,
    InvalidKey,
    ObjectEntry,
    ObjectNotFound,
    ObjectReader,
    ObjectStat,
    SealedObject,
    SizeLimitExceeded,
    Storage,
    StorageError,
    StoredObject,
    make_key,
    new_key,
    validate_key,
)
from .filesystem import FilesystemStorage

__all__ = [
    "CHUNK_SIZE", "HashingReader", "IntegrityError", "InvalidKey", "ObjectEntry", "ObjectNotFound",
    "ObjectReader", "ObjectStat", "SealedObject", "SizeLimitExceeded", "Storage", "StorageError",
    "StoredObject", "make_key", "new_key", "validate_key", "FilesystemStorage", "storage_from_settings",
    "scanner_from_settings", "policy_from_settings",
]

_TRUE = {"1", "true", "yes", "on", "oui"}


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE


def storage_from_settings(settings: Mapping[str, Any]) -> Storage:
    """Build the configured backend from a settings mapping (e.g. ``app.config``).

    ``STORAGE_BACKEND``: ``filesystem`` (default; ``STORAGE_PATH``) or ``s3``
    (``S3_ENDPOINT``, ``S3_ACCESS_KEY``, ``S3_SECRET_KEY``, ``S3_BUCKET``,
    ``S3_SECURE`` default true, ``S3_REGION``, ``S3_OBJECT_LOCK_BUCKET``,
    ``S3_CREATE_BUCKETS`` default false).
    """
    backend = str(settings.get("STORAGE_BACKEND") or "filesystem").lower()
    if backend == "filesystem":
        path = settings.get("STORAGE_PATH")
        if not path:
            raise StorageError("STORAGE_PATH is required for the filesystem backend")
        return FilesystemStorage(path)
    if backend in ("s3", "minio"):
        from .s3 import MinioStorage

        missing = [k for k in ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET") if not settings.get(k)]
        if missing:
            raise StorageError(f"missing settings for the S3 backend: {', '.join(missing)}")
        return MinioStorage(
            settings["S3_ENDPOINT"], settings["S3_ACCESS_KEY"], settings["S3_SECRET_KEY"], settings["S3_BUCKET"],
            secure=_flag(settings.get("S3_SECURE", True)),
            region=settings.get("S3_REGION") or None,
            object_lock_bucket=settings.get("S3_OBJECT_LOCK_BUCKET") or None,
            create_buckets=_flag(settings.get("S3_CREATE_BUCKETS", False)),
        )
    raise StorageError(f"unknown STORAGE_BACKEND {backend!r} (filesystem or s3)")


def scanner_from_settings(settings: Mapping[str, Any]):
    """``CLAMD_ADDRESS`` (``tcp://host:3310`` or ``unix:///run/clamav/clamd.ctl``); unset: not scanned."""
    from .scanner import scanner_from_settings as build

    return build(settings.get("CLAMD_ADDRESS"))


def policy_from_settings(settings: Mapping[str, Any]):
    """``UPLOAD_MAX_FILE_SIZE`` (bytes) and ``UPLOAD_ALLOWED_TYPES`` (comma-separated keys)."""
    from .safety import DEFAULT_ALLOWED, UploadPolicy

    kwargs: dict[str, Any] = {}
    if settings.get("UPLOAD_MAX_FILE_SIZE"):
        kwargs["max_file_size"] = int(settings["UPLOAD_MAX_FILE_SIZE"])
    allowed = settings.get("UPLOAD_ALLOWED_TYPES")
    if allowed:
        items = allowed.split(",") if isinstance(allowed, str) else list(allowed)
        kwargs["allowed_types"] = tuple(i.strip() for i in items if i.strip()) or DEFAULT_ALLOWED
    return UploadPolicy(**kwargs)
