"""Upload checks: one format only (a file also valid as a ZIP, RAR or 7z archive, or as a PDF, is refused:
:func:`check_single_format`) and the decoding of images (:func:`check_image`).

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

import zipfile

from flask_babel import lazy_gettext as _l

from .safety_scan import ARCHIVE_MAGICS, ByteScan, scan_file
from .safety_types import JPEG, PDF, PNG, FileType, UploadPolicy, UploadRefused


# -- one format only ------------------------------------------------------------------
# A file whose bytes are valid in two formats (a "polyglot": a PDF with a ZIP central directory
# appended, an image followed by a RAR archive, a DOCX that a PDF reader also opens) is read
# differently by each program: the checks of one format say nothing of the other. Refused.
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


def check_single_format(path, file_type: FileType, *, scan: ByteScan | None = None) -> None:
    """Refuse (``multiple_formats``) a file that is also a ZIP, RAR or 7z archive, or also a PDF.

    ``scan``: the :class:`~storage.safety_scan.ByteScan` already run over the very bytes of ``path`` as they
    were staged; read again from ``path`` without it."""
    scan = scan if scan is not None else scan_file(path)
    container = file_type not in (PDF, PNG, JPEG)  # a DOCX, an ODT…: a ZIP by design
    others = []
    if file_type is not PDF and scan.has_pdf_header:
        others.append("pdf")
    if not container and has_zip_directory(path):
        others.append("zip")
    others.extend(kind for _magic, kind in ARCHIVE_MAGICS if kind in scan.archives)
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
