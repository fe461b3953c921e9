"""Documents, tamperings and crafted files for the verification tests (imported by the test modules)."""
import zlib
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


def detach_structure_element(pdf: bytes) -> bytes:
    """An incremental update taking one structure element (and its subtree) out of the structure tree."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    root = writer.root["/StructTreeRoot"]
    stack = [root]
    while stack:
        node = stack.pop()
        kids = node.raw_get("/K") if "/K" in node else None
        if isinstance(kids, generic.IndirectObject):
            kids = kids.get_object()
        if not isinstance(kids, generic.ArrayObject):
            continue
        elements = [k for k in list.__iter__(kids) if isinstance(k, generic.IndirectObject)
                    and k.get_object().get("/Type") == "/StructElem"]
        if node is not root and len(elements) >= 2:
            node["/K"] = generic.ArrayObject(k for k in list.__iter__(kids) if k is not elements[0])
            writer.update_container(node)
            return _write(writer)
        stack.extend(k.get_object() for k in elements)
    raise AssertionError("no structure element with two children")


# -- crafted to make the analysis explode (the budget refuses them) -------------------------------

def _classic_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[number]) if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def many_revisions(count: int) -> bytes:
    data = bytearray(_classic_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>",
                                   3: b"<< /Producer (v0) >>"}))
    for n in range(1, count):
        previous = int(bytes(data).rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
        offset = len(data)
        data += b"3 0 obj\n<< /Producer (v%d) >>\nendobj\n" % n
        xref = len(data)
        data += (b"xref\n0 1\n0000000000 65535 f \n3 1\n%010d 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R /Prev %d >>"
                 b"\nstartxref\n%d\n%%%%EOF\n" % (offset, previous, xref))
    return bytes(data)


def deep_structure(depth: int) -> bytes:
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 3 0 R /MarkInfo << /Marked true >> >>",
               2: b"<< /Type /Pages /Kids [] /Count 0 >>", 3: b"<< /Type /StructTreeRoot /K 4 0 R >>"}
    for level in range(depth):
        objects[4 + level] = b"<< /Type /StructElem /S /Div /K %d 0 R >>" % (5 + level)
    objects[4 + depth] = b"<< /Type /StructElem /S /P >>"
    return _classic_pdf(objects)


def huge_object_stream(announced: int) -> bytes:
    """An object stream announcing ``announced`` objects (one real), reached from the catalog."""
    header = b"5 0 "
    body = b"<< /Type /StructTreeRoot >>"
    stream = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, obj in ((1, b"<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 5 0 R >>"),
                        (2, b"<< /Type /Pages /Kids [] /Count 0 >>"),
                        (3, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                            % (announced, len(header), len(stream)) + stream + b"\nendstream")):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    offsets[4] = len(out)
    rows = b"".join([b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big"),
                     *[b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00" for n in (1, 2, 3, 4)],
                     b"\x02" + (3).to_bytes(4, "big") + (0).to_bytes(2, "big")])
    out += (b"4 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(rows)
            + rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[4])
    return bytes(out)


def many_objects(count: int) -> bytes:
    return _classic_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>",
                         **{n: b"null" for n in range(3, count + 3)}})
