"""Rendering of documents to PDF: tagged (PDF/UA-1) and archival (PDF/A-3a).

``render_pdf(template_name, context, title=...)`` renders a Jinja template of
the current app (``render_template``, so ``_()`` and the app's filters work)
in the requested language, then WeasyPrint makes the PDF:

- variant ``pdf/a-3a``: PDF 1.7, XMP metadata with ``pdfaid:part=3`` /
  ``conformance=A``, sRGB output intent, every font embedded (subset), file
  identifier; level A also turns on WeasyPrint's tagging (structure tree,
  ``/MarkInfo /Marked true``, ``/Lang``, ``/ViewerPreferences
  /DisplayDocTitle true``, table header cells, list items, figures' ``alt``);
- the XMP also declares ``pdfuaid:part=1`` (PDF/UA-1), with the PDF/A
  extension schema that PDF/A requires for that property;
- optional attachments are embedded as PDF/A-3 associated files (``/AF``).

Nothing is fetched over the network: the URL fetcher only serves ``data:``
URLs and files under the documents' own static folder and the system fonts.
Any error logged by WeasyPrint (an image without ``alt``, a missing ``lang``,
a resource it cannot load) fails the rendering with :class:`DocumentRenderError`.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import quote
from urllib.request import url2pathname
from xml.etree import ElementTree

from flask import current_app, has_app_context, render_template
from flask_babel import force_locale, gettext
from jinja2 import TemplateNotFound

from core.documents.livret import Livret2, Receipt

__all__ = [
    "DocumentRenderError", "PDF_VARIANT", "PdfAttachment", "PRINT_STYLESHEET",
    "render_livret2", "render_pdf", "render_receipt", "sha256_hex",
]

PDF_VARIANT = "pdf/a-3a"
PDFUA_PART = 1
PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
PRINT_STYLESHEET = STATIC_DIR / "print.css"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
MANIFEST_FILENAME = "manifeste-annexes.json"

_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NS_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
_NS_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
_NS_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_NS_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"


_RENDER_LOCK = threading.RLock()


class DocumentRenderError(RuntimeError):
    """The document could not be rendered; the message says why."""


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (a PDF/A-3 associated file).

    ``relationship`` is the ``/AFRelationship``: ``Data``, ``Source``,
    ``Alternative``, ``Supplement`` or ``Unspecified``.
    """

    filename: str
    data: bytes
    media_type: str = "application/octet-stream"
    description: str = ""
    relationship: str = "Data"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- WeasyPrint glue

def _offline_fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class OfflineURLFetcher(URLFetcher):
        """Serves ``data:`` URLs and local files under allowed folders; refuses the rest."""

        def __init__(self, roots: Sequence[Path]):
            super().__init__(allowed_protocols=("data", "file"), timeout=5)
            self._roots = tuple(root.resolve() for root in roots)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(url.split("?")[0].split("#")[0][len("file:"):])).resolve()
                if any(path.is_relative_to(root) for root in self._roots):
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(f"resource refused (documents are rendered offline): {url}")

    return OfflineURLFetcher


class _ErrorCollector(logging.Handler):
    """Collects the errors WeasyPrint logs while this thread renders."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.thread_id = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            self.messages.append(record.getMessage())


def _metadata_class():
    from weasyprint.pdf.metadata import DocumentMetadata

    class AccessibleMetadata(DocumentMetadata):
        """Adds the PDF/UA identification (and its PDF/A extension schema) to the XMP."""

        def generate_rdf_metadata(self, variant, version, conformance):
            xml = super().generate_rdf_metadata(variant, version, conformance)
            for prefix, uri in (("pdfuaid", _NS_PDFUAID), ("pdfaExtension", _NS_EXTENSION),
                                ("pdfaSchema", _NS_SCHEMA), ("pdfaProperty", _NS_PROPERTY)):
                ElementTree.register_namespace(prefix, uri)
            rdf = ElementTree.fromstring(xml)
            ua = ElementTree.SubElement(rdf, f"{{{_NS_RDF}}}Description", {f"{{{_NS_RDF}}}about": ""})
            ElementTree.SubElement(ua, f"{{{_NS_PDFUAID}}}part").text = str(PDFUA_PART)

            ext = ElementTree.SubElement(rdf, f"{{{_NS_RDF}}}Description", {f"{{{_NS_RDF}}}about": ""})
            schemas = ElementTree.SubElement(ext, f"{{{_NS_EXTENSION}}}schemas")
            bag = ElementTree.SubElement(schemas, f"{{{_NS_RDF}}}Bag")
            schema = ElementTree.SubElement(bag, f"{{{_NS_RDF}}}li", {f"{{{_NS_RDF}}}parseType": "Resource"})
            ElementTree.SubElement(schema, f"{{{_NS_SCHEMA}}}schema").text = "PDF/UA Universal Accessibility Schema"
            ElementTree.SubElement(schema, f"{{{_NS_SCHEMA}}}namespaceURI").text = _NS_PDFUAID
            ElementTree.SubElement(schema, f"{{{_NS_SCHEMA}}}prefix").text = "pdfuaid"
            props = ElementTree.SubElement(schema, f"{{{_NS_SCHEMA}}}property")
            seq = ElementTree.SubElement(props, f"{{{_NS_RDF}}}Seq")
            prop = ElementTree.SubElement(seq, f"{{{_NS_RDF}}}li", {f"{{{_NS_RDF}}}parseType": "Resource"})
            ElementTree.SubElement(prop, f"{{{_NS_PROPERTY}}}name").text = "part"
            ElementTree.SubElement(prop, f"{{{_NS_PROPERTY}}}valueType").text = "Integer"
            ElementTree.SubElement(prop, f"{{{_NS_PROPERTY}}}category").text = "internal"
            ElementTree.SubElement(prop, f"{{{_NS_PROPERTY}}}description").text = (
                "Indicates, which part of ISO 14289 standard is followed")
            return ElementTree.tostring(rdf, encoding="utf-8")

    return AccessibleMetadata


@contextmanager
def _source_date_epoch(created: datetime):
    """Font subsets carry a timestamp: pin it (reproducible builds' SOURCE_DATE_EPOCH,
    honoured by fontTools) to the document's date, so that the same input gives the
    same bytes. Callers hold ``_RENDER_LOCK``: the environment is process-wide."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(created.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


