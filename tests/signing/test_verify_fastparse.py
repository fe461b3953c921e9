"""The verification reader's fast path reads every object as pyHanko's own reader does, or leaves it to it.

``signing.verify.fastparse`` reads the simple objects of a PDF (structure elements, signature
dictionaries) with regular expressions; anything outside its narrow syntax is read by pyHanko.  Here:
tricky snippets one by one, then every version of every object of signed documents, compared object
for object (types, values, key order, ``container_ref``, the reader references point to).
"""
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.verify.fastparse import FALLBACK, read_simple_object
from signing.verify.reader import Limits, VerifyReader


def same_object(ours, theirs, our_reader=None, their_reader=None) -> bool:
    if type(ours) is not type(theirs):
        return False
    mine, other = getattr(ours, "container_ref", None), getattr(theirs, "container_ref", None)
    if (mine is None) != (other is None) or (
            mine is not None and (mine.idnum, mine.generation) != (other.idnum, other.generation)):
        return False
    if isinstance(ours, generic.IndirectObject):
        return ((ours.idnum, ours.generation) == (theirs.idnum, theirs.generation)
                and ours.reference.pdf is our_reader and theirs.reference.pdf is their_reader)
    if isinstance(ours, generic.StreamObject) and ours.encoded_data != theirs.encoded_data:
        return False
    if isinstance(ours, generic.DictionaryObject):
        return list(ours) == list(theirs) and all(
            same_object(dict.__getitem__(ours, k), dict.__getitem__(theirs, k), our_reader, their_reader)
            for k in ours)
    if isinstance(ours, generic.ArrayObject):
        return len(ours) == len(theirs) and all(
            same_object(a, b, our_reader, their_reader) for a, b in zip(list.__iter__(ours), list.__iter__(theirs)))
    if isinstance(ours, generic.BooleanObject):
        return ours.value == theirs.value
    if isinstance(ours, generic.NullObject):
        return True
    if getattr(ours, "autodetected_encoding", None) != getattr(theirs, "autodetected_encoding", None):
        return False
    return ours == theirs


COMMON = [
    b"<</Type /StructElem/S /Span/P 12 0 R/K [3 4]/Pg 45 0 R>>",
    b"<</K [1 2 3]/Pg 3 0 R/S/P>>",
    b"<< /A true /B false /C null /D [true false null] /E [/A/B/C] >>",
    b"<</A<</B<</C 1>>>>>>",
    b"[1.0 -0 +.5 5. 1 0 R -3]",
    b"<< /Title (Bloc 1) /Dest [7 0 R /XYZ 51.023622 747.788976 0] /Count 0 >>",
    b"<< /Contents <3082 0a0b\n0C> /Odd <4> /Empty <> /Bom <feff00e9> /Latin (\xe9t\xe9) >>",
    b"1 0 R",
    b"(plain text)",
    b"[1 0 R 2 0 R 1 0 R +5 -3 007 4]",  # a repeated reference, signs and leading zeros
]
TRICKY = [
    b"<< /A (a\\)b) /B (x(y)z) /C (\\351t\\351\\n) >>",  # escapes, nested parentheses
    b"<< /A <41 %c\n42> >>",  # a comment inside a hexadecimal string
    b"<< /A 1 % comment\n /B 2 >>",
    b"<< /A /B#20C >>", b"<< /\xc3\xa9 1 >>", b"<< /A\x01 1 >>",
    b"<< /A 1 /A 2 >>",  # repeated key: pyHanko keeps the first and warns
    b"<< /Length 3 >>\nstream\nabc\nendstream",
    b"[1 0 Rx]", b"[12 0\x0bR ]", b"[0 0 R]", b"[1 -1 R]", b"<< /A 123456789012 0      R >>",
    b"[1 0 R", b"<< /A 1 >x", b"<< /A >>", b"<< 1 2 >>", b"[1 2", b"]", b">>", b"",
    b"[" * 80 + b"]" * 80, b" << /A 1 >>", b"\n1", b"%c\n1",
    b"<< /A 1,2 >>", b"<< /A 1.2.3 >>", b"<< /A - >>", b"[truex nul fals]", b"[1 2 R]",
    b"(unbalanced", b"<4G>", b"<< /A (x) /B <41> >>stream",
    b"[12\x0b0 R]", b"[5\x0b 6]", b"[5 6\x0bR]",  # \v: whitespace to pyHanko's reference pattern only
]


