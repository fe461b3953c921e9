"""verify() analyses each revision pair once, reads what pyHanko reads, and says the same.

The verdicts of the tamperings of ``test_verify.py`` are compared with pyHanko's own, unshared
analysis (its ``DEFAULT_DIFF_POLICY``, its reader, its usage maps); the budget refuses crafted
files before or while analysing them. No timing is measured: counts and equality only.
"""
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, StandardDiffPolicy

from signing import Limits, VerificationTooComplex, seal, sign, verify
from signing.verify.reader import VerifyReader
from signing.verify.usages import _RevisionView, _trees, prime, usage_map
from verify_samples import (append_content, blank_contents, change_one_byte, deep_structure,
                            detach_structure_element, huge_object_stream, many_objects, many_revisions, remove_field,
                            tagged_pdf)


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
    # the altered documents are the issued one plus one revision (their earlier revisions are the issued
    # document's, byte for byte): every revision of the issued document, then only the one each alteration adds
    # (pyHanko's own reverse cache costs ~30 s a revision here)
    total = theirs.xrefs.total_revisions
    revisions = range(total) if case == "issued" else [total - 1]
    assert case == "issued" or data.startswith(certified_grid)  # an incremental update of the issued bytes
    for revision in revisions:
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
# what the revisions of one document share (structure elements, object holders)
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def restructured(config, dev_pki):
    """Sealed, signed, then a structure element taken out of the tree, then sealed again."""
    pdf = seal(tagged_pdf(pages=1), level="B-B", config=config)
    pdf = sign(pdf, signer=dev_pki.issue_person_certificate("Jules Juré", "jules@example.org"), level="B-B",
               config=config)
    return seal(detach_structure_element(pdf), level="B-B", config=config)


def test_a_structure_changed_after_signing_is_caught_as_pyhanko_catches_it(restructured, dev_pki):
    ours = verify(restructured, trust_roots=[dev_pki.root_pem]).to_dict()
    plain = verify(restructured, trust_roots=[dev_pki.root_pem],
                   diff_policy_factory=lambda reader: DEFAULT_DIFF_POLICY).to_dict()
    assert ours == plain
    assert not ours["valid"]
    assert [s["valid"] for s in ours["signatures"]] == [False, False, True], ours["reasons"]


def test_revisions_share_the_structure_tree_only_while_it_is_unchanged(restructured):
    theirs, ours, lazy = (PdfFileReader(BytesIO(restructured), strict=False) for _ in range(3))
    total = theirs.xrefs.total_revisions
    elements = []
    for revision in range(total):  # in order: each revision may reuse what an earlier one read
        expected = theirs.get_historical_resolver(revision)
        expected._load_reverse_xref_cache()
        want = {ref: {p.path for p in paths} for ref, paths in expected._indirect_object_access_cache.items()}
        hist = ours.get_historical_resolver(revision)
        elements.append(len(_trees(_RevisionView(hist), hist)[1]))
        assert {ref: {p.path for p in paths} for ref, paths in usage_map(hist).items()} == want, revision
        hist = lazy.get_historical_resolver(revision)
        prime(hist)
        for ref in want:
            assert {p.path for p in hist._get_usages_of_ref(ref)} == want[ref], (revision, ref)
    assert elements[0] == elements[1] == elements[2] > elements[3] == elements[4], elements


def test_tampered_documents_share_nothing_with_the_issued_one(certified_grid, dev_pki):
    assert verify(certified_grid, trust_roots=[dev_pki.root_pem]).valid
    for case, data in _documents(certified_grid).items():
        if case != "issued":
            assert not verify(data, trust_roots=[dev_pki.root_pem]).valid, case
    assert verify(certified_grid, trust_roots=[dev_pki.root_pem]).valid


# ---------------------------------------------------------------------------
# the budget
# ---------------------------------------------------------------------------

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
