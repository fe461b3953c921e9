"""S3 backend through the ``minio`` SDK (MinIO, SeaweedFS, any S3-compatible server).

Streaming: ``put`` reads a :class:`~storage.base.HashingReader`, so the SHA-256
and size are computed while the bytes go out, and sends it as a multipart upload
with at most ``parts_in_flight`` parts (3 by default, ``part_size`` 8 MiB each)
uploading at once: a semaphore is taken before a part is handed to the upload
threads, so memory stays at ``(parts_in_flight + 1) x part_size`` whatever the
file size. (The SDK's own parallel mode is not used: it queues parts without
bound when reading is faster than the network.) Sealed documents, which need the
retention headers, go through the SDK's ``put_object`` one part at a time.

The SHA-256 is stored as user metadata ``x-amz-meta-sha256``:

* when the caller announces it (``sha256=``, the normal case after the upload
  pipeline staged and checked the file), it is sent with the data in one request
  and verified against what was actually streamed (mismatch: object removed,
  :class:`~storage.base.IntegrityError`);
* when the stream is a seekable file, it is hashed first (local read), then sent;
* otherwise (a generator) the object is written, then its metadata replaced by a
  server-side copy onto itself (no data transfer; objects up to 5 GiB). If that
  fails the object is removed: no object is left without its hash.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Iterator

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE, REPLACE, CopySource
from minio.error import MinioException, S3Error
from minio.retention import Retention

from .base import (
    CHUNK_SIZE,
    HashingReader,
    IntegrityError,
    ObjectEntry,
    ObjectNotFound,
    ObjectReader,
    ObjectStat,
    SealedObject,
    Source,
    Storage,
    StorageError,
    StoredObject,
    Upload,
    validate_key,
    validate_prefix,
    validate_sha256,
)

DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_PARTS_IN_FLIGHT = 3  # parts uploading at once; memory: (this + 1) x part_size at most
SHA256_META = "sha256"
_NOT_FOUND = {"NoSuchKey", "NoSuchObject", "NoSuchVersion", "ResourceNotFound"}
_NO_LOCK = {"ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound", "NotImplemented",
            "InvalidRequest", "InvalidBucketState", "MethodNotAllowed"}


def _is_seekable_file(stream) -> bool:
    try:
        return bool(stream.seekable()) and hasattr(stream, "tell")
    except (AttributeError, OSError, ValueError):
        return False


def _hash_seekable(stream) -> tuple[str, int]:
    start = stream.tell()
    h = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            break
        h.update(chunk)
        size += len(chunk)
    stream.seek(start)
    return h.hexdigest(), size


class MinioStorage(Storage):
    name = "s3"

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = True,
        region: str | None = None,
        object_lock_bucket: str | None = None,
        create_buckets: bool = False,
        part_size: int = DEFAULT_PART_SIZE,
        parts_in_flight: int = DEFAULT_PARTS_IN_FLIGHT,
        cert_check: bool = True,
        timeout: float = 60.0,
        client: Minio | None = None,
    ):
        if part_size < 5 * 1024 * 1024:
            raise ValueError("S3 multipart parts must be at least 5 MiB")
        self.bucket = bucket
        self.object_lock_bucket = object_lock_bucket
        self.part_size = part_size
        if parts_in_flight < 1:
            raise ValueError("parts_in_flight must be at least 1")
        self.parts_in_flight = parts_in_flight
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=10.0, read=timeout),
            maxsize=10,
            retries=urllib3.Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
            **({} if cert_check else {"cert_reqs": "CERT_NONE"}),
        )
        self.client = client or Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
            cert_check=cert_check,
        )
        if create_buckets:
            self.ensure_buckets()

    # -- buckets -----------------------------------------------------------------
    def ensure_buckets(self) -> None:
        """Create the bucket (and the object-lock bucket, with object lock) if missing."""
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)
            if self.object_lock_bucket and not self.client.bucket_exists(self.object_lock_bucket):
                self.client.make_bucket(self.object_lock_bucket, object_lock=True)
        except S3Error as exc:
            if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise StorageError(f"cannot create bucket: {exc}") from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 server unreachable: {exc}") from exc

    def check(self) -> None:
        try:
            if not self.client.bucket_exists(self.bucket):
                raise StorageError(f"bucket {self.bucket!r} does not exist")
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 server unreachable: {exc}") from exc

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

    # -- helpers -----------------------------------------------------------------
    def _wrap(self, exc: Exception, key: str) -> StorageError:
        if isinstance(exc, S3Error) and exc.code in _NOT_FOUND:
            return ObjectNotFound(key)
        return StorageError(f"S3 operation on {key!r} failed: {exc}")

    def _remove_quietly(self, bucket: str, key: str, version_id: str | None = None) -> None:
        try:
            self.client.remove_object(bucket, key, version_id=version_id)
        except Exception:  # noqa: BLE001 - best effort cleanup; the sweep finds leftovers
            pass

    def _put(self, bucket, key, stream, *, length, content_type, sha256, max_size, retention=None):
        validate_key(key)
        if sha256 is not None:
            validate_sha256(sha256)
        elif _is_seekable_file(stream):
            sha256, seek_size = _hash_seekable(stream)
            if length is None:
                length = seek_size
        reader = HashingReader(stream, limit=max_size, expected_length=length)
        metadata = {SHA256_META: sha256} if sha256 else None
        try:
            if retention is None:
                version_id = self._put_bounded(bucket, key, reader, content_type=content_type, metadata=metadata)
            else:  # sealed documents (small): the SDK's own path, which sets the retention headers
                version_id = self.client.put_object(
                    bucket, key, reader,
                    length=length if length is not None else -1,
                    content_type=content_type,
                    metadata=metadata,
                    part_size=self.part_size,
                    num_parallel_uploads=1,
                    retention=retention,
                ).version_id
        except StorageError:
            raise  # SizeLimitExceeded / IntegrityError from the reader: the SDK aborted the upload
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 upload of {key!r} failed: {exc}") from exc
        if not reader.eof:
            # The SDK stops reading once ``length`` bytes are sent; make sure nothing follows.
            try:
                extra = reader.read(1)
            except StorageError:
                extra = b"x"
            if extra:
                self._remove_quietly(bucket, key, version_id)
                raise IntegrityError(f"stream longer than the {length} bytes announced")
        if sha256 is not None and reader.sha256 != sha256:
            self._remove_quietly(bucket, key, version_id)
            raise IntegrityError(f"SHA-256 mismatch for {key}: got {reader.sha256}, announced {sha256}")
        if sha256 is None:
            try:
                copy = self.client.copy_object(
                    bucket, key, CopySource(bucket, key, version_id=version_id),
                    metadata={SHA256_META: reader.sha256, "Content-Type": content_type},
                    metadata_directive=REPLACE,
                )
                if version_id and copy.version_id and copy.version_id != version_id:
                    self._remove_quietly(bucket, key, version_id)
                version_id = copy.version_id or version_id
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                self._remove_quietly(bucket, key, version_id)
                raise StorageError(f"cannot record the SHA-256 of {key!r}: {exc}") from exc
        return StoredObject(key=key, size=reader.size, sha256=reader.sha256, content_type=content_type), version_id

    def _put_bounded(self, bucket, key, reader, *, content_type, metadata) -> str | None:
        """Multipart upload with at most ``parts_in_flight`` parts uploading at once.

        The SDK's own parallel mode queues parts without bound when reading is faster
        than the network; here a semaphore is taken before each part is handed to the
        pool, so memory is at most ``(parts_in_flight + 1) x part_size`` whatever the
        file size. A stream shorter than one part is sent in one PUT. Any failure
        (including :class:`SizeLimitExceeded` / :class:`IntegrityError` raised by the
        reader) aborts the multipart upload: no object is created.
        """
        from concurrent.futures import ThreadPoolExecutor
        from threading import BoundedSemaphore

        from minio.datatypes import Part
        from minio.helpers import genheaders

        headers = genheaders(metadata, None, None, None, False)
        headers["Content-Type"] = content_type or "application/octet-stream"
        data = _read_part(reader, self.part_size)
        if len(data) < self.part_size:
            return self.client._put_object(bucket, key, data, headers).version_id
        upload_id = self.client._create_multipart_upload(bucket, key, headers)
        slots = BoundedSemaphore(self.parts_in_flight)
        futures = []
        pool = ThreadPoolExecutor(max_workers=self.parts_in_flight, thread_name_prefix="s3-part")
        try:
            number = 0
            while data:
                number += 1
                slots.acquire()
                failed = next((f for f in futures if f.done() and f.exception() is not None), None)
                if failed is not None:
                    slots.release()
                    failed.result()  # raises
                future = pool.submit(self.client._upload_part, bucket, key, data, None, upload_id, number)
                future.add_done_callback(lambda _f: slots.release())
                futures.append(future)
                data = b""  # the pool holds the part now
                data = _read_part(reader, self.part_size)
            parts = [Part(n, f.result()) for n, f in enumerate(futures, start=1)]
            result = self.client._complete_multipart_upload(bucket, key, upload_id, parts)
            return result.version_id
        except BaseException:
            for f in futures:
                f.cancel()
            pool.shutdown(wait=True)
            try:
                self.client._abort_multipart_upload(bucket, key, upload_id)
            except Exception:  # noqa: BLE001 - an incomplete upload is not an object; lifecycle rules purge it
                pass
            raise
        finally:
            pool.shutdown(wait=True)

    # -- interface ---------------------------------------------------------------
    def begin_upload(self, key: str, *, content_type: str, caller_hashes: bool = False) -> Upload:
        """A multipart upload fed chunk by chunk, parts sent while the data arrive (see :class:`_S3Upload`)."""
        validate_key(key)
        return _S3Upload(self, self.bucket, key, content_type, caller_hashes=caller_hashes)

    def put(self, key, stream: Source, *, length=None, content_type, sha256=None, max_size=None) -> StoredObject:
        self._refuse_sealed(key)
        stored, _version = self._put(self.bucket, key, stream, length=length, content_type=content_type,
                                     sha256=sha256, max_size=max_size)
        return stored

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

    def open(self, key: str) -> ObjectReader:
        response = self._in_buckets(key, lambda bucket: self.client.get_object(bucket, key))
        size = int(response.headers.get("Content-Length", "0") or 0)
        return ObjectReader(response, size=size, release=response.release_conn)

    def stat(self, key: str) -> ObjectStat:
        st = self._in_buckets(key, lambda bucket: self.client.stat_object(bucket, key))
        meta = st.metadata or {}
        sha256 = meta.get("x-amz-meta-" + SHA256_META)
        modified = st.last_modified or datetime.now(timezone.utc)
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=timezone.utc)
        return ObjectStat(key=key, size=st.size or 0, sha256=sha256, content_type=st.content_type,
                          modified=modified)

    def delete(self, key: str) -> bool:
        """Remove an object of the main bucket; a sealed document (lock bucket) is kept: ``False``."""
        validate_key(key)
        try:
            self.client.stat_object(self.bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            if not isinstance(self._wrap(exc, key), ObjectNotFound):
                raise self._wrap(exc, key) from exc
            if self._sealed_exists(key):
                import logging

                logging.getLogger(__name__).warning("sealed object %s kept: sealed documents are never deleted", key)
            return False
        try:
            self.client.remove_object(self.bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._wrap(exc, key) from exc
        return True

    def iter_objects(self, prefix: str = "") -> Iterator[ObjectEntry]:
        validate_prefix(prefix)
        try:
            for obj in self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True):
                if obj.is_dir:
                    continue
                key = obj.object_name
                try:
                    validate_key(key)
                except StorageError:
                    continue  # not written by this package: never touched
                modified = obj.last_modified
                if modified is not None and modified.tzinfo is None:
                    modified = modified.replace(tzinfo=timezone.utc)
                yield ObjectEntry(key=key, size=obj.size or 0, modified=modified)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"cannot list bucket {self.bucket!r}: {exc}") from exc

    def __repr__(self) -> str:
        return f"MinioStorage(bucket={self.bucket!r}, endpoint={self.client._base_url.host!r})"


class _S3Upload(Upload):
    """Bytes written are cut into ``part_size`` parts, each uploaded as soon as it is full,
    at most ``parts_in_flight`` at once (``write`` blocks on a semaphore: memory stays at
    ``(parts_in_flight + 1) x part_size``). The multipart upload is created with the first
    full part; an unfinished multipart upload is not an object, so ``abort`` leaves nothing.

    ``complete(sha256)``: a file shorter than one part is sent in one PUT with the
    SHA-256 in its metadata; otherwise the multipart upload is completed, then the
    metadata ``x-amz-meta-sha256`` set by a server-side copy of the object onto itself
    (no data transfer; the object is removed if that fails), as ``put`` does for generators.
    """

    def __init__(self, storage: MinioStorage, bucket: str, key: str, content_type: str, *,
                 caller_hashes: bool = False):
        from concurrent.futures import ThreadPoolExecutor
        from threading import BoundedSemaphore

        from minio.helpers import genheaders

        self.storage, self.client, self.bucket, self.key = storage, storage.client, bucket, key
        self.content_type = content_type or "application/octet-stream"
        self._headers = genheaders(None, None, None, None, False)
        self._headers["Content-Type"] = self.content_type
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._hash = None if caller_hashes else hashlib.sha256()
        self.size = 0
        self._upload_id: str | None = None
        self._futures: list = []
        self._slots = BoundedSemaphore(storage.parts_in_flight)
        self._pool = ThreadPoolExecutor(max_workers=storage.parts_in_flight, thread_name_prefix="s3-part")
        self.completed = self.aborted = False

    def _check_running(self) -> None:
        if self.completed or self.aborted:
            raise StorageError(f"upload of {self.key!r} already finished")

    def _send(self, data: bytes) -> None:
        if self._upload_id is None:
            self._upload_id = self.client._create_multipart_upload(self.bucket, self.key, self._headers)
        self._slots.acquire()
        failed = next((f for f in self._futures if f.done() and f.exception() is not None), None)
        if failed is not None:
            self._slots.release()
            failed.result()  # raises
        number = len(self._futures) + 1
        future = self._pool.submit(self.client._upload_part, self.bucket, self.key, data, None,
                                   self._upload_id, number)
        future.add_done_callback(lambda _f: self._slots.release())
        self._futures.append(future)

    def write(self, chunk: bytes) -> None:
        self._check_running()
        try:
            if not chunk:
                return
            chunk = bytes(chunk)
            if self._hash is not None:
                self._hash.update(chunk)
            self.size += len(chunk)
            part_size = self.storage.part_size
            while chunk:
                take = chunk[: part_size - self._buffered] if self._buffered + len(chunk) > part_size else chunk
                chunk = chunk[len(take):]
                self._chunks.append(take)
                self._buffered += len(take)
                if self._buffered == part_size:
                    data = b"".join(self._chunks)  # one copy; the chunks are released at once
                    self._chunks, self._buffered = [], 0
                    self._send(data)
                    del data
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            self.abort()
            raise StorageError(f"S3 upload of {self.key!r} failed: {exc}") from exc
        except BaseException:
            self.abort()
            raise

    def complete(self, sha256: str | None = None, *, length: int | None = None) -> StoredObject:
        from minio.datatypes import Part

        self._check_running()
        try:
            if sha256 is not None:
                validate_sha256(sha256)
            if self._hash is None and sha256 is None:
                raise ValueError("begin_upload(caller_hashes=True) needs the SHA-256 at complete")
            digest = self._hash.hexdigest() if self._hash is not None else sha256
            if length is not None and length != self.size:
                raise IntegrityError(f"{self.size} bytes written, {length} announced")
            if sha256 is not None and digest != sha256:
                raise IntegrityError(f"SHA-256 mismatch for {self.key}: got {digest}, announced {sha256}")
            if self._upload_id is None:  # shorter than one part: one PUT, hash in the same request
                headers = dict(self._headers)
                headers["x-amz-meta-" + SHA256_META] = digest
                data, self._chunks, self._buffered = b"".join(self._chunks), [], 0
                self.client._put_object(self.bucket, self.key, data, headers)
            else:
                if self._chunks:
                    data, self._chunks, self._buffered = b"".join(self._chunks), [], 0
                    self._send(data)
                    del data
                parts = [Part(n, f.result()) for n, f in enumerate(self._futures, start=1)]
                self.client._complete_multipart_upload(self.bucket, self.key, self._upload_id, parts)
                self.completed = True  # the object exists: from here a failure removes it
                try:
                    self.client.copy_object(
                        self.bucket, self.key, CopySource(self.bucket, self.key),
                        metadata={SHA256_META: digest, "Content-Type": self.content_type},
                        metadata_directive=REPLACE,
                    )
                except BaseException:
                    self.storage._remove_quietly(self.bucket, self.key)
                    raise
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            self.abort()
            raise StorageError(f"S3 upload of {self.key!r} failed: {exc}") from exc
        except BaseException:
            self.abort()
            raise
        finally:
            self._pool.shutdown(wait=True)
        self.completed = True
        return StoredObject(key=self.key, size=self.size, sha256=digest, content_type=self.content_type)

    def abort(self) -> None:
        if self.aborted or (self.completed and self._upload_id is None):
            return
        if self.completed:  # completed, then failed to record the hash: already removed
            self.aborted = True
            return
        self.aborted = True
        self._chunks, self._buffered = [], 0
        for f in self._futures:
            f.cancel()
        self._pool.shutdown(wait=True)
        if self._upload_id is not None:
            try:
                self.client._abort_multipart_upload(self.bucket, self.key, self._upload_id)
            except Exception:  # noqa: BLE001 - an incomplete upload is not an object; lifecycle rules purge it
                pass


def _read_part(reader, size: int) -> bytes:
    """Exactly ``size`` bytes from ``reader`` (fewer at the end of the stream)."""
    buf = bytearray()
    while len(buf) < size:
        chunk = reader.read(min(CHUNK_SIZE, size - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def _spool(stream: Source):
    """Copy a non-seekable stream into a temporary file (at most one chunk in memory)."""
    import tempfile

    spool = tempfile.TemporaryFile()
    reader = HashingReader(stream)
    for chunk in reader.chunks():
        spool.write(chunk)
    spool.seek(0)
    return spool