@pytest.fixture(scope="module")
def handler(input_pdf):
    return PdfFileReader(BytesIO(input_pdf), strict=False)


def _pyhanko(data: bytes, container_ref):
    stream = BytesIO(data)
    try:
        return generic.read_object(stream, container_ref)
    except Exception as exc:  # noqa: BLE001 - the outcome compared
        return exc


@pytest.mark.parametrize("data", COMMON + TRICKY)
def test_a_snippet_is_read_as_pyhanko_reads_it_or_left_to_it(data, handler):
    ref = generic.Reference(7, 0, handler)
    ours = read_simple_object(data, 0, ref, handler)
    if ours is FALLBACK:
        assert data not in COMMON, "the common shapes take the fast path"
        return
    theirs = _pyhanko(data, ref)
    assert not isinstance(theirs, Exception), theirs
    assert same_object(ours, theirs, handler, handler), (ours, theirs)


def test_the_snippets_pyhanko_refuses_are_left_to_it(handler):
    ref = generic.Reference(7, 0, handler)
    refused = [data for data in TRICKY if isinstance(_pyhanko(data, ref), Exception)]
    assert len(refused) > 10
    for data in refused:
        assert read_simple_object(data, 0, ref, handler) is FALLBACK, data


def every_version_read_alike(pdf: bytes, shared: bool = False) -> int:
    """Every object of every revision, read by the verification reader and by pyHanko's: the same (and
    where each version is, as the cross-reference sections say).  ``shared``: the verification reader
    has read them all once already (its caches, the references it shares, in use)."""
    ours = VerifyReader(BytesIO(pdf), limits=Limits())
    if shared:
        for revision in range(ours.xrefs.total_revisions):
            for idnum, generation in ours.xrefs.get_xref_data(revision).explicit_refs_in_revision:
                ours.get_object(generic.Reference(idnum, generation, ours), revision)
    theirs = PdfFileReader(BytesIO(pdf), strict=False)
    compared = 0
    total = theirs.xrefs.total_revisions
    numbers = {ref for revision in range(total)
               for ref in theirs.xrefs.get_xref_data(revision).explicit_refs_in_revision}
    for idnum, generation in sorted(numbers) + [(999_999, 0), (1, 7)]:
        ref = generic.Reference(idnum, generation)
        try:
            last = theirs.xrefs.get_last_change(ref)
        except KeyError:
            last = None
        assert ours.last_change(ref) == last, ref
        for revision in range(total):  # the memoised look-ups answer as pyHanko's scans
            assert ours.xrefs.get_historical_ref(ref, revision) == theirs.xrefs.get_historical_ref(ref, revision)
    for revision in range(total):
        for idnum, generation in theirs.xrefs.get_xref_data(revision).explicit_refs_in_revision:
            mine = ours.get_object(generic.Reference(idnum, generation, ours), revision)
            other = theirs.get_object(generic.Reference(idnum, generation, theirs), revision)
            assert same_object(mine, other, ours, theirs), (revision, idnum, mine, other)
            compared += 1
    return compared


def test_every_object_of_a_signed_document_is_read_alike(input_pdf, config, dev_pki):
    from signing import seal, sign
    from verify_samples import tagged_pdf

    pdf = sign(tagged_pdf(pages=2), signer=dev_pki.issue_person_certificate("Élise Lefèvre", "elise@example.org"),
               level="B-T", config=config)
    pdf = seal(pdf, level="B-LTA", config=config)
    assert every_version_read_alike(pdf) > 300
    assert every_version_read_alike(pdf, shared=True) > 300
    assert every_version_read_alike(input_pdf) > 5
