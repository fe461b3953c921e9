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

The object-lock part (sealed documents) is in :mod:`storage.s3_lock`, the multipart upload fed
chunk by chunk and the stream helpers in :mod:`storage.s3_upload`; both re-exported here.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import urllib3
from minio import Minio
from minio.commonconfig import REPLACE, CopySource
from minio.error import MinioException, S3Error

from .base import (
    HashingReader,
    IntegrityError,
    ObjectEntry,
    ObjectNotFound,
    ObjectReader,
    ObjectStat,
    Source,
    Storage,
    StorageError,
    StoredObject,
    Upload,
    validate_key,
    validate_prefix,
    validate_sha256,
)
from .s3_lock import ObjectLockMixin
from .s3_upload import SHA256_META, _hash_seekable, _is_seekable_file, _read_part, _S3Upload

__all__ = ["DEFAULT_PART_SIZE", "DEFAULT_PARTS_IN_FLIGHT", "SHA256_META", "MinioStorage", "ObjectLockMixin"]

DEFAULT_PART_SIZE = 8 * 1024 * 1024
DEFAULT_PARTS_IN_FLIGHT = 3  # parts uploading at once; memory: (this + 1) x part_size at most
_NOT_FOUND = {"NoSuchKey", "NoSuchObject", "NoSuchVersion", "ResourceNotFound"}


class MinioStorage(ObjectLockMixin, Storage):
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
