"""Upload checks of PDFs: active content (JavaScript, launch actions, embedded files, rich media, XFA),
password protection and unparsable files (:func:`check_pdf`, pikepdf), plus a raw byte scan
(:class:`PdfRawScan`) that also catches such names outside the cross-reference table.

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from .base import CHUNK_SIZE
from .safety_types import UploadRefused


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
        # the bytes across the chunk's start first (a name cut in two by the chunking), then the chunk itself,
        # in stream order and without copying the chunk
        match = _PDF_RAW_RE.search(self._tail + chunk[:_RAW_OVERLAP]) or _PDF_RAW_RE.search(chunk)
        if match:
            self.found = match.group(0).decode("latin-1")
            self._tail = b""
        else:
            self._tail = (self._tail + chunk[-_RAW_OVERLAP:])[-_RAW_OVERLAP:]


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
