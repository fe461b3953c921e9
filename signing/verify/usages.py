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
analysis runs unchanged on top of it.
"""
from __future__ import annotations

import sys
from collections import defaultdict

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import RawPdfPath


class _RevisionView:
    """Objects of ``hist.revision``, not re-bound (references are followed through :meth:`deref`)."""

    def __init__(self, hist):
        self.reader = hist.reader
        self.revision = hist.revision
        self.cache: dict = {}

    def __call__(self, ref: generic.Reference):
        try:
            return self.cache[ref]
        except KeyError:
            pass
        reader = self.reader
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
    follows), shared across revisions for the objects they have in common."""

    def __init__(self, edges_cache: dict):
        self.edges_cache = edges_cache

    @staticmethod
    def _refs_in(obj, out: list) -> None:
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, generic.IndirectObject):
                out.append(item.reference)
            elif isinstance(item, generic.DictionaryObject):
                stack.extend(v for k, v in item.items() if k != "/Parent")
            elif isinstance(item, generic.ArrayObject):
                stack.extend(item)

    def edges(self, view: _RevisionView, ref) -> list:
        marker = view.reader.xrefs.get_historical_ref(ref, view.revision)
        key = (ref.idnum, ref.generation, marker)
        try:
            return self.edges_cache[key]
        except (KeyError, TypeError):
            pass
        out: list = []
        self._refs_in(view(ref), out)
        try:
            self.edges_cache[key] = out
        except TypeError:  # pragma: no cover - unhashable marker
            pass
        return out

    def parents(self, view: _RevisionView, trailer) -> dict:
        """``{ref: [refs holding it]}`` over the objects reachable from the trailer (``None``: the trailer)."""
        roots: list = []
        self._refs_in(trailer, roots)
        parents: dict = defaultdict(list)
        seen: set = set()
        stack = []
        for ref in roots:
            parents[ref].append(None)
            if ref not in seen:
                seen.add(ref)
                stack.append(ref)
        while stack:
            ref = stack.pop()
            for child in self.edges(view, ref):
                parents[child].append(ref)
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return parents


class Usages(dict):
    """pyHanko's usage map of one revision, computed per object when asked: the walk of
    :func:`usage_map` restricted to the objects that can lead to the one asked for."""

    def __init__(self, hist, edges_cache: dict | None = None, expected=()):
        super().__init__()
        self.view = _RevisionView(hist)
        self.hist = hist
        self.graph = _Graph({} if edges_cache is None else edges_cache)
        self.trees = _trees(self.view, hist)
        #: objects likely to be asked for (those later revisions overwrite): mapped in one walk
        self.expected = set(expected)
        self._parents = None

    def __bool__(self) -> bool:  # pyHanko reads ``cache or {}``
        return True

    def __missing__(self, ref):
        if self._parents is None:
            self._parents = self.graph.parents(self.view, self.hist.trailer_view)
        parents = self._parents
        if self.expected is not None:  # first question: map what the analysis will ask about in one walk
            wanted = self.expected | _form_refs(self.view, self.hist) | {ref}
            self.expected = None
        else:
            wanted = {ref}
        batch = {r for r in wanted if r in parents and not dict.__contains__(self, r)}
        ancestors = set(batch)
        stack = list(batch)
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent is not None and parent not in ancestors:
                    ancestors.add(parent)
                    stack.append(parent)
        found = _walk(self.view, self.hist.trailer_view, self.trees, keep=ancestors) if batch else {}
        for target in batch:
            self[target] = found.get(target, set())
        if not dict.__contains__(self, ref):
            self[ref] = set()  # no path reaches it: pyHanko answers the same (no entry)
        return dict.__getitem__(self, ref)


def _form_refs(view: _RevisionView, hist) -> set:
    """The form fields of the revision, their widgets and appearance streams (the form rules ask
    where each of them is used)."""
    found: set = set()
    try:
        root_ref = hist.root_ref
        root = view.deref(view(generic.Reference(root_ref.idnum, root_ref.generation, view.reader)))
        form = view.deref(root.raw_get("/AcroForm"))
        stack = list(view.deref(form.raw_get("/Fields")))
    except Exception:  # noqa: BLE001 - no form: nothing to add (the questions are still answered one by one)
        return found
    while stack and len(found) < 10_000:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            if item.reference in found:
                continue
            found.add(item.reference)
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
                        found.add(appearance.reference)
                    appearance = view.deref(appearance)
                    if isinstance(appearance, generic.DictionaryObject) and not isinstance(
                            appearance, generic.StreamObject):
                        found.update(v.reference for v in appearance.values()
                                     if isinstance(v, generic.IndirectObject))
    return found


