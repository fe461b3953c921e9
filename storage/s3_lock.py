"""S3 backend, object lock: sealed documents stored under a retention in the object-lock bucket
(:meth:`~ObjectLockMixin.put_sealed`, :meth:`~ObjectLockMixin.seal_object`), the check that the bucket
has object lock, and the reads that look in both buckets.

:class:`ObjectLockMixin` is a base class of :class:`storage.s3.MinioStorage`; part of :mod:`storage.s3`.
"""
from __future__ import annotations

from datetime import datetime, timezone

import urllib3
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import MinioException, S3Error
from minio.retention import Retention

from .base import ObjectNotFound, SealedObject, Source, StorageError, StoredObject, validate_key
from .s3_upload import _is_seekable_file, _spool

_NO_LOCK = {"ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound", "NotImplemented",
            "InvalidRequest", "InvalidBucketState", "MethodNotAllowed"}


class ObjectLockMixin:
    """The object-lock part of :class:`storage.s3.MinioStorage` (which provides ``client``, ``bucket``,
    ``object_lock_bucket``, ``_put``, ``put``, ``stat``, ``_wrap`` and ``_remove_quietly``)."""

    def object_lock_available(self, bucket: str | None = None) -> tuple[bool, str | None]:
        """Whether ``bucket`` (default: the object-lock bucket) has object lock enabled.

        Asks the server (GetObjectLockConfiguration); returns ``(False, reason)`` when not.
        """
        bucket = bucket or self.object_lock_bucket
        if not bucket:
            return False, "no object-lock bucket configured"
        try:
            self.client.get_object_lock_config(bucket)
        except S3Error as exc:
            if exc.code in _NO_LOCK:
                return False, f"object lock not enabled on bucket {bucket!r} ({exc.code})"
            raise StorageError(f"cannot read object-lock configuration of {bucket!r}: {exc}") from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 server unreachable: {exc}") from exc
        return True, None

    def put_sealed(
        self,
        key: str,
        stream: Source,
        *,
        content_type: str,
        retain_until: datetime,
        mode: str = COMPLIANCE,
        length: int | None = None,
        sha256: str | None = None,
        require_lock: bool = False,
    ) -> SealedObject:
        """Store a sealed document in the object-lock bucket with a retention.

        When no object-lock bucket is configured or the server does not have object
        lock on it, the object goes to the main bucket and ``locked`` is ``False``
        with the reason — or :class:`StorageError` is raised if ``require_lock``.
        The retention is read back from the server before ``locked`` is reported.
        """
        if mode not in (COMPLIANCE, GOVERNANCE):
            raise ValueError(f"retention mode must be {COMPLIANCE} or {GOVERNANCE}")
        self._refuse_sealed(key)
        if retain_until.tzinfo is None:
            raise ValueError("retain_until must be timezone-aware")
        available, reason = self.object_lock_available()
        if not available:
            if require_lock:
                raise StorageError(f"sealed storage unavailable: {reason}")
            stored = self.put(key, stream, length=length, content_type=content_type, sha256=sha256)
            return SealedObject(stored=stored, bucket=self.bucket, locked=False, reason=reason)
        bucket = self.object_lock_bucket
        assert bucket
        if sha256 is None and not _is_seekable_file(stream):
            # A locked version cannot be rewritten to add metadata: hash first.
            stream = _spool(stream)
        stored, version_id = self._put(bucket, key, stream, length=length, content_type=content_type,
                                       sha256=sha256, max_size=None,
                                       retention=Retention(mode, retain_until.astimezone(timezone.utc)))
        try:
            retention = self.client.get_object_retention(bucket, key, version_id=version_id)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            retention, reason = None, f"retention could not be read back: {exc}"
        if retention is None or retention.mode != mode or retention.retain_until_date is None:
            reason = reason or "the server did not record the retention"
            if require_lock:
                raise StorageError(f"sealed storage unavailable: {reason}")
            return SealedObject(stored=stored, bucket=bucket, locked=False, version_id=version_id, reason=reason)
        return SealedObject(stored=stored, bucket=bucket, locked=True, mode=retention.mode,
                            retain_until=retention.retain_until_date, version_id=version_id)

    # Sealed documents live in the object-lock bucket (``put_sealed``); every other object, and sealed
    # documents stored before a lock bucket was configured, in the main bucket. Reads look in the main
    # bucket first, then in the lock bucket; nothing in the lock bucket is ever replaced or deleted here.

    def _sealed_exists(self, key: str) -> bool:
        if not self.object_lock_bucket:
            return False
        try:
            self.client.stat_object(self.object_lock_bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            if isinstance(self._wrap(exc, key), ObjectNotFound):
                return False
            raise self._wrap(exc, key) from exc
        return True

    def _refuse_sealed(self, key: str) -> None:
        if self._sealed_exists(key):
            raise StorageError(f"sealed object {key!r} cannot be replaced")

    def _in_buckets(self, key: str, call):
        """``call(bucket)`` on the main bucket, then on the lock bucket when the object is not found."""
        validate_key(key)
        try:
            return call(self.bucket)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            error = self._wrap(exc, key)
            if not (self.object_lock_bucket and isinstance(error, ObjectNotFound)):
                raise error from exc
        try:
            return call(self.object_lock_bucket)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._wrap(exc, key) from exc

    def seal_object(self, key: str, *, retain_until: datetime, mode: str = COMPLIANCE) -> SealedObject:
        """Move an object of the main bucket into the object-lock bucket under a retention (written there with
        the retention headers, the retention read back, then the main bucket's copy removed). Without a lock
        bucket with object lock, the object stays where it is and ``locked`` is ``False`` with the reason.
        Idempotent."""
        if mode not in (COMPLIANCE, GOVERNANCE):
            raise ValueError(f"retention mode must be {COMPLIANCE} or {GOVERNANCE}")
        stat = self.stat(key)
        stored = StoredObject(key=key, size=stat.size, sha256=stat.sha256 or "", content_type=stat.content_type or "")
        available, reason = self.object_lock_available()
        if not available:
            return SealedObject(stored=stored, bucket=self.bucket, locked=False, reason=reason)
        bucket = self.object_lock_bucket
        version_id = None
        if not self._sealed_exists(key):
            # written again with the retention headers (documents are small): a server-side copy does not
            # carry a retention on every S3 server (SeaweedFS ignores it)
            try:
                response = self.client.get_object(self.bucket, key)
                try:
                    data = response.read()
                finally:
                    response.close()
                    response.release_conn()
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise self._wrap(exc, key) from exc
            stored, version_id = self._put(bucket, key, data, length=len(data), content_type=stored.content_type
                                           or "application/octet-stream", sha256=stat.sha256 or None,
                                           max_size=None, retention=Retention(mode, retain_until.astimezone(timezone.utc)))
        try:
            retention = self.client.get_object_retention(bucket, key, version_id=version_id)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            return SealedObject(stored=stored, bucket=bucket, locked=False, version_id=version_id,
                                reason=f"retention could not be read back: {exc}")
        if retention is None or retention.retain_until_date is None:
            return SealedObject(stored=stored, bucket=bucket, locked=False, version_id=version_id,
                                reason="the server did not record the retention")
        self._remove_quietly(self.bucket, key)  # the locked copy is now the only one
        return SealedObject(stored=stored, bucket=bucket, locked=True, mode=retention.mode,
                            retain_until=retention.retain_until_date, version_id=version_id)
