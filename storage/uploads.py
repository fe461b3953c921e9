"""An object written chunk by chunk: the :class:`Upload` interface (``Storage.begin_upload``) and
:class:`SpooledUpload`, the generic one that spools to a temporary file.

Part of :mod:`storage.base`, which re-exports every name.
"""
from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from .keys import validate_key
from .objects import StorageError, StoredObject

if TYPE_CHECKING:
    from .base import Storage


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
