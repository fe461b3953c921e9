"""Upload checks, each refusing with :class:`UploadRefused` (a code and a French message).

Pipeline (:func:`receive_upload`), and why it is staged on local disk:

1. The file name is sanitised for display (:func:`safe_filename`) and its
   extension must belong to an allowed type — refused before any byte is read.
2. The stream is copied to a private temporary file in the staging directory
   (mode 0600) through a :class:`~storage.base.HashingReader`: SHA-256 and size
   are computed on the fly and the copy stops as soon as the per-file limit or the
   dossier's remaining quota is exceeded. Memory stays at one chunk.
3. The staged file is checked: type sniffed from the content with libmagic
   (python-magic) against the allow-list *and* the extension; a file also valid
   in another format (a PDF or an image that is also a ZIP, RAR or 7z archive, a
   document that is also a PDF) refused (:func:`check_single_format`); images decoded
   headers (Pillow); PDFs parsed with pikepdf for active content; ZIP-based
   documents (DOCX, ODT) inspected member by member before anything uses them;
   other archives refused. These checks need random access to the whole file
   (a PDF's cross-reference table and a ZIP's central directory are at the end),
   which is why the file is staged rather than checked on the fly.
4. The antivirus (clamd) scans the staged file: ``infected`` is refused; other
   states are reported to the caller, who stores them with the object.
5. Only then :meth:`StagedUpload.store` stores the file under its key, with the
   SHA-256 already known. With ``receive_upload(storage=…, key=…)`` the bytes were
   already sent while they arrived, as an unfinished upload
   (:meth:`~storage.base.Storage.begin_upload`: an S3 multipart upload), which
   ``store`` completes; otherwise the staged file is streamed with ``put``.

Consequence: on any refusal no object is created (an unfinished upload is
aborted, an S3 multipart upload is not an object), and the staged file is removed at once (a crash leaves a ``livret-upload-*`` file that
:func:`storage.sweep.purge_staging` removes after the grace period).

The checks live in sibling modules, all re-exported here: :mod:`storage.safety_types` (refusal, file
types, policy, file names, size and quota), :mod:`storage.safety_formats` (one format only, images),
:mod:`storage.safety_pdf` (PDF active content), :mod:`storage.safety_zip` (DOCX/ODT containers) and
:mod:`storage.safety_scan` (the byte scan run while the file arrives, for the first two).
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l

from .base import STAGING_PREFIX, HashingReader, SizeLimitExceeded, Source, Storage, StoredObject, Upload
from .safety_formats import check_image, check_single_format, has_zip_directory
from .safety_pdf import check_pdf
from .safety_scan import ByteScan, scan_file
from .safety_types import (DEFAULT_ALLOWED, DOCX, FILE_TYPES, JPEG, ODS, ODT, PDF, PNG, XLSX, FileType, UploadPolicy,
                           UploadRefused, _allowed_labels, _refuse_archive, _refuse_type, check_quota, check_size,
                           extension_of, safe_filename)
from .safety_zip import inspect_zip_container
from .scanner import BaseScanner, DisabledScanner, ScanResult, ScanState

__all__ = [
    "UploadRefused", "FileType", "PDF", "PNG", "JPEG", "ODT", "DOCX", "ODS", "XLSX", "FILE_TYPES", "DEFAULT_ALLOWED",
    "UploadPolicy", "safe_filename", "extension_of", "check_size", "check_quota", "sniff_media_type",
    "check_extension_allowed", "identify", "ByteScan", "scan_file", "has_zip_directory", "check_single_format",
    "check_image", "check_pdf", "inspect_zip_container", "StagedUpload", "receive_upload", "AcceptedUpload",
    "accept_upload",
]

_ARCHIVE_MEDIA_TYPES = {
    "application/zip", "application/x-zip-compressed", "application/x-rar", "application/vnd.rar",
    "application/x-rar-compressed", "application/x-7z-compressed", "application/x-tar", "application/gzip",
    "application/x-gzip", "application/x-bzip2", "application/x-xz", "application/zstd", "application/x-lzip",
    "application/x-lzma", "application/x-compress", "application/java-archive", "application/x-archive",
    "application/vnd.ms-cab-compressed", "application/x-iso9660-image", "application/x-cpio",
    "application/x-lzh-compressed", "application/x-arj", "application/x-ace-compressed",
}
_ZIP_LIKE = ("application/zip", "application/x-zip-compressed", "application/vnd.openxmlformats-officedocument.",
             "application/vnd.oasis.opendocument.", "application/octet-stream", "application/msword",
             "application/vnd.ms-")


# -- type ----------------------------------------------------------------------------
def sniff_media_type(path: str | os.PathLike) -> str:
    """The media type libmagic reads from the content (never from the name)."""
    import magic

    return magic.from_file(str(path), mime=True)



def check_extension_allowed(filename: str, policy: UploadPolicy) -> None:
    ext = extension_of(filename)
    if not any(ext in t.extensions for t in policy.types()):
        raise UploadRefused(
            "type_not_allowed",
            _l("Ce type de fichier n'est pas accepté. Formats acceptés : %(allowed)s.", allowed=_allowed_labels(policy)),
            extension=ext)


def identify(path: str | os.PathLike, filename: str, policy: UploadPolicy, *,
             scan: ByteScan | None = None) -> FileType:
    """Sniff the content, refuse a file valid in more than one format, run the type's own checks, and
    require the extension to match.

    ``scan``: the :class:`ByteScan` already run over the bytes of ``path`` as they arrived; without it,
    ``path`` is scanned once here.

    Returns the allowed :class:`FileType`; raises :class:`UploadRefused` otherwise.
    """
    detected = sniff_media_type(path)
    allowed = {t.key for t in policy.types()}
    if detected == "application/pdf":
        file_type = PDF
    elif detected == "image/png":
        file_type = PNG
    elif detected == "image/jpeg":
        file_type = JPEG
    elif detected in _ARCHIVE_MEDIA_TYPES - {"application/zip", "application/x-zip-compressed"}:
        raise _refuse_archive(detected)
    elif detected.startswith(_ZIP_LIKE) and zipfile.is_zipfile(path):
        # The container is inspected before its kind is trusted: it may be a plain
        # ZIP, a macro-enabled document, a bomb.
        file_type = inspect_zip_container(path, policy)
    else:
        raise _refuse_type(detected, policy)
    if file_type.key not in allowed:
        raise _refuse_type(detected, policy)
    scan = scan if scan is not None else scan_file(path)  # one pass for both checks that read it
    check_single_format(path, file_type, scan=scan)
    if extension_of(filename) not in file_type.extensions:
        raise UploadRefused(
            "extension_mismatch",
            _l("Le contenu du fichier (%(detected)s) ne correspond pas à son extension « %(ext)s ». "
               "Renommez-le avec l'extension %(expected)s ou déposez le bon fichier.",
               detected=file_type.label, ext=extension_of(filename) or "—", expected=file_type.extensions[0]),
            detected=file_type.media_type, extension=extension_of(filename))
    if file_type in (PNG, JPEG):
        check_image(path, file_type, policy)
    elif file_type is PDF:
        check_pdf(path, scan=scan)
    return file_type


# -- pipeline ------------------------------------------------------------------------
@dataclass
class StagedUpload:
    """A checked upload waiting in the staging directory. Use as a context manager:
    the staged file is removed on exit, whatever happens."""

    path: Path
    filename: str
    file_type: FileType
    size: int
    sha256: str
    scan: ScanResult
    #: The backend upload fed while the file was received (``receive_upload(storage=…)``):
    #: not an object until :meth:`store` completes it; :meth:`close` aborts it otherwise.
    upload: Upload | None = field(default=None, repr=False)
    _closed: bool = field(default=False, repr=False)

    @property
    def key(self) -> str | None:
        """The key the file is already being sent to, if any."""
        return self.upload.key if self.upload is not None else None

    @property
    def media_type(self) -> str:
        return self.file_type.media_type

    def store(self, storage: Storage, key: str) -> StoredObject:
        """Store the checked file under ``key`` (SHA-256 and size verified again).

        When the file was already sent to ``storage`` under ``key`` while it was
        received, this completes that upload (the object appears now); otherwise the
        staged file is streamed with ``put``.
        """
        upload, self.upload = self.upload, None
        if upload is not None:
            if upload.storage is storage and upload.key == key and upload.content_type == self.media_type:
                return upload.complete(self.sha256, length=self.size)
            upload.abort()
        with open(self.path, "rb") as f:
            return storage.put(key, f, length=self.size, content_type=self.media_type, sha256=self.sha256)

    def close(self) -> None:
        if self.upload is not None:
            upload, self.upload = self.upload, None
            upload.abort()
        if not self._closed:
            self._closed = True
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass

    def __enter__(self) -> "StagedUpload":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def receive_upload(
    stream: Source,
    *,
    filename: str,
    policy: UploadPolicy,
    current_usage: int = 0,
    quota: int | None = None,
    scanner: BaseScanner | None = None,
    staging_dir: str | os.PathLike | None = None,
    declared_length: int | None = None,
    storage: Storage | None = None,
    key: str | None = None,
) -> StagedUpload:
    """Stage and check one upload; raise :class:`UploadRefused` (nothing kept) or return it.

    ``current_usage``/``quota``: bytes already used by the dossier and its quota
    (``None``: no quota). ``scanner``: the antivirus (``None``: not configured,
    the result is ``not_scanned``). ``declared_length``: a length the client
    announced (Content-Length of the part), refused early when over the limits.

    ``storage``/``key``: also send the bytes to ``storage`` as they arrive
    (:meth:`~storage.base.Storage.begin_upload`, content type of the extension), so
    that receiving and sending overlap. That upload is not an object until
    :meth:`StagedUpload.store` completes it after the checks passed; any refusal or
    error aborts it (nothing stored), and so does closing the staged upload unstored.
    """
    scanner = scanner or DisabledScanner()
    name = safe_filename(filename, max_length=policy.max_filename_length)
    check_extension_allowed(name, policy)
    remaining = None if quota is None else quota - current_usage
    if remaining is not None and remaining <= 0:
        check_quota(current_usage, 1, quota)
    if declared_length is not None:
        check_size(max(declared_length, 1), policy.max_file_size)
        check_quota(current_usage, declared_length, quota)
    limit = policy.max_file_size if remaining is None else min(policy.max_file_size, remaining)

    staging = Path(staging_dir or tempfile.gettempdir())
    staging.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=staging)
    path = Path(tmp)
    upload = None
    try:
        os.fchmod(fd, 0o600)
        if storage is not None:
            if key is None:
                raise ValueError("receive_upload(storage=…) needs the key")
            ext = extension_of(name)
            expected = next(t for t in policy.types() if ext in t.extensions)
            # The HashingReader below hashes the very chunks written: no second hash by the backend.
            upload = storage.begin_upload(key, content_type=expected.media_type, caller_hashes=True)
        # The byte scan (other formats' signatures, a PDF's active names) runs while the file arrives,
        # rather than in a second pass over the staged file.
        reader = HashingReader(stream, limit=limit)
        with os.fdopen(fd, "wb") as out, ByteScan() as byte_scan:
            try:
                for chunk in reader.chunks():
                    out.write(chunk)
                    byte_scan.feed(chunk)
                    if upload is not None:
                        upload.write(chunk)
            except SizeLimitExceeded:
                if remaining is not None and remaining < policy.max_file_size:
                    check_quota(current_usage, limit + 1, quota)
                check_size(limit + 1, limit)
                raise
        check_size(reader.size, policy.max_file_size)
        file_type = identify(path, name, policy, scan=byte_scan)
        scan = scanner.scan_file(path)
        if scan.state is ScanState.INFECTED:
            raise UploadRefused("infected", _l("Ce fichier contient un virus (%(signature)s) : il a été refusé.",
                                               signature=scan.signature or "?"), signature=scan.signature)
        return StagedUpload(path=path, filename=name, file_type=file_type, size=reader.size,
                            sha256=reader.sha256, scan=scan, upload=upload)
    except BaseException:
        if upload is not None:
            upload.abort()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        raise


@dataclass(frozen=True)
class AcceptedUpload:
    stored: StoredObject
    filename: str
    file_type: FileType
    scan: ScanResult


def accept_upload(storage: Storage, key: str, stream: Source, **kwargs) -> AcceptedUpload:
    """:func:`receive_upload` then store under ``key``; the caller then commits its row
    (and deletes ``key`` if that commit fails — or leaves it to the orphan sweep)."""
    with receive_upload(stream, storage=storage, key=key, **kwargs) as staged:
        stored = staged.store(storage, key)
        return AcceptedUpload(stored=stored, filename=staged.filename, file_type=staged.file_type, scan=staged.scan)
