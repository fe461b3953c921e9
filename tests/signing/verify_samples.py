"""Documents and tamperings for the verification tests (imported by the test modules)."""
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

ROW = ("<tr><th scope='row'>C{n}</th><td>Le candidat analyse le besoin et argumente ses choix.</td>"
       "<td>Acquis</td></tr>")


def tagged_pdf(pages: int) -> bytes:
    """A tagged PDF/A-3a (structure tree, object streams) of about ``pages`` pages, as the platform renders."""
    from weasyprint import HTML

    sections = "".join(
        f"<section style='page-break-after: always'><h2>Bloc {p}</h2><table><caption>Critères</caption>"
        f"<tbody>{''.join(ROW.format(n=n) for n in range(25))}</tbody></table></section>" for p in range(pages))
    html = f"<html lang='fr'><head><meta charset='utf-8'><title>Grille</title></head><body>{sections}</body></html>"
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3a")


def _write(writer) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def append_content(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    ref = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (ADMIS) Tj ET"))
    writer.add_stream_to_page(0, ref)
    return _write(writer)


def change_one_byte(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    pos = data.index(b"/Producer")  # first revision, signed
    data[pos + 1] = ord("p")
    return bytes(data)


def remove_field(pdf: bytes, name: str) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    acroform = writer.root["/AcroForm"]
    acroform["/Fields"] = generic.ArrayObject(f for f in acroform["/Fields"] if f.get_object().get("/T") != name)
    writer.update_container(acroform)
    for page_ref in writer.root["/Pages"]["/Kids"]:
        page = page_ref.get_object()
        if "/Annots" in page:
            page["/Annots"] = generic.ArrayObject(a for a in page["/Annots"] if a.get_object().get("/T") != name)
            writer.update_container(page)
    return _write(writer)


def blank_contents(pdf: bytes, name: str) -> bytes:
    sig = [s for s in PdfFileReader(BytesIO(pdf)).embedded_regular_signatures if s.field_name == name][0]
    start, end = sig.byte_range[1] + 1, sig.byte_range[2] - 1
    data = bytearray(pdf)
    data[start:end] = b"0" * (end - start)
    return bytes(data)
