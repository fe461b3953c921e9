"""The objects of a document as a graph, for the usage maps of :mod:`.usages`.

:class:`_RevisionView` reads the objects of one revision without copying them;
:class:`_Graph` lists the references each object holds; :func:`_document_parents`
lists, once per document, the holders of every object (all revisions together);
:func:`_ancestors` keeps, of those, the objects pyHanko's walk can go through
on its way to the objects asked about.

Objects are named by their key ``(idnum, generation)`` throughout, not by
:class:`~pyhanko.pdf_utils.generic.Reference`: a reference hashes and compares
in Python (a dataclass), a tuple in C, and these maps look objects up some
100,000 times for a tagged document.  :meth:`_RevisionView.reference` gives the
reference of a key where pyHanko needs one.
"""
from __future__ import annotations

import sys
from collections import defaultdict

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.xref import ObjStreamRef


def _ref_table(reader) -> dict:
    """``{(idnum, generation): Reference}`` for ``reader``: the references its objects were read with
    (:class:`.reader.VerifyReader` shares one instance per reference), else one kept on the reader."""
    table = vars(reader).get("_refs") if hasattr(reader, "__dict__") else None
    if isinstance(table, dict):
        return table
    memo = _reader_memo(reader)
    return {} if memo is None else memo.setdefault("refs", {})


class _RevisionView:
    """Objects of ``hist.revision``, not re-bound (references are followed through :meth:`deref`)."""

    def __init__(self, hist, record: set | None = None):
        self.reader = hist.reader
        self.revision = hist.revision
        self.cache: dict = {}  # {(idnum, generation): object}
        #: when given, every object read is added to it (``(idnum, generation)``)
        self.record = record
        self._last_change = getattr(self.reader, "last_change", None)  # VerifyReader's memo
        self._refs = _ref_table(self.reader)
        # the objects read in their current version, shared by every view of the reader:
        # {(idnum, generation): (revision of its last change, object)}
        memo = _reader_memo(self.reader)
        self._current: dict = {} if memo is None else memo.setdefault("current", {})

    def reference(self, key) -> generic.Reference:
        """The reference named by ``key`` (one instance per key and reader)."""
        ref = self._refs.get(key)
        if ref is None:
            ref = self._refs[key] = generic.Reference(key[0], key[1], self.reader)
        return ref

    def __call__(self, ref: generic.Reference):
        key = (ref.idnum, ref.generation)
        try:
            return self.cache[key]
        except KeyError:
            pass
        current = self._current.get(key)
        if current is not None and current[0] <= self.revision:
            if self.record is not None:
                self.record.add(key)
            return current[1]
        return self._read(ref, key)

    def by_key(self, key):
        """``self(reference)`` for the reference named by ``key``."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        current = self._current.get(key)
        if current is not None and current[0] <= self.revision:
            if self.record is not None:
                self.record.add(key)
            return current[1]
        return self._read(self.reference(key), key)

    def _read(self, ref, key):
        reader = self.reader
        if self.record is not None:
            self.record.add(key)
        if self._last_change is not None:
            last_change = self._last_change(ref)
        else:
            try:
                last_change = reader.xrefs.get_last_change(ref)
            except KeyError:
                last_change = None
        if last_change is not None and last_change <= self.revision:
            obj = reader.get_object(ref, transparent_decrypt=False)
            if isinstance(obj, generic.DecryptedObjectProxy):  # pragma: no cover - encrypted files are refused
                obj = obj.decrypted
            self._current[key] = (last_change, obj)  # what every later revision reads too
            return obj
        obj = reader.get_object(ref, self.revision, transparent_decrypt=False)
        if isinstance(obj, generic.DecryptedObjectProxy):  # pragma: no cover - encrypted files are refused
            obj = obj.decrypted
        self.cache[key] = obj
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
    """The objects of one revision as a graph: each object's references (the keys of every reference
    it holds, in any nested dictionary or array, except under ``/Parent`` — a superset of what the
    walk follows), shared across revisions for the objects they have in common.  The references held
    under a ``/P`` key (at any depth) are told apart: inside the structure tree the walk does not
    follow them."""

    def __init__(self, edges_cache: dict):
        self.edges_cache = edges_cache

    @staticmethod
    def _refs_in(obj, out: list, out_not_p: list) -> None:
        indirect, dictionary, array = generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject
        add, add_not_p = out.append, out_not_p.append
        if isinstance(obj, indirect):
            ref = obj.reference
            add((ref.idnum, ref.generation))
            add_not_p((ref.idnum, ref.generation))
            return
        stack = [(obj, False)]
        push, pop = stack.append, stack.pop
        while stack:
            item, under_p = pop()
            if isinstance(item, dictionary):
                for key, value in item.items():
                    if isinstance(value, indirect):
                        if key == "/Parent":
                            continue
                        ref = value.reference
                        ref = (ref.idnum, ref.generation)
                        add(ref)
                        if not (under_p or key == "/P"):
                            add_not_p(ref)
                    elif isinstance(value, (dictionary, array)) and key != "/Parent":
                        push((value, under_p or key == "/P"))
            elif isinstance(item, array):
                for value in item:
                    if isinstance(value, indirect):
                        ref = value.reference
                        ref = (ref.idnum, ref.generation)
                        add(ref)
                        if not under_p:
                            add_not_p(ref)
                    elif isinstance(value, (dictionary, array)):
                        push((value, under_p))

    def edges(self, view: _RevisionView, key) -> tuple[list, list]:
        """``(every reference the object ``key`` holds, those not under a /P key)``, as keys."""
        reader = view.reader
        ref = view.reference(key)
        historical_ref = getattr(reader, "historical_ref", None)  # VerifyReader's memo
        if historical_ref is not None:
            marker = historical_ref(ref, view.revision)
        else:
            marker = reader.xrefs.get_historical_ref(ref, view.revision)
        if type(marker) is ObjStreamRef:  # a dataclass: hashed in Python
            marker = ("objstm", marker.obj_stream_id, marker.ix_in_stream)
        cache_key = (key, marker)
        try:
            return self.edges_cache[cache_key]
        except (KeyError, TypeError):
            pass
        out: list = []
        out_not_p: list = []
        self._refs_in(view.by_key(key), out, out_not_p)
        try:
            self.edges_cache[cache_key] = (out, out_not_p)
        except TypeError:  # pragma: no cover - unhashable marker
            pass
        return out, out_not_p

    def parents(self, view: _RevisionView, trailer) -> tuple[dict, dict]:
        """``({key: [keys holding it]}, {key: [keys holding it not under /P]})`` over the objects
        reachable from the trailer (``None``: the trailer)."""
        roots: list = []
        roots_not_p: list = []
        self._refs_in(trailer, roots, roots_not_p)
        parents: dict = defaultdict(list)
        parents_not_p: dict = defaultdict(list)
        seen: set = set()
        stack = []
        for key in roots_not_p:
            parents_not_p[key].append(None)
        for key in roots:
            parents[key].append(None)
            if key not in seen:
                seen.add(key)
                stack.append(key)
        while stack:
            key = stack.pop()
            out, out_not_p = self.edges(view, key)
            for child in out_not_p:
                parents_not_p[child].append(key)
            for child in out:
                parents[child].append(key)
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
    """``(parents, parents not under /P)`` (by key) of every version of every object the file defines, and of
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
            for key in data.explicit_refs_in_revision:
                if key[1] < 0:  # freed in this revision: nothing held
                    continue
                out, out_not_p = graph.edges(view, key)
                for child in out:
                    parents[child].append(key)
                for child in out_not_p:
                    parents_not_p[child].append(key)
    except Exception:  # noqa: BLE001 - anything unusual: the revisions map their own graphs
        memo["parents"] = _NOT_SHARED
        return None
    memo["parents"] = known = (parents, parents_not_p)
    return known

