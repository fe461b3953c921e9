"""A PDF reader for verification: bounded work and linear object-stream access.

pyHanko's reader finds an object inside an object stream by parsing the
stream's header from the start, pair by pair, on every access: reading the
``n`` objects of a stream costs ``n²/2`` tokens.  WeasyPrint puts the
thousands of structure elements of a tagged document into a few object
streams, and the difference analysis of every signature reads them all: that
was most of the 11 s spent verifying a 19-page Livret 2.  :class:`VerifyReader`
parses each header once (an index ``object number -> offset``) and reads the
object at its offset; anything unusual in a header falls back to pyHanko's own
code, so the objects read are the same.

The reader also carries the verification budget (:class:`Limits`): every
object read checks the deadline, and an object stream announcing more objects
than allowed stops the analysis.  :class:`AnalysisTooComplex` derives from
``BaseException`` on purpose: pyHanko and the checks catch ``Exception`` to
turn a broken signature into a verdict, and an exhausted budget must not
become a verdict.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from io import BytesIO

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader

_MISSING = object()


@dataclass(frozen=True)
class Limits:
    """How much analysis one verification may cost (see docs/signing.md)."""

    max_revisions: int = 100  #: incremental updates (revisions) in the file
    max_objects: int = 200_000  #: objects in all xref sections, or in one object stream
    max_depth: int = 100  #: depth of the structure tree (tagged PDF)
    seconds: float = 20.0  #: wall-clock time of the whole analysis


class AnalysisTooComplex(BaseException):  # noqa: N818 - not an error of the document, a refusal
    """The document needs more analysis than :class:`Limits` allow.

    ``what``: ``revisions``, ``objects``, ``depth`` or ``time``; ``found`` and
    ``limit``: the figures (``found`` is ``None`` for time).
    """

    def __init__(self, what: str, found: int | None, limit: float):
        super().__init__(f"{what}: {found} > {limit}")
        self.what, self.found, self.limit = what, found, limit


class VerifyReader(PdfFileReader):
    """:class:`PdfFileReader` with indexed object streams and a deadline."""

    def __init__(self, stream, *, limits: Limits, deadline: float | None = None):
        super().__init__(stream, strict=False)
        self.limits = limits
        self.deadline = deadline
        self._objstm_index: dict[int, object] = {}

    def start_clock(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise AnalysisTooComplex("time", None, self.limits.seconds)

    def get_object(self, ref, *args, **kwargs):
        self.check_deadline()
        return super().get_object(ref, *args, **kwargs)

    # -- object streams --------------------------------------------------
    def _index_object_stream(self, stmnum: int):
        """``(data, first, n, {objnum: offset})`` or ``None`` (let pyHanko read it)."""
        try:
            stream = generic.Reference(stmnum, 0, self).get_object()
            if not isinstance(stream, generic.StreamObject) or stream.get("/Type") != "/ObjStm":
                return None
            n, first = stream["/N"], stream["/First"]
            if not (isinstance(n, int) and isinstance(first, int)) or n < 0 or first < 0:
                return None
            if n > self.limits.max_objects:
                raise AnalysisTooComplex("objects", int(n), self.limits.max_objects)
            data = stream.read_data(DecodePurpose.OBJECT_STREAM)
            tokens = data[:first].split()
            if len(tokens) < 2 * n:
                return None
            offsets: dict[int, int] = {}
            for i in range(n):
                objnum, offset = int(tokens[2 * i]), int(tokens[2 * i + 1])
                offsets.setdefault(objnum, offset)  # pyHanko takes the first match
        except AnalysisTooComplex:
            raise
        except Exception:  # noqa: BLE001 - malformed: pyHanko's own (slow, lenient) path decides
            return None
        return data, int(first), int(n), offsets

    def _get_object_from_stream(self, idnum, stmnum, idx):
        if self.strict:
            return super()._get_object_from_stream(idnum, stmnum, idx)
        index = self._objstm_index.get(stmnum, _MISSING)
        if index is _MISSING:
            index = self._objstm_index[stmnum] = self._index_object_stream(stmnum)
        if index is None:
            return super()._get_object_from_stream(idnum, stmnum, idx)
        data, first, n, offsets = index
        offset = offsets.get(idnum)
        if not (0 <= idx < n) or offset is None:
            return super()._get_object_from_stream(idnum, stmnum, idx)
        stream_data = BytesIO(data)
        stream_data.seek(first + offset)
        try:
            obj = generic.read_object(stream_data, generic.Reference(idnum, 0, self))
        except (misc.PdfStreamError, misc.PdfReadError):
            return generic.NullObject()  # as pyHanko does outside strict mode
        if isinstance(obj, (generic.StreamObject, generic.IndirectObject)):
            return obj
        generic.read_non_whitespace(stream_data, seek_back=True, allow_eof=True)
        return obj
