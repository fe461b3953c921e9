"""Real sample files generated for the storage tests (no fixtures checked in)."""
from __future__ import annotations

import functools
import io
import zipfile

DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "{extra}</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)


def docx(*, text: str = "Attestation d'emploi", extra_members: dict[str, bytes] | None = None,
         extra_types: str = "", document_padding: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES.format(extra=extra_types))
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr("word/document.xml", DOCX_DOCUMENT.format(text=text) + " " * document_padding)
        for name, data in (extra_members or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def odt(*, text: str = "Fiche de poste", extra_members: dict[str, bytes] | None = None,
        mimetype: str = "application/vnd.oasis.opendocument.text", mimetype_first: bool = True) -> bytes:
    buf = io.BytesIO()
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text><text:p>{text}</text:p></office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if mimetype_first:
            z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
        if not mimetype_first:
            z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in (extra_members or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def pdf() -> bytes:
    """A real PDF rendered by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string="<html lang='fr'><body><h1>Attestation</h1><p>Bonjour, ceci est une pièce.</p></body></html>"
                ).write_pdf()


def pdf_modified(modify, **save_kwargs) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf())) as doc:
        modify(doc, pikepdf)
        out = io.BytesIO()
        doc.save(out, **save_kwargs)
        return out.getvalue()


def pdf_with_openaction_js(**save_kwargs) -> bytes:
    def modify(doc, pikepdf):
        doc.Root.OpenAction = doc.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x');")))

    return pdf_modified(modify, **save_kwargs)


def pdf_with_embedded_file() -> bytes:
    def modify(doc, pikepdf):
        doc.attachments["payload.txt"] = pikepdf.AttachedFileSpec(doc, b"hidden payload", mime_type="text/plain")

    return pdf_modified(modify)


def pdf_with_launch_action() -> bytes:
    def modify(doc, pikepdf):
        page = doc.pages[0]
        page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.Launch,
                                                              F=pikepdf.String("cmd.exe")))

    return pdf_modified(modify)


def handwritten_pdf(catalog_extra: str) -> bytes:
    """A minimal PDF written byte by byte (with a correct xref), to try obfuscated names."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def image(fmt: str, size=(64, 48)) -> bytes:
    from PIL import Image

    img = Image.new("RGB", size, (200, 30, 30))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cv.pdf", pdf())
        z.writestr("notes.txt", "x")
    return buf.getvalue()


def gzip_bytes() -> bytes:
    import gzip

    return gzip.compress(b"some text " * 100)


def windows_exe() -> bytes:
    """A tiny PE-like header (MZ…PE): not an allowed type whatever libmagic calls it."""
    dos = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    dos = dos.ljust(0x3C, b"\x00") + (0x40).to_bytes(4, "little")
    pe = b"PE\x00\x00" + (0x14C).to_bytes(2, "little") + b"\x01\x00" + b"\x00" * 12 + (0xE0).to_bytes(2, "little") \
        + (0x0102).to_bytes(2, "little")
    optional = (0x10B).to_bytes(2, "little") + b"\x00" * (0xE0 - 2)
    return bytes(dos) + pe + optional + b"\x00" * 512


# -- files valid in two formats at once ("polyglots") ---------------------------------
def rar5_archive() -> bytes:
    """A real, empty RAR 5 archive: signature, main archive header, end-of-archive header (CRC32 each)."""
    import struct
    import zlib

    def header(body: bytes) -> bytes:
        sized = bytes([len(body)]) + body  # header size (vint), then type, flags, type-specific flags
        return struct.pack("<I", zlib.crc32(sized)) + sized

    return b"Rar!\x1a\x07\x01\x00" + header(b"\x01\x00\x00") + header(b"\x05\x00\x00")


def sevenzip_archive() -> bytes:
    """A real, empty 7z archive: signature header with its CRC, no next header."""
    import struct
    import zlib

    start = struct.pack("<QQI", 0, 0, 0)  # next header offset, size, CRC
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start)) + start


def pdf_then(archive: bytes) -> bytes:
    """The real PDF of :func:`pdf` with ``archive`` appended: a PDF reader and an archive reader both open it."""
    return pdf() + archive


def docx_that_is_also_a_pdf() -> bytes:
    """A DOCX whose first member is a stored PDF: the PDF header falls in the first 1024 bytes."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("a.pdf"), pdf(), compress_type=zipfile.ZIP_STORED)
        for name in source.namelist():
            z.writestr(name, source.read(name))
    return buf.getvalue()
