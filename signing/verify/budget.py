"""Up-front counts that refuse a document whose analysis would exceed the budget.

Cheap checks, in order: markers in the raw bytes (before any parsing), then
the revisions and objects of the parsed cross-reference sections, then the
depth of the structure tree of each distinct tree the revisions point to.
The time limit itself is enforced while analysing (:class:`VerifyReader`).
"""
from __future__ import annotations

from pyhanko.pdf_utils import generic

from .reader import AnalysisTooComplex, Limits, VerifyReader
from .usages import _RevisionView


def check_raw(data: bytes, limits: Limits) -> None:
    """Each revision ends with ``startxref`` (or is chained by ``/Prev``): refuse
    before parsing a file with many more of them than revisions allowed."""
    markers = max(data.count(b"startxref"), data.count(b"/Prev") + 1)
    if markers > 2 * limits.max_revisions + 2:  # hybrid files have two markers per revision
        raise AnalysisTooComplex("revisions", markers, limits.max_revisions)


def check_counts(reader: VerifyReader, limits: Limits) -> None:
    revisions = reader.xrefs.total_revisions
    if revisions > limits.max_revisions:
        raise AnalysisTooComplex("revisions", revisions, limits.max_revisions)
    objects = 0
    for revision in range(revisions):
        objects += len(reader.xrefs.get_xref_data(revision).explicit_refs_in_revision)
        if objects > limits.max_objects:
            raise AnalysisTooComplex("objects", objects, limits.max_objects)
    seen: set = set()
    for revision in range(revisions):
        hist = reader.get_historical_resolver(revision)
        view = _RevisionView(hist)  # objects as the revision sees them, not copied
        try:
            root_ref = hist.root_ref
            root = view.deref(view(generic.Reference(root_ref.idnum, root_ref.generation, reader)))
            tree = root.raw_get("/StructTreeRoot")
        except (KeyError, AttributeError):
            continue
        except AnalysisTooComplex:
            raise
        except Exception:  # noqa: BLE001 - an unreadable revision is the analysis' business
            continue
        marker = _version_of(reader, tree, revision)
        if marker in seen:
            continue
        seen.add(marker)
        structure_depth(tree, limits, view.deref)


def _version_of(reader, obj, revision: int):
    """The same object in two revisions is one tree to measure (same ref, not changed since)."""
    if isinstance(obj, generic.IndirectObject):
        ref = obj.reference
        try:
            last = max(r for r in range(revision + 1) if _changed_in(reader, ref, r))
        except ValueError:
            last = revision
        return ref.idnum, ref.generation, last
    return "direct", revision


def _changed_in(reader, ref, revision: int) -> bool:
    return (ref.idnum, ref.generation) in reader.xrefs.get_xref_data(revision).explicit_refs_in_revision


def structure_depth(tree, limits: Limits, deref=None) -> int:
    """Depth of a structure tree (iterative, cycles cut); refused beyond ``limits.max_depth``
    (pyHanko walks it recursively when mapping a revision's objects)."""
    deepest = 0
    seen: set = set()
    stack = [(tree, 0)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, generic.IndirectObject):
            key = (node.reference.idnum, node.reference.generation)
            if key in seen:
                continue
            seen.add(key)
        node = deref(node) if deref is not None else node.get_object()
        if not isinstance(node, generic.DictionaryObject):
            continue
        nodes += 1
        if nodes > limits.max_objects:
            raise AnalysisTooComplex("objects", nodes, limits.max_objects)
        deepest = max(deepest, depth)
        if depth > limits.max_depth:
            raise AnalysisTooComplex("depth", depth, limits.max_depth)
        kids = node.raw_get("/K") if "/K" in node else None
        if kids is None:
            continue
        if not isinstance(kids, generic.ArrayObject):
            kids = [kids]
        for kid in kids:
            if isinstance(kid, (generic.IndirectObject, generic.DictionaryObject)):
                stack.append((kid, depth + 1))
    return deepest
