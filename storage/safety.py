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
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from flask_babel import lazy_gettext as _l

from .base import CHUNK_SIZE, STAGING_PREFIX, HashingReader, SizeLimitExceeded, Source, Storage, StoredObject, Upload
from .scanner import BaseScanner, DisabledScanner, ScanResult, ScanState



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

_ODF_TYPES = {ODT.media_type: ODT, ODS.media_type: ODS}
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
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


# -- type ----------------------------------------------------------------------------
def sniff_media_type(path: str | os.PathLike) -> str:
    """The media type libmagic reads from the content (never from the name)."""
    import magic

    return magic.from_file(str(path), mime=True)


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


def check_extension_allowed(filename: str, policy: UploadPolicy) -> None:
    ext = extension_of(filename)
    if not any(ext in t.extensions for t in policy.types()):
        raise UploadRefused(
            "type_not_allowed",
            _l("Ce type de fichier n'est pas accepté. Formats acceptés : %(allowed)s.", allowed=_allowed_labels(policy)),
            extension=ext)


def identify(path: str | os.PathLike, filename: str, policy: UploadPolicy, *,
             pdf_raw_scan: PdfRawScan | None = None, format_scan: FormatScan | None = None) -> FileType:
    """Sniff the content, refuse a file valid in more than one format, run the type's own checks, and
    require the extension to match.

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
    check_single_format(path, file_type, scan=format_scan)
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
        check_pdf(path, raw_scan=pdf_raw_scan)
    return file_type


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
        window = self._tail + chunk
        for magic, kind in _ARCHIVE_MAGICS:
            if kind not in self.found and magic in window:
                self.found.add(kind)
        self._tail = window[-_MAGIC_OVERLAP:]

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


# -- PDF -----------------------------------------------------------------------------
_PDF_BAD_KEYS = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia",
                 "/RichMediaContent", "/RichMediaExecute", "/XFA"}
_PDF_BAD_NAMES = {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/SubmitForm",
                  "/EmbeddedFile", "/RichMedia", "/FileAttachment", "/Movie", "/Sound", "/Rendition"}


def _escaped_name_pattern(name: str) -> bytes:
    """``/Name`` where any character may also be written ``#xx`` (hex, either case)."""
    parts = []
    for ch in name:
        hi, lo = f"{ord(ch):02x}"
        escaped = b"#[" + (hi.upper() + hi).encode() + b"][" + (lo.upper() + lo).encode() + b"]"
        parts.append(b"(?:" + re.escape(ch.encode()) + b"|" + escaped + b")")
    return b"/" + b"".join(parts)


# Names long enough that finding them by chance in compressed binary data is negligible;
# the "#xx" escapes an obfuscated file would use are matched too.
_PDF_RAW_RE = re.compile(b"|".join(_escaped_name_pattern(n) for n in
                                   ("JavaScript", "Launch", "EmbeddedFile", "RichMedia")))
_RAW_OVERLAP = 64


def _pdf_active_content(**details):
    return UploadRefused(
        "pdf_active_content",
        _l("Ce PDF contient du contenu actif (JavaScript, action de lancement, fichier joint ou formulaire XFA) "
           "et ne peut pas être accepté. Imprimez-le en PDF ou exportez-le à nouveau sans ces éléments."),
        **details)


class PdfRawScan:
    """The raw byte scan of :func:`check_pdf`, fed chunk by chunk (``receive_upload`` runs it
    while the file arrives); ``found`` is the first active-content name met, or ``None``."""

    def __init__(self):
        self._tail = b""
        self.found: str | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found is not None or not chunk:
            return
        window = self._tail + chunk
        match = _PDF_RAW_RE.search(window)
        if match:
            self.found = match.group(0).decode("latin-1")
            self._tail = b""
        else:
            self._tail = window[-_RAW_OVERLAP:]


def _raw_pdf_scan(path) -> str | None:
    scan = PdfRawScan()
    with open(path, "rb") as f:
        while scan.found is None:
            chunk = f.read(CHUNK_SIZE)
            if not chunk:
                break
            scan.feed(chunk)
    return scan.found


