"""Filesystem backend: the embedded default.

Layout under ``root``: an object ``annexes/12/3f…`` is the file
``root/annexes/12/3f…``; its metadata (SHA-256, size, content type) live in the
sidecar ``root/annexes/12/3f….meta.json``. Keys never contain a dot, so no key
can name a sidecar or a temporary file (``.tmp-*``).

Writes go to a temporary file in the destination directory (mode 0640), are
fsync'ed, then moved into place with ``os.replace`` (atomic on POSIX) and the
directory is fsync'ed: a reader sees the old object or the new one, never a
partial file, and a crash leaves only a ``.tmp-*`` file that
:meth:`FilesystemStorage.purge_stale_temporaries` removes.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

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
    Source,
    Storage,
    StorageError,
    StoredObject,
    Upload,
    validate_key,
    validate_prefix,
    validate_sha256,
)

FILE_MODE = 0o640
#: sealed documents (``put_sealed``): read-only; ``put`` refuses to replace them, ``delete`` keeps them
SEALED_MODE = 0o440
DIR_MODE = 0o750
META_SUFFIX = ".meta.json"
TMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FilesystemStorage(Storage):
    name = "filesystem"

    def __init__(self, root: str | os.PathLike, *, fsync: bool = True):
        self.root = Path(root).resolve()
        self.fsync = fsync
        self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)

    # -- paths -------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        validate_key(key)
        path = self.root.joinpath(*key.split("/"))
        # The key charset already forbids "..", but a symlink planted inside the
        # root could still lead outside it: resolve and check.
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise InvalidKey(f"key {key!r} resolves outside the storage root")
        return path

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(path.name + META_SUFFIX)

    def _mkdirs(self, directory: Path) -> None:
        missing = []
        d = directory
        while d != self.root and not d.exists():
            missing.append(d)
            d = d.parent
        for d in reversed(missing):
            try:
                d.mkdir(mode=DIR_MODE)
            except FileExistsError:
                pass
            if self.fsync:
                _fsync_dir(d.parent)
        if directory.is_symlink() or not directory.is_dir():
            raise StorageError(f"{directory} is not a directory")

    def _write_atomic(self, target: Path, chunks, *, mode: int = FILE_MODE) -> None:
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=target.parent)
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb", buffering=0) as out:
                for chunk in chunks:
                    view = memoryview(chunk)
                    while view:
                        written = out.write(view)
                        view = view[written:]
                if self.fsync:
                    os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    # -- interface ---------------------------------------------------------------
    @staticmethod
    def _is_sealed(path: Path) -> bool:
        try:
            return path.is_file() and not path.stat().st_mode & 0o222
        except OSError:
            return False

    def put(self, key, stream: Source, *, length=None, content_type, sha256=None, max_size=None) -> StoredObject:
        path = self._path(key)
        if self._is_sealed(path):
            raise StorageError(f"sealed object {key!r} cannot be replaced")
        if sha256 is not None:
            validate_sha256(sha256)
        self._mkdirs(path.parent)
        reader = HashingReader(stream, limit=max_size, expected_length=length)
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
        try:
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "wb", buffering=0) as out:
                for chunk in reader.chunks(CHUNK_SIZE):
                    view = memoryview(chunk)
                    while view:
                        written = out.write(view)
                        view = view[written:]
                if self.fsync:
                    os.fsync(out.fileno())
            if sha256 is not None and reader.sha256 != sha256:
                raise IntegrityError(f"SHA-256 mismatch for {key}: got {reader.sha256}, announced {sha256}")
            meta = {"sha256": reader.sha256, "size": reader.size, "content_type": content_type}
            # Sidecar first, data last: the data file appearing is the commit point
            # (``stat`` checks the sidecar's size against the data file).
            self._write_atomic(self._meta_path(path), [json.dumps(meta).encode()])
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        if self.fsync:
            _fsync_dir(path.parent)
        return StoredObject(key=key, size=reader.size, sha256=reader.sha256, content_type=content_type)

    def begin_upload(self, key: str, *, content_type: str, caller_hashes: bool = False) -> Upload:
        """A ``.tmp-*`` file next to the destination, moved into place on ``complete``."""
        path = self._path(key)
        self._mkdirs(path.parent)
        return _FilesystemUpload(self, key, path, content_type)

    def open(self, key: str) -> ObjectReader:
        path = self._path(key)
        try:
            f = open(path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        return ObjectReader(f, size=os.fstat(f.fileno()).st_size)

    def stat(self, key: str) -> ObjectStat:
        path = self._path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        if not path.is_file():
            raise ObjectNotFound(key)
        sha256 = content_type = None
        try:
            meta = json.loads(self._meta_path(path).read_text())
            if meta.get("size") == st.st_size:
                sha256, content_type = meta.get("sha256"), meta.get("content_type")
        except (FileNotFoundError, ValueError):
            pass
        return ObjectStat(
            key=key,
            size=st.st_size,
            sha256=sha256,
            content_type=content_type,
            modified=datetime.fromtimestamp(st.st_mtime, tz=timezone.utc),
        )

    def seal_object(self, key: str, *, retain_until, mode: str = "COMPLIANCE") -> SealedObject:
        """The stored file becomes read-only: ``put`` refuses to replace it, ``delete`` keeps it."""
        path = self._path(key)
        stat = self.stat(key)
        for target in (self._meta_path(path), path):
            if target.exists():
                os.chmod(target, SEALED_MODE)
        return SealedObject(stored=StoredObject(key=key, size=stat.size, sha256=stat.sha256 or "",
                                                content_type=stat.content_type or ""),
                            bucket=None, locked=False,
                            reason="the filesystem backend has no object lock: the file is read-only")

    def put_sealed(self, key, stream: Source, *, content_type, retain_until, mode="COMPLIANCE", length=None,
                   sha256=None, require_lock=False) -> SealedObject:
        """A sealed document as a read-only file: never replaced (``put`` refuses), never deleted (``delete``
        keeps it). A file system has no retention date: ``locked`` stays ``False`` with the reason."""
        reason = "the filesystem backend has no object lock: the file is read-only"
        if require_lock:
            raise StorageError(f"sealed storage unavailable: {reason}")
        path = self._path(key)
        if path.exists():
            raise StorageError(f"sealed object {key!r} already exists: it cannot be replaced")
        stored = self.put(key, stream, length=length, content_type=content_type, sha256=sha256)
        for target in (self._meta_path(path), path):
            os.chmod(target, SEALED_MODE)
        return SealedObject(stored=stored, bucket=None, locked=False, reason=reason)

    def delete(self, key: str) -> bool:
        path = self._path(key)
        if self._is_sealed(path):
            import logging

            logging.getLogger(__name__).warning("sealed object %s kept: sealed documents are never deleted", key)
            return False
        existed = True
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            existed = False
        try:
            os.unlink(self._meta_path(path))
        except (FileNotFoundError, NotADirectoryError):
            pass
        if existed and self.fsync:
            _fsync_dir(path.parent)
        return existed

    def iter_objects(self, prefix: str = "") -> Iterator[ObjectEntry]:
        validate_prefix(prefix)
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = os.path.relpath(dirpath, self.root)
            for name in sorted(filenames):
                if "." in name:  # sidecars, temporaries, anything not written by put
                    continue
                key = name if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{name}"
                if not key.startswith(prefix):
                    continue
                try:
                    validate_key(key)
                    st = os.lstat(os.path.join(dirpath, name))
                except (InvalidKey, FileNotFoundError):
                    continue
                yield ObjectEntry(key=key, size=st.st_size,
                                  modified=datetime.fromtimestamp(st.st_mtime, tz=timezone.utc))

    def purge_stale_temporaries(self, older_than_seconds: float) -> list[str]:
        """Remove ``.tmp-*`` files left by interrupted writes and sidecars without data."""
        import time

        cutoff = time.time() - older_than_seconds
        removed = []
        for dirpath, _dirnames, filenames in os.walk(self.root, followlinks=False):
            for name in filenames:
                full = os.path.join(dirpath, name)
                stale = name.startswith(TMP_PREFIX) or (
                    name.endswith(META_SUFFIX) and not os.path.exists(full[: -len(META_SUFFIX)])
                )
                if not stale:
                    continue
                try:
                    if os.lstat(full).st_mtime < cutoff:
                        os.unlink(full)
                        removed.append(os.path.relpath(full, self.root))
                except FileNotFoundError:
                    pass
        return removed

    def free_bytes(self) -> int | None:
        return shutil.disk_usage(self.root).free

    def check(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"storage root {self.root} is not writable")

    def __repr__(self) -> str:
        return f"FilesystemStorage({str(self.root)!r})"


class _FilesystemUpload(Upload):
    def __init__(self, storage: FilesystemStorage, key: str, path: Path, content_type: str):
        import hashlib

        self.storage, self.key, self.path, self.content_type = storage, key, path, content_type
        fd, self._tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
        try:
            os.fchmod(fd, FILE_MODE)
            self._out = os.fdopen(fd, "wb", buffering=0)
        except BaseException:
            os.close(fd)
            os.unlink(self._tmp)
            raise
        self._hash = hashlib.sha256()
        self.size = 0
        self.completed = self.aborted = False

    def write(self, chunk: bytes) -> None:
        if self.completed or self.aborted:
            raise StorageError(f"upload of {self.key!r} already finished")
        self._hash.update(chunk)
        self.size += len(chunk)
        view = memoryview(chunk)
        while view:
            written = self._out.write(view)
            view = view[written:]

    def complete(self, sha256: str | None = None, *, length: int | None = None) -> StoredObject:
        if self.completed or self.aborted:
            raise StorageError(f"upload of {self.key!r} already finished")
        try:
            if sha256 is not None:
                validate_sha256(sha256)
            digest = self._hash.hexdigest()
            if length is not None and length != self.size:
                raise IntegrityError(f"{self.size} bytes written, {length} announced")
            if sha256 is not None and digest != sha256:
                raise IntegrityError(f"SHA-256 mismatch for {self.key}: got {digest}, announced {sha256}")
            if self.storage.fsync:
                os.fsync(self._out.fileno())
            self._out.close()
            meta = {"sha256": digest, "size": self.size, "content_type": self.content_type}
            meta_path = self.storage._meta_path(self.path)
            self.storage._write_atomic(meta_path, [json.dumps(meta).encode()])
            os.replace(self._tmp, self.path)
            if self.storage.fsync:
                _fsync_dir(self.path.parent)
        except BaseException:
            self.abort()
            raise
        self.completed = True
        return StoredObject(key=self.key, size=self.size, sha256=digest, content_type=self.content_type)

    def abort(self) -> None:
        if self.completed or self.aborted:
            return
        self.aborted = True
        try:
            self._out.close()
        except OSError:
            pass
        try:
            os.unlink(self._tmp)
        except FileNotFoundError:
            pass