_HEADINGS = tuple(f"{{http://www.w3.org/1999/xhtml}}h{n}" for n in range(1, 7)) + tuple(f"h{n}" for n in range(1, 7))


def _link_labels(root) -> dict[str, str]:
    """For each ``id`` of the document, a label for links pointing to it: the text
    of its first heading, else its own text (the annotation's ``/Contents``)."""
    labels: dict[str, str] = {}
    for element in root.iter():
        anchor = element.get("id") if isinstance(element.tag, str) else None
        if not anchor:
            continue
        heading = element if element.tag in _HEADINGS else next(
            (e for e in element.iter() if e.tag in _HEADINGS), None)
        text = " ".join("".join((heading if heading is not None else element).itertext()).split())
        if text:
            labels[anchor] = text[:200]
    return labels


def _finisher(link_labels: dict[str, str]):
    import pydyf

    def finish(document, pdf) -> None:
        # Internal links: describe the target (PDF/UA wants a meaningful /Contents).
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Subtype") == "/Link" and "Dest" in obj:
                target = getattr(obj["Dest"], "string", None)
                if target in link_labels:
                    obj["Contents"] = pydyf.String(link_labels[target])
        # WeasyPrint may list an associated file twice in /AF.
        if "AF" in pdf.catalog:
            unique = []
            for reference in pdf.catalog["AF"]:
                if reference not in unique:
                    unique.append(reference)
            pdf.catalog["AF"] = pydyf.Array(unique)

    return finish


def _w3c_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _weasy_attachments(attachments: Iterable[PdfAttachment], created: datetime, fetcher):
    from weasyprint import Attachment

    out = []
    for item in attachments:
        if not isinstance(item, PdfAttachment):
            raise DocumentRenderError(f"attachments must be PdfAttachment objects, got {type(item).__name__}")
        url = f"data:{quote(item.media_type, safe='/+.-')};base64,{base64.b64encode(item.data).decode('ascii')}"
        out.append(Attachment(url=url, url_fetcher=fetcher, name=item.filename,
                              description=item.description or None, created=created, modified=created,
                              relationship=item.relationship))
    return out


# --------------------------------------------------------------------------- public API

def render_pdf(template_name: str, context: dict[str, Any], *, title: str, lang: str = "fr",
               author: str = "Livret", attachments: Iterable[PdfAttachment] | None = None,
               created: datetime | None = None, subject: str | None = None) -> bytes:
    """Render ``template_name`` with ``context`` to a PDF/A-3a + PDF/UA-1 document.

    Needs an application context. The template gets, besides ``context``:
    ``document_title``, ``document_lang``, ``document_author``,
    ``document_created`` (W3C date) and ``for_print=True``; it should use
    them for ``<html lang>``, ``<title>`` and ``<meta name="author">`` (see
    ``documents/_base.html``). ``created`` (default: now) fixes the creation
    and modification dates, which makes the output reproducible.
    """
    if not has_app_context():
        raise DocumentRenderError("render_pdf needs a Flask application context")
    if not title or not title.strip():
        raise DocumentRenderError("a PDF/UA document needs a title")
    app = current_app._get_current_object()
    if "documents" not in app.blueprints:
        raise DocumentRenderError("the documents blueprint is not registered (core.documents.init_app)")
    created = created or datetime.now(timezone.utc)
    created_w3c = _w3c_datetime(created)

    try:
        with force_locale(lang):
            html = render_template(template_name, **context, document_title=title, document_lang=lang,
                                   document_author=author, document_created=created_w3c,
                                   document_subject=subject, for_print=True)
    except TemplateNotFound as exc:
        raise DocumentRenderError(f"document template not found: {exc.name}") from exc
    except DocumentRenderError:
        raise
    except Exception as exc:
        raise DocumentRenderError(f"could not render the template {template_name}: {exc}") from exc
    return html_to_pdf(html, title=title, lang=lang, author=author, created=created,
                       attachments=attachments, subject=subject)


