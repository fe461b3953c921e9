"""The byte scan ``receive_upload`` runs while a file arrives (other formats' signatures, active PDF content,
Hyperscan's streaming mode) finds exactly what Python's own search of the whole file finds, wherever the chunks
are cut: a signature or a name split over two chunks, or spread over several tiny ones, is still found."""
from __future__ import annotations

import threading

from hypothesis import given, settings, strategies as st

from storage.safety_scan import ARCHIVE_MAGICS, PDF_RAW_RE, RAR_MAGIC, SEVEN_ZIP_MAGIC, ByteScan, scan_file

NAMES = [b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia",
         b"/J#61vaScript", b"/#4c#61#75#6e#63#68", b"/#45#6D#62#65#64#64#65#64#46#69#6C#65",
         b"/#52#49chMedia"]  # not a name: "#49" is "I", not "i"
NEEDLES = [RAR_MAGIC, SEVEN_ZIP_MAGIC, *NAMES, b"%PDF-"]


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
    for _ in range(draw(st.integers(0, 4))):
        pieces += [draw(st.sampled_from(NEEDLES)), draw(filler)]
    data = b"".join(pieces)
    sizes = draw(st.lists(st.integers(1, 120), min_size=1, max_size=6))
    return data, _cut(data, sizes)


def _scanned(chunks: list[bytes]) -> ByteScan:
    with ByteScan() as scan:
        for chunk in chunks:
            scan.feed(chunk)
    return scan


def _expected_name(data: bytes) -> str | None:
    first = PDF_RAW_RE.search(data)
    return first.group(0).decode("latin-1") if first else None


@settings(max_examples=500, deadline=None)
@given(streams())
def test_the_scan_finds_what_a_whole_file_search_finds(stream):
    data, chunks = stream
    scan = _scanned(chunks)
    assert scan.archives == {kind for magic, kind in ARCHIVE_MAGICS if magic in data}
    assert scan.pdf_active == _expected_name(data)  # the first one, as written
    assert scan.head == data[:1024]
    assert scan.has_pdf_header == (b"%PDF-" in data[:1024])


def test_a_signature_cut_at_every_position_of_a_megabyte_chunk():
    """The sizes receive_upload uses (1 MiB chunks): each needle straddling the seam at every offset."""
    mib = 1024 * 1024
    for needle in [RAR_MAGIC, SEVEN_ZIP_MAGIC, *NAMES[:-1]]:
        for split in range(1, len(needle)):
            data = b"\0" * (mib - split) + needle + b"\0" * 100
            scan = _scanned([data[:mib], data[mib:]])
            if needle in (RAR_MAGIC, SEVEN_ZIP_MAGIC):
                assert scan.archives, (needle, split)
            else:
                assert scan.pdf_active == needle.decode("latin-1"), (needle, split)


def test_the_first_name_is_reported_even_when_another_kind_is_met_again_later():
    data = b"x" * 10 + b"/Launch" + b"y" * 5000 + b"/JavaScript" + b"z" + b"/Launch"
    assert _scanned(_cut(data, [7, 4096])).pdf_active == "/Launch"
    data = b"/RichM#65dia ... /Launch"
    assert _scanned([data]).pdf_active == "/RichM#65dia"


def test_a_file_full_of_names_is_scanned_at_the_same_cost(tmp_path):
    """Each pattern is reported once: 20 MB of "/JavaScript" is not 1.8 million calls back into Python."""
    path = tmp_path / "names.bin"
    path.write_bytes(b"/JavaScript/Launch" + RAR_MAGIC * 2 + b"/JavaScript" * 2_000_000)
    calls = []
    scan = ByteScan()
    original = scan._on_match
    scan._on_match = lambda *a: calls.append(a) or original(*a)
    with open(path, "rb") as f, scan:
        while chunk := f.read(1 << 20):
            scan.feed(chunk)
    assert scan.pdf_active == "/JavaScript" and scan.archives == {"rar"}
    assert len(calls) == 3, calls  # JavaScript, Launch, RAR: once each


def test_scans_in_parallel_threads_do_not_mix(tmp_path):
    """Each scan has its own stream state and scratch: threads scanning at once each find their own file's."""
    files = {}
    for n, needle in enumerate([RAR_MAGIC, SEVEN_ZIP_MAGIC, b"/Launch", b"/RichMedia", b"", b"/J#61vaScript"]):
        path = tmp_path / f"{n}.bin"
        path.write_bytes(b"\x01" * (3 << 20) + needle + b"\x02" * (2 << 20))
        files[path] = needle
    results, errors = {}, []

    def work(path):
        try:
            for _ in range(3):
                scan = scan_file(path)
                results.setdefault(path, []).append((scan.archives, scan.pdf_active))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for path, needle in files.items():
        archives = {kind for magic, kind in ARCHIVE_MAGICS if magic == needle}
        name = needle.decode("latin-1") if needle.startswith(b"/") else None
        assert results[path] == [(archives, name)] * 3, path


def test_a_closed_scan_refuses_more_bytes():
    scan = _scanned([b"abc"])
    try:
        scan.feed(b"more")
    except ValueError:
        pass
    else:
        raise AssertionError("fed after close")
