"""Streaming helpers: :class:`HashingReader` (size and SHA-256 computed on the fly, limits checked as the
bytes go) and :class:`ObjectReader` (what ``Storage.open`` returns).

Part of :mod:`storage.base`, which re-exports every name.
"""
from __future__ import annotations

import hashlib
import io
from typing import BinaryIO, Iterable, Iterator, Union

from .objects import IntegrityError, SizeLimitExceeded

CHUNK_SIZE = 1024 * 1024

Source = Union[BinaryIO, io.RawIOBase, io.BufferedIOBase, Iterable[bytes], bytes]


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
