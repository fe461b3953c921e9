"""The byte scans ``receive_upload`` runs while a file arrives (other formats' signatures, active PDF content)
find exactly what a scan of the whole file finds, wherever the chunks are cut: a signature or a name split over
two chunks, or spread over several tiny ones, is still found."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from storage.safety_formats import _7Z_MAGIC, _ARCHIVE_MAGICS, _MAGIC_OVERLAP, _RAR_MAGIC, FormatScan
from storage.safety_pdf import _PDF_RAW_RE, _RAW_OVERLAP, PdfRawScan

NAMES = [b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia",
         b"/J#61vaScript", b"/#4c#61#75#6e#63#68", b"/#45#6D#62#65#64#64#65#64#46#69#6C#65"]
NEEDLES = [_RAR_MAGIC, _7Z_MAGIC, *NAMES]


def _cut(data: bytes, sizes: list[int]) -> list[bytes]:
    """``data`` in chunks of the given sizes (cycled), the last one what remains."""
    chunks, at, n = [], 0, 0
    while at < len(data):
        size = sizes[n % len(sizes)]
        chunks.append(data[at:at + size])
        at, n = at + size, n + 1
    return chunks


@st.composite
def streams(draw):
    filler = st.binary(min_size=0, max_size=300)
    pieces = [draw(filler)]
    for _ in range(draw(st.integers(0, 3))):
        pieces += [draw(st.sampled_from(NEEDLES)), draw(filler)]
    data = b"".join(pieces)
    sizes = draw(st.lists(st.integers(1, 120), min_size=1, max_size=6))
    return data, _cut(data, sizes)


def _fed(scan, chunks: list[bytes]):
    for chunk in chunks:
        scan.feed(chunk)
    return scan


@settings(max_examples=400, deadline=None)
@given(streams())
def test_format_scan_finds_what_a_whole_file_scan_finds(stream):
    data, chunks = stream
    scan = _fed(FormatScan(), chunks)
    assert scan.found == {kind for magic, kind in _ARCHIVE_MAGICS if magic in data}
    assert scan.head == data[:1024]


@settings(max_examples=400, deadline=None)
@given(streams())
def test_pdf_raw_scan_finds_the_first_active_name_of_the_file(stream):
    data, chunks = stream
    scan = _fed(PdfRawScan(), chunks)
    first = _PDF_RAW_RE.search(data)
    assert scan.found == (first.group(0).decode("latin-1") if first else None)


def test_a_signature_cut_at_every_position_of_a_megabyte_chunk():
    """The sizes receive_upload uses (1 MiB chunks): each needle straddling the seam at every offset."""
    mib = 1024 * 1024
    for needle in NEEDLES:
        for split in range(1, len(needle)):
            data = b"\0" * (mib - split) + needle + b"\0" * 100
            chunks = [data[:mib], data[mib:]]
            formats, raw = FormatScan(), PdfRawScan()
            for chunk in chunks:
                formats.feed(chunk)
                raw.feed(chunk)
            if needle in (_RAR_MAGIC, _7Z_MAGIC):
                assert formats.found, (needle, split)
            else:
                assert raw.found == needle.decode("latin-1"), (needle, split)


def test_the_seams_are_wide_enough_for_the_longest_needle():
    assert _MAGIC_OVERLAP >= max(len(m) for m, _kind in _ARCHIVE_MAGICS) - 1
    longest_name = max(len(n) for n in NAMES)  # every character escaped: "/" + 3 bytes per character
    assert _RAW_OVERLAP >= longest_name - 1
