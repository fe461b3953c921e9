"""Where each object of a revision is used: pyHanko's map, without copying the document.

The difference analysis asks, for the signed revision, every path from the
trailer to the objects a later revision overwrites
(``HistoricalResolver._load_reverse_xref_cache``).  pyHanko builds that map
by walking the revision through a :class:`HistoricalResolver`, which copies
every object it hands out (re-binding its references to the revision): for a
tagged document, thousands of structure elements copied once per signature.

:func:`usage_map` walks the same graph with the same rules — the page tree
entered only through its canonical path, the structure tree only from
``/Root /StructTreeRoot /K``, ``/Parent`` (and ``/P`` inside the structure
tree) not followed, no reference twice on one path — but reads each object
as the revision sees it without copying it: from the reader's shared cache
when the object did not change after the revision, else from the revision
itself.  The result is the map pyHanko would compute (the tests compare both
on every fixture); :func:`prime` installs it on the resolver, so pyHanko's own
analysis runs unchanged on top of it.  Objects are named by their keys
``(idnum, generation)`` inside (see :mod:`.graph`), by references in the map.
"""
from __future__ import annotations

from collections import defaultdict

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import RawPdfPath

from .graph import (  # noqa: F401 - _RevisionView re-exported
    _ancestors,
    _document_parents,
    _Graph,
    _parent_tree,
    _reader_memo,
    _RevisionView,
)


# Paths from the trailer, as pyHanko's walk builds them (``misc.ConsList``) but as nested pairs
# ``(last element, path before it)``, ``()`` empty: built and compared in C.
_ROOT_PATH = ("/Root", ())


def _raw_path(path) -> RawPdfPath:
    elements = []
    while path:
        elements.append(path[0])
        path = path[1]
    return RawPdfPath(*reversed(elements))


class Usages(dict):
    """pyHanko's usage map of one revision, computed per object when asked: the walk of
    :func:`usage_map` restricted to the objects that can lead to the one asked for."""

    def __init__(self, hist, edges_cache: dict | None = None, expected=()):
        super().__init__()
        self.view = _RevisionView(hist)
        self.hist = hist
        self.graph = _Graph({} if edges_cache is None else edges_cache)
        self.trees = _trees(self.view, hist)
        self.root_key = (hist.root_ref.idnum, hist.root_ref.generation)
        #: objects likely to be asked for (those later revisions overwrite, by key): mapped in one walk
        self.expected = set(expected)
        self._mapped: set = set()  # the keys answered
        self._parents = None
        self._outside_tree = None

    def __bool__(self) -> bool:  # pyHanko reads ``cache or {}``
        return True

    def __missing__(self, ref):
        if self._parents is None:
            self._parents = (_document_parents(self.hist.reader, self.graph)
                             or self.graph.parents(self.view, self.hist.trailer_view))
        parents, parents_not_p = self._parents
        key = (ref.idnum, ref.generation)
        if self.expected is not None:  # first question: map what the analysis will ask about in one walk
            wanted = self.expected | _form_refs(self.view, self.hist) | {key}
            self.expected = None
        else:
            wanted = {key}
        batch = {k for k in wanted if k in parents and k not in self._mapped}
        if self._outside_tree is None:
            self._outside_tree = _parent_tree(self.view, self.graph, parents, parents_not_p, self.trees,
                                              self.root_key)
        ancestors = _ancestors(batch, parents, parents_not_p, self.trees, self.root_key, self._outside_tree)
        found = _walk(self.view, self.hist.trailer_view, self.trees, keep=ancestors, only=batch) if batch else {}
        for target in batch:
            self[self.view.reference(target)] = found.get(target, set())
            self._mapped.add(target)
        if not dict.__contains__(self, ref):
            self[ref] = set()  # no path reaches it: pyHanko answers the same (no entry)
            self._mapped.add(key)
        return dict.__getitem__(self, ref)


def _key(indirect: generic.IndirectObject) -> tuple[int, int]:
    ref = indirect.reference
    return ref.idnum, ref.generation


def _form_refs(view: _RevisionView, hist) -> set:
    """The form fields of the revision, their widgets and appearance streams (the form rules ask
    where each of them is used), by key."""
    found: set = set()
    try:
        root_ref = hist.root_ref
        root = view.deref(view.by_key((root_ref.idnum, root_ref.generation)))
        form = view.deref(root.raw_get("/AcroForm"))
        stack = list(view.deref(form.raw_get("/Fields")))
    except Exception:  # noqa: BLE001 - no form: nothing to add (the questions are still answered one by one)
        return found
    while stack and len(found) < 10_000:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            if _key(item) in found:
                continue
            found.add(_key(item))
        item = view.deref(item)
        if not isinstance(item, generic.DictionaryObject):
            continue
        for key in ("/Kids", "/AP"):
            value = view.deref(item.get(key)) if key in item else None
            if isinstance(value, generic.ArrayObject):
                stack.extend(value)
            elif isinstance(value, generic.DictionaryObject):
                for appearance in value.values():
                    if isinstance(appearance, generic.IndirectObject):
                        found.add(_key(appearance))
                    appearance = view.deref(appearance)
                    if isinstance(appearance, generic.DictionaryObject) and not isinstance(
                            appearance, generic.StreamObject):
                        found.update(_key(v) for v in appearance.values()
                                     if isinstance(v, generic.IndirectObject))
    return found


