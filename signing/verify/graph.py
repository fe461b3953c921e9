"""The objects of a document as a graph, for the usage maps of :mod:`.usages`.

:class:`_RevisionView` reads the objects of one revision without copying them;
:class:`_Graph` lists the references each object holds; :func:`_document_parents`
lists, once per document, the holders of every object (all revisions together);
:func:`_ancestors` keeps, of those, the objects pyHanko's walk can go through
on its way to the objects asked about.
"""
from __future__ import annotations

import sys
from collections import defaultdict

from pyhanko.pdf_utils import generic


class _RevisionView:
    """Objects of ``hist.revision``, not re-bound (references are followed through :meth:`deref`)."""

    def __init__(self, hist, record: set | None = None):
        self.reader = hist.reader
        self.revision = hist.revision
        self.cache: dict = {}
        #: when given, every object read is added to it (``(idnum, generation)``)
        self.record = record

    def __call__(self, ref: generic.Reference):
        try:
            return self.cache[ref]
        except KeyError:
            pass
        reader = self.reader
        if self.record is not None:
            self.record.add((ref.idnum, ref.generation))
        last_change_of = getattr(reader, "last_change", None)  # VerifyReader's memo
        if last_change_of is not None:
            last_change = last_change_of(ref)
        else:
            try:
                last_change = reader.xrefs.get_last_change(ref)
            except KeyError:
                last_change = None
        if last_change is not None and last_change <= self.revision:
            obj = reader.get_object(ref, transparent_decrypt=False)
        else:
            obj = reader.get_object(ref, self.revision, transparent_decrypt=False)
        if isinstance(obj, generic.DecryptedObjectProxy):  # pragma: no cover - encrypted files are refused
            obj = obj.decrypted
        self.cache[ref] = obj
        return obj

    def deref(self, obj):
        """``obj.get_object()`` as the historical resolver would answer it."""
        for _ in range(sys.getrecursionlimit()):
            if not isinstance(obj, generic.IndirectObject):
                return obj
            obj = self(obj.reference)
        raise RecursionError("reference chain too long")

    def getitem(self, dictionary, key):
        """``dictionary[key]`` (dereferenced; a null value is a missing key)."""
        value = self.deref(dict.__getitem__(dictionary, key))
        if isinstance(value, generic.NullObject):
            raise KeyError(key)
        return value

class _Graph:
    """The objects of one revision as a graph: each object's references (every reference it holds,
    in any nested dictionary or array, except under ``/Parent`` — a superset of what the walk
    follows), shared across revisions for the objects they have in common.  The references held
    under a ``/P`` key (at any depth) are told apart: inside the structure tree the walk does not
    follow them."""

    def __init__(self, edges_cache: dict):
        self.edges_cache = edges_cache

    @staticmethod
    def _refs_in(obj, out: list, out_not_p: list) -> None:
        indirect, dictionary, array = generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject
        if isinstance(obj, indirect):
            out.append(obj.reference)
            out_not_p.append(obj.reference)
            return
        stack = [(obj, False)]
        while stack:
            item, under_p = stack.pop()
            if isinstance(item, dictionary):
                for key, value in item.items():
                    if key == "/Parent":
                        continue
                    if isinstance(value, indirect):
                        out.append(value.reference)
                        if not (under_p or key == "/P"):
                            out_not_p.append(value.reference)
                    elif isinstance(value, (dictionary, array)):
                        stack.append((value, under_p or key == "/P"))
            elif isinstance(item, array):
                for value in item:
                    if isinstance(value, indirect):
                        out.append(value.reference)
                        if not under_p:
                            out_not_p.append(value.reference)
                    elif isinstance(value, (dictionary, array)):
                        stack.append((value, under_p))

    def edges(self, view: _RevisionView, ref) -> tuple[list, list]:
        """``(every reference ref's object holds, those not under a /P key)``."""
        reader = view.reader
        historical_ref = getattr(reader, "historical_ref", None)  # VerifyReader's memo
        if historical_ref is not None:
            marker = historical_ref(ref, view.revision)
        else:
            marker = reader.xrefs.get_historical_ref(ref, view.revision)
        key = (ref.idnum, ref.generation, marker)
        try:
            return self.edges_cache[key]
        except (KeyError, TypeError):
            pass
        out: list = []
        out_not_p: list = []
        self._refs_in(view(ref), out, out_not_p)
        try:
            self.edges_cache[key] = (out, out_not_p)
        except TypeError:  # pragma: no cover - unhashable marker
            pass
        return out, out_not_p

    def parents(self, view: _RevisionView, trailer) -> tuple[dict, dict]:
        """``({ref: [refs holding it]}, {ref: [refs holding it not under /P]})`` over the objects
        reachable from the trailer (``None``: the trailer)."""
        roots: list = []
        roots_not_p: list = []
        self._refs_in(trailer, roots, roots_not_p)
        parents: dict = defaultdict(list)
        parents_not_p: dict = defaultdict(list)
        seen: set = set()
        stack = []
        for ref in roots_not_p:
            parents_not_p[ref].append(None)
        for ref in roots:
            parents[ref].append(None)
            if ref not in seen:
                seen.add(ref)
                stack.append(ref)
        while stack:
            ref = stack.pop()
            out, out_not_p = self.edges(view, ref)
            for child in out_not_p:
                parents_not_p[child].append(ref)
            for child in out:
                parents[child].append(ref)
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return parents, parents_not_p

_NOT_SHARED = object()


def _reader_memo(reader) -> dict | None:
    """What the revisions of one reader share (kept on the reader: it lives and dies with it)."""
    try:
        return vars(reader).setdefault("_livret_verify_memo", {})
    except TypeError:  # pragma: no cover - a reader without attributes
        return None