def check_pdf(path, *, raw_scan: PdfRawScan | None = None) -> None:
    """Refuse PDFs with active content, encrypted (password) or unparsable PDFs.

    Every object (including those in object streams, which qpdf decodes, and
    names written with ``#xx`` escapes, which qpdf normalises) is walked for the
    keys and names of JavaScript, launch/import/submit actions, embedded files,
    rich media and XFA; a raw byte scan also catches such names in objects
    outside the cross-reference table.
    """
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise UploadRefused("pdf_encrypted", _l("Ce PDF est protégé par un mot de passe : déposez une version sans mot de passe."))
    except Exception:  # noqa: BLE001 - pikepdf.PdfError and friends
        raise UploadRefused("pdf_invalid", _l("Ce PDF est illisible ou endommagé.")) from None
    with pdf:
        try:
            for obj in pdf.objects:
                reason = _pdf_find_active(obj, pikepdf, 0)
                if reason:
                    raise _pdf_active_content(found=reason)
        except UploadRefused:
            raise
        except RecursionError:
            raise UploadRefused("pdf_invalid", _l("Ce PDF est illisible ou endommagé.")) from None
        except Exception:  # noqa: BLE001
            raise UploadRefused("pdf_invalid", _l("Ce PDF est illisible ou endommagé.")) from None
    # ``raw_scan``: the same scan, already run over the very bytes of ``path`` as they were staged.
    found = raw_scan.found if raw_scan is not None else _raw_pdf_scan(path)
    if found:
        raise _pdf_active_content(found=found)


def _pdf_find_active(obj, pikepdf, depth: int) -> str | None:
    if depth > 100:
        return "nesting too deep"
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in obj.keys():
            if key in _PDF_BAD_KEYS:
                return key
            value = obj.get(key)
            if key == "/URI" and isinstance(value, pikepdf.String):
                if bytes(value).strip().lower().startswith((b"javascript:", b"vbscript:", b"file:")):
                    return "/URI " + bytes(value)[:20].decode("latin-1")
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                found = _pdf_find_active(value, pikepdf, depth + 1)
                if found:
                    return found
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                found = _pdf_find_active(item, pikepdf, depth + 1)
                if found:
                    return found
    elif isinstance(obj, pikepdf.Name):
        if str(obj) in _PDF_BAD_NAMES:
            return str(obj)
    return None


# -- ZIP containers (DOCX, ODT) ------------------------------------------------------
_MACRO_CONTENT_TYPES = ("vbaproject", "macroenabled", "activex", "vbadata", "ms-office.vba")
_MACRO_MEMBER_RE = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml|activex[^/]*\.(bin|xml))$|(^|/)activex/",
                              re.IGNORECASE)
_OLE_MEMBER_RE = re.compile(r"(^|/)oleobject[^/]*\.bin$|\.(exe|dll|scr|bat|cmd|com|js|vbs|ps1|jar|msi|docm|dotm|"
                            r"xlsm|xltm|pptm|potm|xlam|ppam|sldm)$", re.IGNORECASE)
_ODF_SCRIPT_RE = re.compile(r"^(basic|scripts)/", re.IGNORECASE)


def _container_invalid():
    return UploadRefused("container_invalid", _l("Ce document est endommagé ou n'est pas un document bureautique valide."))


def _zip_bomb(**details):
    return UploadRefused(
        "container_too_large",
        _l("Ce document se décompresse en une taille anormale (fichier piégé ou trop volumineux) : il est refusé."),
        **details)


def _macros(member: str):
    return UploadRefused(
        "macros",
        _l("Ce document contient des macros, des contrôles ActiveX ou des objets exécutables intégrés : "
           "enregistrez-le sans macros (DOCX ou ODT) et déposez-le à nouveau."),
        member=member)


def _safe_member_name(name: str) -> bool:
    if not name or len(name) > 512 or "\\" in name or name.startswith("/") or "\0" in name:
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        return False
    return all(part not in ("..", ".") for part in name.rstrip("/").split("/"))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with zf.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise _zip_bomb(member=info.filename)
    return data


def _parse_xml(data: bytes):
    # No DTDs: they are what entity-expansion attacks need, and no office part has one.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _container_invalid()
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise _container_invalid() from None