def _parent_tree(view: _RevisionView, graph: _Graph, parents: dict, parents_not_p: dict, trees,
                 root_key) -> frozenset:
    """The objects of ``/StructTreeRoot /ParentTree`` (a number tree pointing back at the structure
    elements of each page) when pyHanko's walk can only reach them outside the structure tree: held
    by nothing else than themselves and the StructTreeRoot (not under its ``/K``), the StructTreeRoot
    held by the catalog alone, the catalog by the trailer alone (objects nothing holds, such as
    cross-reference streams, are never reached and do not count).  A structure element is then never
    walked *through* from there (an empty set: no such guarantee, nothing is left out)."""
    page_tree_nodes, struct_tree_nodes = trees
    try:
        root = view.deref(view.by_key(root_key))
        tree_raw = root.raw_get("/StructTreeRoot")
        if not isinstance(tree_raw, generic.IndirectObject):
            return frozenset()
        tree_ref = (tree_raw.reference.idnum, tree_raw.reference.generation)
        tree = view.deref(tree_raw)
        number_tree = tree.raw_get("/ParentTree")
        if not isinstance(number_tree, generic.IndirectObject):
            return frozenset()
        number_tree = (number_tree.reference.idnum, number_tree.reference.generation)
        under_k: list = []
        if "/K" in tree:
            graph._refs_in(tree.raw_get("/K"), under_k, [])
    except Exception:  # noqa: BLE001 - no usable structure tree: nothing left out
        return frozenset()
    def unreached(holder) -> bool:  # held by nothing at all (a cross-reference stream naming /Root)
        return holder is not None and not parents.get(holder)

    if any(h is not None and not unreached(h) for h in parents_not_p.get(root_key, ())):
        return frozenset()
    if any(h != root_key and not unreached(h) for h in parents_not_p.get(tree_ref, ())):
        return frozenset()
    found: set = set()
    stack = [number_tree]
    while stack:
        ref = stack.pop()
        if (ref in found or ref in struct_tree_nodes or ref in page_tree_nodes
                or ref == tree_ref or ref == root_key):
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


def _ancestors(targets: set, parents: dict, parents_not_p: dict, trees, root_key,
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
            holders = [h for h in parents.get(node, ()) if h is not None and (h in page_tree_nodes or h == root_key)]
        elif node in struct_tree_nodes:
            holders = [h for h in parents_not_p.get(node, ()) if h not in outside_tree]
        else:
            holders = parents.get(node, ())
        for holder in holders:
            if holder is not None and holder not in ancestors:
                ancestors.add(holder)
                stack.append(holder)
    return ancestors