def _catalog_entry(root, key):
    """How ``root`` holds ``key``: ``(idnum, generation)``, ``"absent"``, or ``None`` (held directly)."""
    if key not in root:
        return "absent"
    value = root.raw_get(key)
    if isinstance(value, generic.IndirectObject):
        return value.idnum, value.generation
    return None


def _unchanged(reader, idnums: frozenset, revision: int, other: int) -> bool:
    """No object of ``idnums`` is defined, overwritten or freed by a revision between the two."""
    low, high = sorted((revision, other))
    xrefs = reader.xrefs
    for section in range(low + 1, high + 1):
        data = xrefs.get_xref_data(section)
        if getattr(data, "hybrid", None) is not None:
            return False
        if not idnums.isdisjoint(idnum for idnum, _gen in data.explicit_refs_in_revision):
            return False
        if not idnums.isdisjoint(data.freed):
            return False
    return True


def _trees(view: _RevisionView, hist):
    """The page-tree nodes (with their canonical paths) and the structure elements of the revision,
    by key."""
    root_ref = hist.root_ref
    root = view.deref(view.by_key((root_ref.idnum, root_ref.generation)))
    assert isinstance(root, generic.DictionaryObject)  # as pyHanko's ``root``
    page_tree_nodes = _page_tree(view, root)
    return page_tree_nodes, _struct_tree(view, hist, root)


def _page_tree_refs(view: _RevisionView, pages_obj, path):
    for ix, kid in enumerate(view.getitem(pages_obj, "/Kids")):
        kid_path = (ix, ("/Kids", path))
        if isinstance(kid, generic.IndirectObject):
            yield _key(kid), kid_path
        kid = view.deref(kid)
        if kid.get("/Type", None) == "/Pages":
            yield from _page_tree_refs(view, kid, kid_path)


def _page_tree(view: _RevisionView, root) -> dict:
    pages_ref = root.raw_get("/Pages")
    pages_path = ("/Pages", _ROOT_PATH)
    page_tree_nodes = {}
    if isinstance(pages_ref, generic.IndirectObject):
        page_tree_nodes[_key(pages_ref)] = pages_path
    for ref, path in _page_tree_refs(view, view.deref(pages_ref), pages_path):
        if ref in page_tree_nodes:
            raise misc.PdfReadError("Circular reference in page tree in mapping stage")
        page_tree_nodes[ref] = path
    return page_tree_nodes


def _struct_tree(view: _RevisionView, hist, root) -> set:
    """The structure elements of the revision: those of an earlier revision of the same reader when
    the catalog names the same ``/StructTreeRoot`` and no object read to list them changed in between
    (the signatures of one document share one structure tree: it is read once)."""
    entry = _catalog_entry(root, "/StructTreeRoot")
    memo = None  # [(revision, the catalog's /StructTreeRoot, objects read, elements)]
    if entry is not None:
        shared = _reader_memo(view.reader)
        memo = None if shared is None else shared.setdefault("struct trees", [])
    if memo is not None:
        for revision, known, idnums, nodes in memo:
            if known == entry and _unchanged(view.reader, idnums, revision, view.revision):
                return nodes
    read: set = set()
    nodes = _read_struct_tree(_RevisionView(hist, record=read), root)
    if memo is not None:
        memo.append((view.revision, entry, frozenset(idnum for idnum, _gen in read), frozenset(nodes)))
    return nodes


def _struct_children(view: _RevisionView, struct_elem):
    """``(key or None, child)`` of the children pyHanko's walk enters below ``struct_elem``, read one
    at a time as its walk reads them."""
    try:
        children = view.getitem(struct_elem, "/K")
    except KeyError:
        return
    if not isinstance(children, generic.ArrayObject):
        children = (children,)
    for child in children:
        child_key = None
        if isinstance(child, generic.IndirectObject):
            child_key = _key(child)
            child = view.deref(child)
        if not isinstance(child, generic.DictionaryObject):
            continue
        try:
            if view.getitem(child, "/Type") != "/StructElem":
                continue
        except KeyError:
            pass
        yield child_key, child