def _trees(view: _RevisionView, hist):
    """The page-tree nodes (with their canonical paths) and the structure elements of the revision."""

    def page_tree_refs(pages_obj, path):
        for ix, kid in enumerate(view.getitem(pages_obj, "/Kids")):
            kid_path = path.cons("/Kids").cons(ix)
            if isinstance(kid, generic.IndirectObject):
                yield kid.reference, kid_path
            kid = view.deref(kid)
            if kid.get("/Type", None) == "/Pages":
                yield from page_tree_refs(kid, kid_path)

    def struct_tree_refs(struct_elem):
        try:
            children = view.getitem(struct_elem, "/K")
        except KeyError:
            return
        if not isinstance(children, generic.ArrayObject):
            children = (children,)
        for child in children:
            child_ref = None
            if isinstance(child, generic.IndirectObject):
                child_ref = child.reference
                child = view.deref(child)
            if not isinstance(child, generic.DictionaryObject):
                continue
            try:
                if view.getitem(child, "/Type") != "/StructElem":
                    continue
            except KeyError:
                pass
            if child_ref is not None:
                yield child_ref
            yield from struct_tree_refs(child)

    root_ref = hist.root_ref
    root = view.deref(view(generic.Reference(root_ref.idnum, root_ref.generation, view.reader)))
    assert isinstance(root, generic.DictionaryObject)  # as pyHanko's ``root``
    pages_ref = root.raw_get("/Pages")
    pages_path = misc.ConsList.sing("/Root").cons("/Pages")
    page_tree_nodes = {}
    if isinstance(pages_ref, generic.IndirectObject):
        page_tree_nodes[pages_ref.reference] = pages_path
    for ref, path in page_tree_refs(view.deref(pages_ref), pages_path):
        if ref in page_tree_nodes:
            raise misc.PdfReadError("Circular reference in page tree in mapping stage")
        page_tree_nodes[ref] = path
    struct_tree_nodes = set()
    try:
        struct_tree_root = view.deref(root.raw_get("/StructTreeRoot"))
        for ref in struct_tree_refs(struct_tree_root):
            if ref in struct_tree_nodes:
                raise misc.PdfReadError("Circular reference in structure tree in mapping stage")
            struct_tree_nodes.add(ref)
    except KeyError:
        pass
    return page_tree_nodes, struct_tree_nodes


def _walk(view: _RevisionView, trailer, trees, keep=None) -> dict:
    """pyHanko's walk from the trailer; with ``keep``, references outside it are not followed
    (their entries are then incomplete: only the entries of ``keep`` are meant to be read)."""
    page_tree_objs, struct_tree_objs = trees
    collected: dict = defaultdict(set)
    root_path = misc.ConsList.sing("/Root")

    def paths(obj, cur_path, seen_in_path, is_struct_tree):
        if isinstance(obj, generic.IndirectObject):
            obj_ref = obj.reference
            if obj_ref in seen_in_path or (keep is not None and obj_ref not in keep):
                return
            collected[obj_ref].add(cur_path)
            seen_in_path = seen_in_path.cons(obj_ref)
            obj = view(obj_ref)
            if page_tree_objs.get(obj_ref, cur_path) != cur_path:
                return
            if not is_struct_tree and obj_ref in struct_tree_objs:
                return
        if isinstance(obj, generic.DictionaryObject):
            for k, v in obj.items():
                if k == "/Parent" or (is_struct_tree and k == "/P"):
                    continue
                paths(v, cur_path.cons(k), seen_in_path,
                      is_struct_tree or (cur_path.head == "/StructTreeRoot" and k == "/K"
                                         and cur_path.tail == root_path))
        elif isinstance(obj, generic.ArrayObject):
            for ix, v in enumerate(obj):
                paths(v, cur_path.cons(ix), seen_in_path, is_struct_tree)

    paths(trailer, misc.ConsList.empty(), misc.ConsList.empty(), False)
    return {ref: {RawPdfPath(*reversed(list(p))) for p in ps} for ref, ps in collected.items()}


def usage_map(hist) -> dict:
    """``{reference: {RawPdfPath, ...}}`` for revision ``hist``: the whole map, as pyHanko builds it."""
    view = _RevisionView(hist)
    return _walk(view, hist.trailer_view, _trees(view, hist))


def prime(hist, edges_cache: dict | None = None) -> None:
    """Give ``hist`` its usage map (computed per object when asked, the objects later revisions
    overwrite in one walk) unless it has one: pyHanko then skips its own walk of the whole revision."""
    if hist._indirect_object_access_cache is None:
        xrefs = hist.reader.xrefs
        expected = set()
        for revision in range(hist.revision + 1, xrefs.total_revisions):
            expected |= xrefs.explicit_refs_in_revision(revision)
        hist._indirect_object_access_cache = Usages(hist, edges_cache, expected)
