"""Upload checks: one format only (a file also valid as a ZIP, RAR or 7z archive, or as a PDF, is refused:
:func:`check_single_format`) and the decoding of images (:func:`check_image`).

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

import zipfile

from flask_babel import lazy_gettext as _l

from .base import CHUNK_SIZE
from .safety_types import JPEG, PDF, PNG, FileType, UploadPolicy, UploadRefused


# -- one format only ------------------------------------------------------------------
# A file whose bytes are valid in two formats (a "polyglot": a PDF with a ZIP central directory
# appended, an image followed by a RAR archive, a DOCX that a PDF reader also opens) is read
# differently by each program: the checks of one format say nothing of the other. Refused.
_RAR_MAGIC = b"Rar!\x1a\x07"  # RAR 4 and RAR 5 (unrar looks for it anywhere, as in self-extracting files)
_7Z_MAGIC = b"7z\xbc\xaf\x27\x1c"  # 7-Zip also finds an archive after any prefix
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024  # PDF readers accept the header anywhere in the first 1024 bytes
_ARCHIVE_MAGICS = ((_RAR_MAGIC, "rar"), (_7Z_MAGIC, "7z"))
_MAGIC_OVERLAP = max(len(m) for m, _k in _ARCHIVE_MAGICS) - 1

_KIND_PHRASES = {
    "pdf": _l("un PDF"),
    "png": _l("une image PNG"),
    "jpeg": _l("une image JPEG"),
    "zip": _l("une archive ZIP"),
    "rar": _l("une archive RAR"),
    "7z": _l("une archive 7z"),
}


def _kind_phrase(file_type: FileType):
    return _KIND_PHRASES.get(file_type.key) or _l("un document %(label)s", label=file_type.label)


class FormatScan:
    """Signatures of other formats met in the bytes, fed chunk by chunk (``receive_upload`` runs it while
    the file arrives): RAR and 7z archives anywhere, a PDF header in the first 1024 bytes."""

    def __init__(self):
        self._tail = b""
        self.head = b""
        self.found: set[str] = set()

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if len(self.head) < _PDF_HEADER_WINDOW:
            self.head += chunk[:_PDF_HEADER_WINDOW - len(self.head)]
        # the chunk itself, then the few bytes across its start (the previous chunk's end and its beginning):
        # no copy of the whole chunk, which the caller also hashes, writes and uploads
        seam = self._tail + chunk[:_MAGIC_OVERLAP]
        for magic, kind in _ARCHIVE_MAGICS:
            if kind not in self.found and (magic in seam or magic in chunk):
                self.found.add(kind)
        self._tail = (self._tail + chunk[-_MAGIC_OVERLAP:])[-_MAGIC_OVERLAP:]

    @property
    def has_pdf_header(self) -> bool:
        return _PDF_MAGIC in self.head


def _format_scan_of(path) -> FormatScan:
    scan = FormatScan()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK_SIZE)
            if not chunk:
                break
            scan.feed(chunk)
    return scan


def has_zip_directory(path) -> bool:
    """Whether a ZIP reader opens ``path``: an end-of-central-directory record (near the end, where every
    reader looks), a central directory with at least one entry, and that entry's local header in place."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if not infos:
                return False
            zf.fp.seek(infos[0].header_offset)
            return zf.fp.read(4) == b"PK\x03\x04"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


def check_single_format(path, file_type: FileType, *, scan: FormatScan | None = None) -> None:
    """Refuse (``multiple_formats``) a file that is also a ZIP, RAR or 7z archive, or also a PDF."""
    scan = scan if scan is not None else _format_scan_of(path)
    container = file_type not in (PDF, PNG, JPEG)  # a DOCX, an ODT…: a ZIP by design
    others = []
    if file_type is not PDF and scan.has_pdf_header:
        others.append("pdf")
    if not container and has_zip_directory(path):
        others.append("zip")
    others.extend(kind for _magic, kind in _ARCHIVE_MAGICS if kind in scan.found)
    if others:
        raise UploadRefused(
            "multiple_formats",
            _l("Ce fichier est à la fois %(first)s et %(second)s : enregistrez-le de nouveau dans un seul format.",
               first=_kind_phrase(file_type), second=_KIND_PHRASES[others[0]]),
            detected=file_type.media_type, formats=others)


# -- images --------------------------------------------------------------------------
def check_image(path, file_type: FileType, policy: UploadPolicy) -> None:
    from PIL import Image

    invalid = UploadRefused("image_invalid", _l("L'image est illisible ou endommagée."))
    try:
        with Image.open(path) as im:
            if im.format != {"png": "PNG", "jpeg": "JPEG"}[file_type.key]:
                raise invalid
            width, height = im.size
            if width * height > policy.max_image_pixels:
                raise UploadRefused("image_too_large", _l("L'image est trop grande (%(pixels)s millions de pixels au plus).",
                                                          pixels=policy.max_image_pixels // 1_000_000))
            im.verify()
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        raise invalid from None