def _read_struct_tree(view: _RevisionView, root) -> set:
    """pyHanko's recursive listing of the structure elements, depth first, with a stack of the
    children still to read (its generators nested as deep as the tree passed each element up through
    every level)."""
    struct_tree_nodes = set()
    try:
        struct_tree_root = view.deref(root.raw_get("/StructTreeRoot"))
        stack = [_struct_children(view, struct_tree_root)]
        while stack:
            for child_key, child in stack[-1]:
                if child_key is not None:
                    if child_key in struct_tree_nodes:
                        raise misc.PdfReadError("Circular reference in structure tree in mapping stage")
                    struct_tree_nodes.add(child_key)
                stack.append(_struct_children(view, child))
                break
            else:
                stack.pop()
    except KeyError:
        pass
    return struct_tree_nodes


def _walk(view: _RevisionView, trailer, trees, keep=None, only=None) -> dict:
    """pyHanko's walk from the trailer, ``{key: {RawPdfPath, ...}}``; with ``keep`` (keys), references
    outside it are not followed (their entries are then incomplete: only the entries of ``keep`` are
    meant to be read); with ``only`` (keys), the entries of those references alone are returned."""
    walk = _Walk(view, trees, keep, only)
    walk.paths(trailer, (), False)
    return {key: {_raw_path(p) for p in ps} for key, ps in walk.collected.items()
            if only is None or key in only}


class _Walk:
    """The state of one :func:`_walk` (methods rather than nested functions: a recursive closure holds
    itself, and with it every object read, in a cycle only the garbage collector frees)."""

    def __init__(self, view: _RevisionView, trees, keep, only):
        self.view = view
        self.page_tree_objs, self.struct_tree_objs = trees
        self.keep, self.only = keep, only
        self.collected: dict = defaultdict(list)
        self.on_path: set = set()  # the objects of the current path (no reference twice on one path)

    def paths(self, obj, cur_path, is_struct_tree: bool) -> None:
        key = None
        if isinstance(obj, generic.IndirectObject):
            ref = obj.reference
            key = (ref.idnum, ref.generation)
            if key in self.on_path or (self.keep is not None and key not in self.keep):
                return
            self.collected[key].append(cur_path)  # each path is walked once: no duplicates
            obj = self.view.by_key(key)
            canonical = self.page_tree_objs.get(key)
            if canonical is not None and canonical != cur_path:
                return
            if not is_struct_tree and key in self.struct_tree_objs:
                return
            self.on_path.add(key)
        # values that lead nowhere (numbers, names, strings; references outside ``keep``; outside the
        # structure tree, a structure element not asked about: recorded, then left) are skipped before
        # their path is built
        if isinstance(obj, generic.DictionaryObject):
            at_tree_root = (not is_struct_tree and len(cur_path) == 2 and cur_path[0] == "/StructTreeRoot"
                            and cur_path[1] == _ROOT_PATH)
            for k, v in obj.items():
                if k == "/Parent" or (is_struct_tree and k == "/P"):
                    continue
                in_tree = is_struct_tree or (at_tree_root and k == "/K")
                if self.followed(v, in_tree):
                    self.paths(v, (k, cur_path), in_tree)
        elif isinstance(obj, generic.ArrayObject):
            for ix, v in enumerate(obj):
                if self.followed(v, is_struct_tree):
                    self.paths(v, (ix, cur_path), is_struct_tree)
        if key is not None:
            self.on_path.discard(key)

    def followed(self, value, in_tree: bool) -> bool:
        if isinstance(value, generic.IndirectObject):
            ref = value.reference
            key = (ref.idnum, ref.generation)
            if self.keep is not None and key not in self.keep:
                return False
            return in_tree or self.only is None or key in self.only or key not in self.struct_tree_objs
        return isinstance(value, (generic.DictionaryObject, generic.ArrayObject))


def usage_map(hist) -> dict:
    """``{reference: {RawPdfPath, ...}}`` for revision ``hist``: the whole map, as pyHanko builds it."""
    view = _RevisionView(hist)
    return {view.reference(key): found for key, found in _walk(view, hist.trailer_view, _trees(view, hist)).items()}


def prime(hist, edges_cache: dict | None = None) -> None:
    """Give ``hist`` its usage map (computed per object when asked, the objects later revisions
    overwrite in one walk) unless it has one: pyHanko then skips its own walk of the whole revision."""
    if hist._indirect_object_access_cache is None:
        xrefs = hist.reader.xrefs
        expected = set()
        for revision in range(hist.revision + 1, xrefs.total_revisions):
            expected.update((ref.idnum, ref.generation) for ref in xrefs.explicit_refs_in_revision(revision))
        hist._indirect_object_access_cache = Usages(hist, edges_cache, expected)