def html_to_pdf(html: str, *, title: str, lang: str = "fr", author: str = "Livret",
                created: datetime | None = None, attachments: Iterable[PdfAttachment] | None = None,
                subject: str | None = None, stylesheets: Sequence[Path] = (PRINT_STYLESHEET,)) -> bytes:
    """The WeasyPrint half of :func:`render_pdf`, for an HTML string already rendered."""

    created = created or datetime.now(timezone.utc)
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    with _RENDER_LOCK, _source_date_epoch(created):
        return _html_to_pdf(html, title=title, lang=lang, author=author, created=created,
                            attachments=attachments, subject=subject, stylesheets=stylesheets)


def _html_to_pdf(html, *, title, lang, author, created, attachments, subject, stylesheets) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.logger import LOGGER
    from weasyprint.urls import FatalURLFetchingError

    created_w3c = _w3c_datetime(created)
    fetcher = _offline_fetcher_class()([STATIC_DIR, *(d for d in FONT_DIRS if d.exists())])
    collector = _ErrorCollector()
    LOGGER.addHandler(collector)
    try:
        source = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        document = source.render(
            stylesheets=[CSS(filename=str(path), url_fetcher=fetcher) for path in stylesheets])
        metadata = document.metadata
        document.metadata = _metadata_class()(
            title=title, authors=[author], description=subject or metadata.description,
            keywords=metadata.keywords, generator="Livret", created=created_w3c, modified=created_w3c,
            attachments=metadata.attachments, lang=lang, custom=metadata.custom,
            xmp_metadata=metadata.xmp_metadata)
        pdf = document.write_pdf(
            pdf_variant=PDF_VARIANT,
            attachments=_weasy_attachments(attachments or (), created, fetcher) or None,
            finisher=_finisher(_link_labels(source.etree_element)),
        )
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint
        raise DocumentRenderError(f"PDF rendering failed: {exc}") from exc
    except DocumentRenderError:
        raise
    except Exception as exc:
        raise DocumentRenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    finally:
        LOGGER.removeHandler(collector)
    if collector.messages:
        raise DocumentRenderError("PDF rendering reported errors: " + "; ".join(collector.messages))
    return pdf


def livret2_title(livret: Livret2) -> str:
    return gettext("%(name)s – %(certification)s – %(candidate)s – dossier %(reference)s",
                   name=livret.certification.document_name, certification=livret.certification.code,
                   candidate=livret.candidate.full_name, reference=livret.dossier.reference)


def render_livret2(livret: Livret2, *, lang: str = "fr", created: datetime | None = None,
                   attachments: Iterable[PdfAttachment] = (), preview: bool = False) -> bytes:
    """The Livret 2 PDF; the annex manifest is also embedded as ``manifeste-annexes.json``.

    ``preview``: the candidate's look before signing, marked « Aperçu – non signé » on the
    cover, in the title and on every page (never signed nor sealed by the caller).
    """
    created = created or livret.dossier.submitted_at
    with force_locale(lang):
        title = livret2_title(livret)
        if preview:
            title = gettext("Aperçu – non signé – %(title)s", title=title)
        manifest = PdfAttachment(MANIFEST_FILENAME, livret.manifest_json(), "application/json",
                                 gettext("Manifeste des annexes (numéro, titre, type, taille, SHA-256)"),
                                 "Data")
    return render_pdf("documents/livret2.html", {"livret": livret, "preview": preview}, title=title, lang=lang,
                      author=livret.candidate.full_name, created=created,
                      attachments=[manifest, *attachments],
                      subject=f"{livret.certification.registry} {livret.certification.number} "
                              f"{livret.certification.title}".strip())


def render_receipt(receipt: Receipt, *, lang: str = "fr", created: datetime | None = None) -> bytes:
    """The acknowledgement of submission PDF."""
    created = created or receipt.dossier.submitted_at
    with force_locale(lang):
        title = gettext("Accusé de réception de dépôt – dossier %(reference)s, version %(version)s",
                        reference=receipt.dossier.reference, version=receipt.dossier.version)
    return render_pdf("documents/receipt.html", {"receipt": receipt}, title=title, lang=lang,
                      author=receipt.issued_by or receipt.certification.certifier or "Livret",
                      created=created)
