"""S3 backend, sending bytes: the multipart upload fed chunk by chunk while the data arrive
(:class:`_S3Upload`, behind :meth:`storage.s3.MinioStorage.begin_upload`) and the stream helpers
of :class:`~storage.s3.MinioStorage` (reading one part, hashing a seekable file, spooling a
non-seekable stream to a temporary file).

Part of :mod:`storage.s3`, which re-exports these names.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import urllib3
from minio.commonconfig import REPLACE, CopySource
from minio.error import MinioException

from .base import (
    CHUNK_SIZE,
    HashingReader,
    IntegrityError,
    Source,
    StorageError,
    StoredObject,
    Upload,
    validate_sha256,
)

if TYPE_CHECKING:
    from .s3 import MinioStorage

SHA256_META = "sha256"


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
