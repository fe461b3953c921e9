"""Upload checks of PDFs: active content (JavaScript, launch actions, embedded files, rich media, XFA),
password protection and unparsable files (:func:`check_pdf`, pikepdf), plus a raw byte scan
(:class:`~storage.safety_scan.ByteScan`) that also catches such names outside the cross-reference table.

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .safety_scan import ByteScan, scan_file
from .safety_types import UploadRefused


_PDF_BAD_KEYS = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia",
                 "/RichMediaContent", "/RichMediaExecute", "/XFA"}
_PDF_BAD_NAMES = {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/SubmitForm",
                  "/EmbeddedFile", "/RichMedia", "/FileAttachment", "/Movie", "/Sound", "/Rendition"}


def _pdf_active_content(**details):
    return UploadRefused(
        "pdf_active_content",
        _l("Ce PDF contient du contenu actif (JavaScript, action de lancement, fichier joint ou formulaire XFA) "
           "et ne peut pas être accepté. Imprimez-le en PDF ou exportez-le à nouveau sans ces éléments."),
        **details)


def check_pdf(path, *, scan: ByteScan | None = None) -> None:
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
    # ``scan``: the byte scan already run over the very bytes of ``path`` as they were staged
    found = (scan if scan is not None else scan_file(path)).pdf_active
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
