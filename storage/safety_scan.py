"""The byte scan of an upload, one pass while the file arrives (:class:`ByteScan`): the signatures of other
formats (a RAR or 7z archive anywhere, a PDF header in the first 1024 bytes: :func:`check_single_format`) and
the names of active PDF content (:func:`check_pdf`'s raw scan, which also catches names outside the
cross-reference table).

The searches run in Hyperscan's streaming mode (the ``hyperscan`` package: Intel's multi-pattern engine, or
Vectorscan on ARM): every pattern in one pass over each chunk, a match cut over two chunks found like any
other, outside the interpreter lock. Python's own searches cost 0.36 s of CPU per 200 MB upload (three passes,
holding the lock: the other requests of the worker waited), Hyperscan 0.05 s. Python's ``re`` stays the
reference: :data:`PDF_RAW_RE` gives the text of a name found, and the tests compare both on every input.

Part of :mod:`storage.safety`, which re-exports every name.
"""
from __future__ import annotations

import re
import threading

import hyperscan

from .base import CHUNK_SIZE

RAR_MAGIC = b"Rar!\x1a\x07"  # RAR 4 and RAR 5 (unrar looks for it anywhere, as in self-extracting files)
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"  # 7-Zip also finds an archive after any prefix
ARCHIVE_MAGICS = ((RAR_MAGIC, "rar"), (SEVEN_ZIP_MAGIC, "7z"))
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # PDF readers accept the header anywhere in the first 1024 bytes
#: names long enough that finding them by chance in compressed binary data is negligible
PDF_RAW_NAMES = ("JavaScript", "Launch", "EmbeddedFile", "RichMedia")


def _escaped_name_pattern(name: str) -> bytes:
    """``/Name`` where any character may also be written ``#xx`` (hex, either case): the escapes an
    obfuscated file would use."""
    parts = []
    for ch in name:
        hi, lo = f"{ord(ch):02x}"
        escaped = b"#[" + (hi.upper() + hi).encode() + b"][" + (lo.upper() + lo).encode() + b"]"
        parts.append(b"(?:" + re.escape(ch.encode()) + b"|" + escaped + b")")
    return b"/" + b"".join(parts)


#: the active names as one Python regular expression: the first match of a whole file is what
#: :attr:`ByteScan.pdf_active` reports
PDF_RAW_RE = re.compile(b"|".join(_escaped_name_pattern(n) for n in PDF_RAW_NAMES))
_LONGEST_NAME = 1 + 3 * max(len(n) for n in PDF_RAW_NAMES)  # every character escaped
_NAME_AT_END = re.compile(b"(?:" + PDF_RAW_RE.pattern + rb")\Z")


#: scratch spaces of finished scans, taken again by the next ones (a scratch serves one scan at a time)
_IDLE_SCRATCH: list = []
_LOCK = threading.Lock()


def _no_callback(*_args) -> None:  # the stream's default callback, never called: every call passes its own
    return None


def _literal(data: bytes) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in data)


_DATABASE: hyperscan.Database | None = None


def _database() -> hyperscan.Database:
    """Compiled once per process (a few milliseconds), under the lock: the binding's streams hold their
    database by a borrowed reference, so no second database may be compiled and dropped. Read-only
    afterwards, shared by every thread."""
    global _DATABASE
    with _LOCK:
        if _DATABASE is None:
            database = hyperscan.Database(mode=hyperscan.HS_MODE_STREAM)
            expressions = [_literal(magic) for magic, _kind in ARCHIVE_MAGICS]
            expressions += [_escaped_name_pattern(name) for name in PDF_RAW_NAMES]
            # each pattern reported once per file: a file full of "/JavaScript" costs no more than one
            database.compile(expressions=expressions, ids=list(range(len(expressions))),
                             flags=hyperscan.HS_FLAG_SINGLEMATCH)
            _DATABASE = database
        return _DATABASE


