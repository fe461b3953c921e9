"""Upload checks, the shared vocabulary: :class:`UploadRefused`, the accepted :class:`FileType` values,
the :class:`UploadPolicy` limits, display file names (:func:`safe_filename`) and the size and quota checks.

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class UploadRefused(Exception):
    """An upload was refused; ``message`` is French (lazy, translatable), ``code`` stable."""

    def __init__(self, code: str, message, **details):
        super().__init__(code)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return str(self.message)


# -- types -------------------------------------------------------------------------
@dataclass(frozen=True)
class FileType:
    key: str
    media_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("pdf", "application/pdf", (".pdf",), "PDF")
PNG = FileType("png", "image/png", (".png",), "PNG")
JPEG = FileType("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", (".odt",), "ODT")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",), "DOCX")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",), "ODS")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX")
FILE_TYPES = {t.key: t for t in (PDF, PNG, JPEG, ODT, DOCX, ODS, XLSX)}
DEFAULT_ALLOWED = ("pdf", "png", "jpeg", "odt", "docx")


@dataclass(frozen=True)
class UploadPolicy:
    """Limits of the checks (the application builds it from its settings)."""

    max_file_size: int = 20 * 1024 * 1024
    allowed_types: tuple[str, ...] = DEFAULT_ALLOWED
    max_archive_members: int = 1000
    max_uncompressed_size: int = 200 * 1024 * 1024
    max_compression_ratio: int = 100
    max_image_pixels: int = 100_000_000
    max_filename_length: int = 120

    def types(self) -> list[FileType]:
        return [FILE_TYPES[k] for k in self.allowed_types]


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ",") + " Mo"
    if n >= 1024:
        return f"{n // 1024} ko"
    return f"{n} octets"


def _allowed_labels(policy: UploadPolicy) -> str:
    return ", ".join(t.label for t in policy.types())


# -- file names ----------------------------------------------------------------------
_FORBIDDEN_CHARS = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def safe_filename(name: str | None, *, max_length: int = 120, default: str = "document") -> str:
    """A file name fit for display and ``Content-Disposition``; never used in an object key.

    Unicode NFKC-normalised (full-width slashes become slashes), only the last path
    component kept (``/`` and ``\\``), control and formatting characters removed
    (including bidirectional overrides that disguise an extension), characters
    forbidden on common file systems replaced by ``_``, whitespace collapsed,
    leading dots and trailing dots/spaces removed, Windows device names defused,
    and the length limited to ``max_length`` characters (and 240 UTF-8 bytes)
    keeping the extension.
    """
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch in " \t")
    name = _FORBIDDEN_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip()
    name = name.lstrip(". ").rstrip(". ")
    if not name:
        name = default
    if _WINDOWS_RESERVED.match(name):
        name = "_" + name
    stem, ext = os.path.splitext(name)
    if len(ext) > 16:  # not a real extension: keep it in the stem
        stem, ext = name, ""
    ext = ext.lower()
    while stem and (len(stem) + len(ext) > max_length or len((stem + ext).encode()) > 240):
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    return (stem or default) + ext


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower()


# -- size and quota ------------------------------------------------------------------
def check_size(size: int, limit: int) -> None:
    if size <= 0:
        raise UploadRefused("empty", _l("Le fichier est vide."))
    if size > limit:
        raise UploadRefused("too_large", _l("Le fichier dépasse la taille maximale autorisée (%(limit)s).",
                                            limit=_human_size(limit)), limit=limit)


def check_quota(current_usage: int, size: int, quota: int | None) -> None:
    if quota is not None and current_usage + size > quota:
        raise UploadRefused(
            "quota_exceeded",
            _l("Ce fichier dépasse l'espace disponible pour le dossier (%(free)s restants sur %(quota)s).",
               free=_human_size(max(0, quota - current_usage)), quota=_human_size(quota)),
            quota=quota, usage=current_usage)


# -- refusals shared by the type checks -------------------------------------------------
def _refuse_type(detected: str, policy: UploadPolicy):
    return UploadRefused(
        "type_not_allowed",
        _l("Ce type de fichier n'est pas accepté. Formats acceptés : %(allowed)s.", allowed=_allowed_labels(policy)),
        detected=detected)


def _refuse_archive(detected: str):
    return UploadRefused(
        "archive",
        _l("Les archives (ZIP, RAR, 7z, TAR, GZ…) ne sont pas acceptées : déposez chaque pièce séparément."),
        detected=detected)

