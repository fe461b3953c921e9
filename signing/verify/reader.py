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

Objects are read by :mod:`.fastparse` when simple (pyHanko's reader otherwise),
with one :class:`~pyhanko.pdf_utils.generic.Reference` instance per reference
(``_refs``, shared with :mod:`.graph`), and the cross-reference look-ups pyHanko
repeats (which revision last changed an object, where each version is) are
answered from an index built once.

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
from pyhanko.pdf_utils.xref import ObjStreamRef, read_object_header

from .fastparse import FALLBACK, read_simple_object

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
        self._ready = False  # pyHanko's own reading while it opens the file
        self.limits = limits
        self.deadline = deadline
        self._objstm_index: dict[int, object] = {}
        self._refs: dict = {}  # the references of the objects read by .fastparse, one instance each
        self._raw: bytes | None = None  # the file's bytes (objects read outside object streams)
        self._last_change: dict[tuple[int, int], int | None] = {}
        self._current_marker: dict[tuple[int, int], object] = {}
        self._sections = _MISSING  # {idnum: [revisions naming it]} (see _sections_of)
        self._simple: dict = {}  # {idnum: (revision, marker)} (see _simple_of)
        super().__init__(stream, strict=False)
        # pyHanko's own look-ups (reading an object, its historical versions) answered the same way
        self.xrefs.get_historical_ref = self.historical_ref
        self.xrefs.get_last_change = self._get_last_change
        self._ready = True

    def release(self) -> None:
        """Once the verification is over: drop what the reader keeps (its objects point back at it),
        so that reference counting frees the document at once rather than leaving some 200,000
        objects in cycles for the garbage collector (0.3 s for a grid, paid by the next request)."""
        for hist in self._historical_resolver_cache.values():
            hist.cache.clear()
            hist._indirect_object_access_cache = None
        self._historical_resolver_cache.clear()
        self.resolved_objects.clear()
        self._objstm_index.clear()
        self._refs.clear()
        self._last_change.clear()
        self._current_marker.clear()
        self._sections = _MISSING
        self._simple = {}
        vars(self).pop("_livret_verify_memo", None)
        self._raw = None
        # pyHanko's cross-reference tables and trailer point back at the reader (XRefCache.reader, the
        # references of the cross-reference streams): no longer held by it, they are freed at once too
        vars(self).pop("xrefs", None)
        vars(self).pop("trailer", None)

    def start_clock(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise AnalysisTooComplex("time", None, self.limits.seconds)

    def get_object(self, ref, revision=None, *args, **kwargs):
        self.check_deadline()
        if revision is None and self._ready:  # the current version: pyHanko's cache, without its per-call set-up
            key = (ref.generation, ref.idnum)
            cached = self.resolved_objects.get(key)
            if cached is None:
                # read as pyHanko reads an object of an object stream (``self.xrefs[ref]``, then
                # ``_read_object``: none of the arguments matter, nothing is decrypted) and cached
                marker = self.historical_ref(ref, self.xrefs.total_revisions - 1)
                if type(marker) is ObjStreamRef:
                    obj = self._get_object_from_stream(ref.idnum, marker.obj_stream_id, marker.ix_in_stream)
                    self.resolved_objects[key] = obj
                    return obj
            elif not isinstance(cached, generic.DecryptedObjectProxy):
                return cached
        return super().get_object(ref, revision, *args, **kwargs)

    # -- the cross-reference sections, memoised (pyHanko scans every section on each question) --
    def _index_sections(self) -> None:
        index: dict = {}
        xrefs = self.xrefs
        for revision in range(xrefs.total_revisions):
            data = xrefs.get_xref_data(revision)
            if data.hybrid is not None:
                index = None
                break
            for number in {*data.xrefs_in_objstm, *data.standard_xrefs, *data.freed}:
                index.setdefault(number, []).append(revision)
        simple: dict = {}
        for number, revisions in (index or {}).items():
            if len(revisions) == 1:
                marker = xrefs.get_xref_data(revisions[0]).xrefs_in_objstm.get(number)
                if marker is not None:
                    simple[number] = (revisions[0], marker)
        self._sections, self._simple = index, simple

    def _sections_of(self, idnum: int):
        """The revisions whose cross-reference section names ``idnum`` (in use or freed), oldest
        first; ``None`` with a hybrid section (pyHanko's own look-up then answers)."""
        if self._sections is _MISSING:
            self._index_sections()
        if self._sections is None:
            return None
        return self._sections.get(idnum, ())

    def _simple_of(self, ref):
        """``(revision, marker)`` when ``ref`` (generation 0) is named by one section alone, in an
        object stream (most objects): every question about it has that answer (``try_resolve`` of
        that section answers with the object stream first, no other section answers at all)."""
        if ref.generation != 0:
            return None
        if self._sections is _MISSING:
            self._index_sections()
        return self._simple.get(ref.idnum)

    def _resolve(self, ref, newest: int):
        """``(revision, marker)`` of the newest section at or before ``newest`` resolving ``ref``
        (``try_resolve`` of that section, as ``XRefCache`` asks them), ``(None, None)`` if none."""
        sections = self._sections_of(ref.idnum)
        for revision in reversed(sections):
            if revision > newest:
                continue
            try:
                return revision, self.xrefs.get_xref_data(revision).try_resolve(ref)
            except KeyError:
                continue
        return None, None

    def last_change(self, ref) -> int | None:
        """``xrefs.get_last_change(ref)``, ``None`` for a reference no section defines."""
        key = (ref.idnum, ref.generation)
        try:
            return self._last_change[key]
        except KeyError:
            pass
        simple = self._simple_of(ref)
        if simple is not None:
            value = simple[0]
        elif self._sections_of(ref.idnum) is not None:
            value = self._resolve(ref, self.xrefs.total_revisions - 1)[0]
        else:
            try:
                value = type(self.xrefs).get_last_change(self.xrefs, ref)
            except KeyError:
                value = None
        self._last_change[key] = value
        return value

    def _get_last_change(self, ref) -> int:
        value = self.last_change(ref)
        if value is None:
            raise KeyError(ref)
        return value

    def historical_ref(self, ref, revision: int):
        """``xrefs.get_historical_ref(ref, revision)``: the same answer for every revision at or
        after the object's last change, memoised once for all of them."""
        simple = self._simple_of(ref)
        if simple is not None:
            return simple[1] if revision >= simple[0] else None
        if self._sections_of(ref.idnum) is None:
            return type(self.xrefs).get_historical_ref(self.xrefs, ref, revision)
        last = self.last_change(ref)
        if last is None or last > revision:
            return self._resolve(ref, revision)[1]
        key = (ref.idnum, ref.generation)
        try:
            return self._current_marker[key]
        except KeyError:
            value = self._current_marker[key] = self._resolve(ref, last)[1]
            return value

    # -- objects outside object streams (the signatures' dictionaries) ---
    def _read_object(self, ref, marker, never_decrypt=False, as_metadata_stream=False):
        """pyHanko reads a signature's ``/Contents`` (tens of thousands of hexadecimal digits) byte by
        byte: a plain dictionary is read by :func:`.fastparse.read_simple_object`, anything else
        (streams, metadata, strict or encrypted reading, a wrong header) by pyHanko."""
        if (not isinstance(marker, int) or isinstance(marker, bool) or not self._ready or self.strict
                or as_metadata_stream or self.encrypted):  # (``encrypted`` last: a trailer look-up each time)
            return super()._read_object(ref, marker, never_decrypt=never_decrypt,
                                        as_metadata_stream=as_metadata_stream)
        try:
            self.stream.seek(marker)
            idnum, generation = read_object_header(self.stream, strict=False)
            start = self.stream.tell()
        except Exception:  # noqa: BLE001 - pyHanko reports it its own way
            idnum = None
        obj = FALLBACK
        if idnum == ref.idnum and generation == ref.generation and hasattr(self.stream, "getvalue"):
            if self._raw is None:
                self._raw = self.stream.getvalue()
            obj = read_simple_object(self._raw, start, generic.Reference(idnum, generation, self), self, self._refs)
        if obj is FALLBACK:
            return super()._read_object(ref, marker, never_decrypt=never_decrypt,
                                        as_metadata_stream=as_metadata_stream)
        return obj

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
        container_ref = self._refs.get((idnum, 0))  # the object's reference, shared as its holders'
        if container_ref is None:
            container_ref = self._refs[(idnum, 0)] = generic.Reference(idnum, 0, self)
        obj = read_simple_object(data, first + offset, container_ref, self, self._refs)
        if obj is not FALLBACK:
            return obj
        stream_data = BytesIO(data)
        stream_data.seek(first + offset)
        try:
            obj = generic.read_object(stream_data, container_ref)
        except (misc.PdfStreamError, misc.PdfReadError):
            return generic.NullObject()  # as pyHanko does outside strict mode
        if isinstance(obj, (generic.StreamObject, generic.IndirectObject)):
            return obj
        generic.read_non_whitespace(stream_data, seek_back=True, allow_eof=True)
        return obj