def _open_stream(database: hyperscan.Database):
    """A new stream of ``database``, opened (``hs_open_stream``).

    How the binding (python-hyperscan 0.9) must be held: ``Database.stream`` returns a ``Stream`` with one
    reference too many, which ``Stream.__enter__`` gives back (it returns itself without a new reference):
    a stream is entered exactly once, and never reused after it is closed. The references it is given are
    borrowed (a callback freed later would be called through a dangling pointer; a missing context is read
    as garbage): the stream gets a callback and a context that live as long as the process, and each call
    passes the scan's own."""
    stream = database.stream(match_event_handler=_no_callback, context=True)
    stream.__enter__()
    return stream


class ByteScan:
    """Fed chunk by chunk, in order (``receive_upload`` feeds it the chunks it writes and hashes); closed at
    the end (a context manager), after which its findings are final:

    - :attr:`head`: the first 1024 bytes, :attr:`has_pdf_header`;
    - :attr:`archives`: the kinds (``"rar"``, ``"7z"``) whose signature was met;
    - :attr:`pdf_active`: the first active-content name of the file as written (``"/J#61vaScript"``), or ``None``.
    """

    def __init__(self) -> None:
        self.head = b""
        self.archives: set[str] = set()
        self.pdf_active: str | None = None
        self._pdf_active_end: int | None = None
        self._offset = 0  # where the chunk being scanned starts in the file
        self._tail = b""  # the bytes just before it, where a name found in it may begin
        self._chunk = b""
        database = _database()
        with _LOCK:
            self._scratch = _IDLE_SCRATCH.pop() if _IDLE_SCRATCH else None
        if self._scratch is None:
            self._scratch = database.scratch.clone()
        self._stream = _open_stream(database)
        self._open = True

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if not self._open:
            raise ValueError("ByteScan.feed after close")
        if len(self.head) < PDF_HEADER_WINDOW:
            self.head += chunk[:PDF_HEADER_WINDOW - len(self.head)]
        self._chunk = chunk
        self._stream.scan(chunk, scratch=self._scratch, match_event_handler=self._on_match, context=True)
        self._chunk = b""
        self._offset += len(chunk)
        self._tail = (self._tail + chunk[-_LONGEST_NAME:])[-_LONGEST_NAME:]

    def _on_match(self, pattern: int, _start: int, end: int, _flags: int, _context) -> None:
        if pattern < len(ARCHIVE_MAGICS):
            self.archives.add(ARCHIVE_MAGICS[pattern][1])
        elif self._pdf_active_end is None or end < self._pdf_active_end:
            # the name as written ends here and began at most _LONGEST_NAME bytes before (names cannot
            # overlap: each begins with the only "/" it contains, so the earliest to end is the first)
            window = (self._tail + self._chunk[:end - self._offset])[-_LONGEST_NAME:]
            match = _NAME_AT_END.search(window)
            name = PDF_RAW_NAMES[pattern - len(ARCHIVE_MAGICS)]
            self.pdf_active = match.group(0).decode("latin-1") if match else "/" + name
            self._pdf_active_end = end

    @property
    def has_pdf_header(self) -> bool:
        return PDF_MAGIC in self.head

    def close(self) -> None:
        """Close the stream (no pattern is anchored at the end of the file: closing reports nothing new) and
        hand the scratch over to the next scan."""
        if self._open:
            self._open = False
            # the binding's close uses the scratch of the database (it cannot be given another): the lock
            # keeps two closes from sharing it
            with _LOCK:
                self._stream.close(match_event_handler=self._on_match, context=True)
                _IDLE_SCRATCH.append(self._scratch)
            self._stream = None

    def __enter__(self) -> ByteScan:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def scan_file(path) -> ByteScan:
    """:class:`ByteScan` of a whole file on disk (a check called without the scan of the upload)."""
    with ByteScan() as scan, open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            scan.feed(chunk)
    return scan
