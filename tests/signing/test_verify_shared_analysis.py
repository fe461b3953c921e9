"""verify() analyses each revision pair once, reads what pyHanko reads, and says the same.

The verdicts of the tamperings of ``test_verify.py`` are compared with pyHanko's own, unshared
analysis (its ``DEFAULT_DIFF_POLICY``, its reader, its usage maps); the budget refuses crafted
files before or while analysing them. No timing is measured: counts and equality only.
"""
import zlib
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, StandardDiffPolicy

from signing import Limits, VerificationTooComplex, seal, sign, verify
from signing.verify.reader import VerifyReader
from signing.verify.usages import prime, usage_map
from verify_samples import append_content, blank_contents, change_one_byte, remove_field, tagged_pdf


@pytest.fixture(scope="module")
def certified_grid(config, dev_pki):
    """Tagged, several pages, prepared fields, certified, signed by two people, sealed: the grids' path."""
    from signing.pades import Placement, prepare_signature_fields

    pdf = tagged_pdf(pages=4)
    for i, name in enumerate(["Certification", "Jure1", "Jure2", "Cachet"]):
        pdf = prepare_signature_fields(pdf, [name], placement=Placement(page=-1, box=(40, 60 + 70 * i, 300,
                                                                                    120 + 70 * i)))
    pdf = seal(pdf, level="B-T", certify=True, field_name="Certification", config=config)
    for name, field in (("Jules Juré", "Jure1"), ("Julie Jurée", "Jure2")):
        person = dev_pki.issue_person_certificate(name, f"{field.lower()}@example.org")
        pdf = sign(pdf, signer=person, level="B-T", field_name=field, config=config)
    return seal(pdf, level="B-LTA", field_name="Cachet", config=config)


def _documents(grid):
    return {"issued": grid, "content appended": append_content(grid), "one byte changed": change_one_byte(grid),
            "seal removed": remove_field(grid, "Cachet"), "seal blanked": blank_contents(grid, "Cachet")}


def test_each_revision_pair_is_analysed_once(certified_grid, dev_pki, monkeypatch):
    calls = []
    original = StandardDiffPolicy.apply

    def counting(self, old, new, field_mdp_spec=None, doc_mdp=None):
        calls.append((old.revision, new.revision, repr(field_mdp_spec), doc_mdp))
        return original(self, old, new, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)

    monkeypatch.setattr(StandardDiffPolicy, "apply", counting)
    report = verify(certified_grid, trust_roots=[dev_pki.root_pem])
    assert report.valid, report.reasons
    assert len(report.signatures) == 4 and report.document_timestamps
    assert calls and len(calls) == len(set(calls)), sorted(calls)
    # every signature was reviewed (its own validation and the long-term one) from the shared analysis
    signed = {s for s in range(PdfFileReader(BytesIO(certified_grid)).xrefs.total_revisions)}
    assert {old for old, *_ in calls} <= signed

    ours = set(calls)
    calls.clear()
    verify(certified_grid, trust_roots=[dev_pki.root_pem], diff_policy_factory=lambda reader: DEFAULT_DIFF_POLICY)
    assert set(calls) == ours  # the very pairs pyHanko alone analyses: none skipped


@pytest.mark.parametrize("case", ["issued", "content appended", "one byte changed", "seal removed",
                                  "seal blanked"])
def test_verdicts_are_pyhankos_own(certified_grid, dev_pki, case):
    data = _documents(certified_grid)[case]
    ours = verify(data, trust_roots=[dev_pki.root_pem]).to_dict()
    plain = verify(data, trust_roots=[dev_pki.root_pem], diff_policy_factory=lambda reader: DEFAULT_DIFF_POLICY)
    assert ours == plain.to_dict()
    assert ours["valid"] is (case == "issued"), ours["reasons"]