def inspect_zip_container(path, policy: UploadPolicy) -> FileType:
    """Inspect a ZIP-based file before anything uses it; return DOCX/ODT/… or refuse.

    Checks: readable central directory; member count; member names (no absolute
    path, no ``..``, no backslash, no drive letter, no control character, no
    duplicate); no encrypted member; declared total size and per-member
    compression ratio; then *every* member is decompressed in a streaming pass
    with a byte budget (so lying headers cannot hide a bomb) and CRC-checked by
    :mod:`zipfile`. The kind comes from the structure: ODF needs a first,
    uncompressed ``mimetype`` member and ``META-INF/manifest.xml``; OOXML needs
    ``[Content_Types].xml`` naming the main part. Macros (``vbaProject.bin``,
    macro-enabled content types, ActiveX, OLE objects, executables, ODF ``Basic/``
    and ``Scripts/``) are refused. A ZIP that is neither is an archive: refused.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _container_invalid() from None
    with zf:
        infos = zf.infolist()
        if not infos:
            raise _container_invalid()
        if len(infos) > policy.max_archive_members:
            raise _zip_bomb(members=len(infos))
        names = set()
        total_declared = 0
        for info in infos:
            if not _safe_member_name(info.filename):
                raise UploadRefused("unsafe_member_name",
                                    _l("Ce document contient un chemin interne dangereux et ne peut pas être accepté."),
                                    member=info.filename[:200])
            if info.filename in names:
                raise _container_invalid()
            names.add(info.filename)
            if info.flag_bits & 0x1:
                raise UploadRefused("container_encrypted",
                                    _l("Ce document est chiffré : déposez une version sans mot de passe."))
            total_declared += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > policy.max_compression_ratio * max(info.compress_size, 1):
                raise _zip_bomb(member=info.filename, ratio=info.file_size // max(info.compress_size, 1))
        if total_declared > policy.max_uncompressed_size:
            raise _zip_bomb(declared=total_declared)

        kind = _container_kind(zf, infos, names)
        if kind is None:
            raise _refuse_archive("application/zip")

        for info in infos:
            lowered = info.filename.lower()
            if _MACRO_MEMBER_RE.search(lowered) or _OLE_MEMBER_RE.search(lowered):
                raise _macros(info.filename)
            if kind in (ODT, ODS) and _ODF_SCRIPT_RE.match(info.filename):
                raise _macros(info.filename)

        # Decompress everything once, streaming, within the budget; zipfile checks CRCs
        # and that the data match the declared sizes.
        budget = policy.max_uncompressed_size
        try:
            for info in infos:
                if info.is_dir():
                    continue
                produced = 0
                with zf.open(info) as member:
                    while True:
                        block = member.read(CHUNK_SIZE)
                        if not block:
                            break
                        produced += len(block)
                        budget -= len(block)
                        if budget < 0:
                            raise _zip_bomb(member=info.filename)
                if produced != info.file_size:
                    raise _container_invalid()
        except UploadRefused:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError):
            raise _container_invalid() from None
        except Exception:  # noqa: BLE001 - zlib.error, lzma errors …
            raise _container_invalid() from None
    return kind


def _container_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], names: set[str]) -> FileType | None:
    first = infos[0]
    if first.filename == "mimetype":
        if first.compress_type != zipfile.ZIP_STORED:
            raise _container_invalid()
        mimetype = _read_member(zf, first, 200).decode("ascii", "replace").strip()
        kind = _ODF_TYPES.get(mimetype)
        if kind is None:
            if mimetype.startswith("application/vnd.oasis.opendocument"):
                return FileType("odf-other", mimetype, (), "OpenDocument")
            raise _container_invalid()
        if "META-INF/manifest.xml" not in names:
            raise _container_invalid()
        manifest = _parse_xml(_read_member(zf, zf.getinfo("META-INF/manifest.xml"), 1024 * 1024))
        for entry in manifest.iter():
            media = (entry.attrib.get("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}media-type") or "").lower()
            if "basic" in media or "script" in media:
                raise _macros("META-INF/manifest.xml")
        return kind
    if "[Content_Types].xml" in names:
        types = _parse_xml(_read_member(zf, zf.getinfo("[Content_Types].xml"), 1024 * 1024))
        content_types = []
        for entry in types.iter():
            ct = entry.attrib.get("ContentType")
            if ct:
                content_types.append((entry.attrib.get("PartName", ""), ct))
        for part, ct in content_types:
            if any(marker in ct.lower() for marker in _MACRO_CONTENT_TYPES):
                raise _macros(part or ct)
        if "_rels/.rels" not in names:
            raise _container_invalid()
        for part, ct in content_types:
            kind = _OOXML_MAIN.get(ct)
            if kind is not None:
                if part.lstrip("/") not in names:
                    raise _container_invalid()
                return kind
        return FileType("ooxml-other", "application/vnd.openxmlformats-officedocument", (), "Office Open XML")
    return None


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
        # A .pdf gets its raw byte scan (check_pdf) while it arrives rather than in a second pass.
        raw_scan = PdfRawScan() if extension_of(name) in PDF.extensions else None
        format_scan = FormatScan()  # other formats' signatures (check_single_format), on the same pass
        reader = HashingReader(stream, limit=limit)
        with os.fdopen(fd, "wb") as out:
            try:
                for chunk in reader.chunks():
                    out.write(chunk)
                    format_scan.feed(chunk)
                    if raw_scan is not None:
                        raw_scan.feed(chunk)
                    if upload is not None:
                        upload.write(chunk)
            except SizeLimitExceeded:
                if remaining is not None and remaining < policy.max_file_size:
                    check_quota(current_usage, limit + 1, quota)
                check_size(limit + 1, limit)
                raise
        check_size(reader.size, policy.max_file_size)
        file_type = identify(path, name, policy, pdf_raw_scan=raw_scan, format_scan=format_scan)
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