def _document_parents(reader, graph: _Graph):
    """``(parents, parents not under /P)`` of every version of every object the file defines, and of
    every revision's trailer: built once for all the revisions of the document, a superset of each
    revision's own (what :func:`_ancestors` needs: the walk decides what is reached).  ``None`` (each
    revision maps its own) for hybrid cross-reference sections or an object that cannot be read:
    the revision's walk then reads what it reads, as before."""
    memo = _reader_memo(reader)
    if memo is None:  # pragma: no cover
        return None
    known = memo.get("parents")
    if known is _NOT_SHARED:
        return None
    if known is not None:
        return known
    parents: dict = defaultdict(list)
    parents_not_p: dict = defaultdict(list)
    xrefs = reader.xrefs
    try:
        for revision in range(xrefs.total_revisions):
            data = xrefs.get_xref_data(revision)
            if getattr(data, "hybrid", None) is not None:
                raise LookupError("hybrid cross-reference section")
            hist = reader.get_historical_resolver(revision)
            view = _RevisionView(hist)
            roots: list = []
            roots_not_p: list = []
            graph._refs_in(hist.trailer_view, roots, roots_not_p)
            for child in roots:
                parents[child].append(None)
            for child in roots_not_p:
                parents_not_p[child].append(None)
            for idnum, generation in data.explicit_refs_in_revision:
                if generation < 0:  # freed in this revision: nothing held
                    continue
                ref = generic.Reference(idnum, generation, reader)
                out, out_not_p = graph.edges(view, ref)
                for child in out:
                    parents[child].append(ref)
                for child in out_not_p:
                    parents_not_p[child].append(ref)
    except Exception:  # noqa: BLE001 - anything unusual: the revisions map their own graphs
        memo["parents"] = _NOT_SHARED
        return None
    memo["parents"] = known = (parents, parents_not_p)
    return known

def _parent_tree(view: _RevisionView, graph: _Graph, parents: dict, parents_not_p: dict, trees,
                 root_ref) -> frozenset:
    """The objects of ``/StructTreeRoot /ParentTree`` (a number tree pointing back at the structure
    elements of each page) when pyHanko's walk can only reach them outside the structure tree: held
    by nothing else than themselves and the StructTreeRoot (not under its ``/K``), the StructTreeRoot
    held by the catalog alone, the catalog by the trailer alone (objects nothing holds, such as
    cross-reference streams, are never reached and do not count).  A structure element is then never
    walked *through* from there (an empty set: no such guarantee, nothing is left out)."""
    page_tree_nodes, struct_tree_nodes = trees
    try:
        root = view.deref(view(generic.Reference(root_ref.idnum, root_ref.generation, view.reader)))
        tree_raw = root.raw_get("/StructTreeRoot")
        if not isinstance(tree_raw, generic.IndirectObject):
            return frozenset()
        tree_ref = tree_raw.reference
        tree = view.deref(tree_raw)
        number_tree = tree.raw_get("/ParentTree")
        if not isinstance(number_tree, generic.IndirectObject):
            return frozenset()
        under_k: list = []
        if "/K" in tree:
            graph._refs_in(tree.raw_get("/K"), under_k, [])
    except Exception:  # noqa: BLE001 - no usable structure tree: nothing left out
        return frozenset()
    def unreached(holder) -> bool:  # held by nothing at all (a cross-reference stream naming /Root)
        return holder is not None and not parents.get(holder)

    if any(h is not None and not unreached(h) for h in parents_not_p.get(root_ref, ())):
        return frozenset()
    if any(h != root_ref and not unreached(h) for h in parents_not_p.get(tree_ref, ())):
        return frozenset()
    found: set = set()
    stack = [number_tree.reference]
    while stack:
        ref = stack.pop()
        if (ref in found or ref in struct_tree_nodes or ref in page_tree_nodes
                or ref == tree_ref or ref == root_ref):
            continue
        found.add(ref)
        if len(found) > 100_000:
            return frozenset()
        stack.extend(graph.edges(view, ref)[0])
    if not found.isdisjoint(under_k):
        return frozenset()
    for ref in found:
        if any(h is None or (h not in found and h != tree_ref and not unreached(h)) for h in parents.get(ref, ())):
            return frozenset()
    return frozenset(found)


def _ancestors(targets: set, parents: dict, parents_not_p: dict, trees, root_ref,
               outside_tree: frozenset = frozenset()) -> set:
    """Every object on a path the walk records to one of ``targets`` (a superset: the walk itself
    decides).  A target is reached from any object holding it; an object the walk goes *through* is
    entered only as :func:`_walk` allows: a page-tree node through its canonical path (from its
    parent node, or the catalog for the root), a structure element only inside the structure tree,
    where ``/P`` is not followed (nor from ``outside_tree``, see :func:`_parent_tree`).  Without these
    rules, the parent links of the structure tree (``/P``, ``/Pg``, ``/ParentTree``) make the whole
    tree an ancestor of any page, and each revision's walk goes through all of it."""
    page_tree_nodes, struct_tree_nodes = trees
    ancestors = set(targets)
    stack = list(targets)
    while stack:
        node = stack.pop()
        if node in targets:
            holders = parents.get(node, ())
        elif node in page_tree_nodes:
            holders = [h for h in parents.get(node, ()) if h is not None and (h in page_tree_nodes or h == root_ref)]
        elif node in struct_tree_nodes:
            holders = [h for h in parents_not_p.get(node, ()) if h not in outside_tree]
        else:
            holders = parents.get(node, ())
        for holder in holders:
            if holder is not None and holder not in ancestors:
                ancestors.add(holder)
                stack.append(holder)
    return ancestors