@pytest.mark.parametrize("case", ["issued", "content appended", "seal removed"])
def test_usage_maps_are_pyhankos_own(certified_grid, case):
    data = _documents(certified_grid)[case]
    theirs, ours, lazy = (PdfFileReader(BytesIO(data), strict=False) for _ in range(3))
    for revision in range(theirs.xrefs.total_revisions):
        expected = theirs.get_historical_resolver(revision)
        expected._load_reverse_xref_cache()
        want = {ref: {p.path for p in paths} for ref, paths in expected._indirect_object_access_cache.items()}
        full = usage_map(ours.get_historical_resolver(revision))
        assert {ref: {p.path for p in paths} for ref, paths in full.items()} == want
        hist = lazy.get_historical_resolver(revision)
        prime(hist)
        for ref in [*want, generic.Reference(999_999, 0)]:
            assert {p.path for p in hist._get_usages_of_ref(ref)} == want.get(ref, set()), (revision, ref)


def test_objects_in_object_streams_read_alike(certified_grid):
    theirs = PdfFileReader(BytesIO(certified_grid), strict=False)
    ours = VerifyReader(BytesIO(certified_grid), limits=Limits())
    compressed = [generic.Reference(idnum, 0) for revision in range(theirs.xrefs.total_revisions)
                  for idnum in theirs.xrefs.get_xref_data(revision).xrefs_in_objstm]
    assert len(compressed) > 100
    for ref in compressed:
        assert repr(ours.get_object(ref)) == repr(theirs.get_object(ref))


# ---------------------------------------------------------------------------
# the budget
# ---------------------------------------------------------------------------

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


@pytest.mark.parametrize("crafted, what", [
    (lambda: many_revisions(3000), "revisions"),
    (lambda: deep_structure(500), "depth"),
    (lambda: huge_object_stream(5_000_000), "objects"),
    (lambda: many_objects(250_000), "objects"),
])
def test_crafted_documents_are_refused_by_the_budget(crafted, what, dev_pki):
    with pytest.raises(VerificationTooComplex) as refused:
        verify(crafted(), trust_roots=[dev_pki.root_pem])
    assert refused.value.what == what
    assert "trop" in str(refused.value)


def test_time_limit_stops_the_analysis(certified_grid, dev_pki):
    with pytest.raises(VerificationTooComplex) as refused:
        verify(certified_grid, trust_roots=[dev_pki.root_pem], limits=Limits(seconds=1e-9))
    assert refused.value.what == "time" and "durée maximale" in str(refused.value)
    # and the next verification, within the budget, is answered
    assert verify(certified_grid, trust_roots=[dev_pki.root_pem]).valid


def test_lower_limits_refuse_an_issued_document(certified_grid, dev_pki):
    revisions = PdfFileReader(BytesIO(certified_grid)).xrefs.total_revisions
    with pytest.raises(VerificationTooComplex):
        verify(certified_grid, trust_roots=[dev_pki.root_pem], limits=Limits(max_revisions=revisions - 1))
    assert verify(certified_grid, trust_roots=[dev_pki.root_pem], limits=Limits(max_revisions=revisions)).valid


def test_the_platform_incremental_updates_stay_small(certified_grid):
    """Each signature's update rewrites a handful of existing objects (catalog, form, one page,
    metadata), never the pages' content or the structure tree: its analysis stays cheap."""
    reader = PdfFileReader(BytesIO(certified_grid), strict=False)
    first = reader.xrefs.explicit_refs_in_revision(0)
    for revision in range(1, reader.xrefs.total_revisions):
        rewritten = reader.xrefs.explicit_refs_in_revision(revision) & first
        assert len(rewritten) <= 6, (revision, rewritten)
        kinds = {str(reader.get_object(ref).get("/Type")) for ref in rewritten
                 if isinstance(reader.get_object(ref), generic.DictionaryObject)}
        assert not kinds & {"/StructElem", "/StructTreeRoot", "/Pages"}, (revision, kinds)


def test_incremental_writer_is_unaffected(certified_grid):
    # the verification reader is only used to verify: signing still reads with pyHanko's own
    writer = IncrementalPdfFileWriter(BytesIO(certified_grid), strict=False)
    assert type(writer.prev) is PdfFileReader
