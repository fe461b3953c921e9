"""What a dossier page computes from a section draft, kept per draft revision (per process).

A section page shows the section's form built from the draft, validated and rendered by
the field macros; the dossier page names each field in error of each unfinished section,
which also means building and validating its form. Both depend only on the draft's saved
data (identified by the draft's id, revision and last save: ``save_section`` is the only
writer and bumps both), the section as the certification defines it for the dossier's
route and block, the language, and the day (date validators compare with today). They are
kept here under exactly that identity, so that reading a page twice does not build the same
form twice; a save changes the revision, and the next page is built afresh.

Kept per process, bounded by entries and by size (``DOSSIER_RENDER_CACHE_MB``, 0 turns it
off). Nothing personal leaves the process, and nothing that depends on the request (the
CSRF token, flashed messages, the session) is kept: the page adds those around what is kept.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable

from cachetools import LRUCache
from flask import current_app
from markupsafe import Markup
from wtforms.widgets import HiddenInput


class _RenderCache(LRUCache):
    __hash__ = object.__hash__  # by identity (a mapping is not hashable): kept in a weak set for clear()


_lock = threading.Lock()
_caches: "weakref.WeakSet[_RenderCache]" = weakref.WeakSet()  # every application's, for :func:`clear`
_EXTENSION = "livret_dossier_render_cache"


def _cache() -> _RenderCache | None:
    """The application's cache (kept on the application: tests create several in one process)."""
    limit = int(current_app.config.get("DOSSIER_RENDER_CACHE_MB", 16) or 0) * 1024 * 1024
    if limit <= 0:
        return None
    app = current_app._get_current_object()
    found = app.extensions.get(_EXTENSION)
    if found is None or found.maxsize != limit:
        with _lock:
            found = app.extensions.get(_EXTENSION)
            if found is None or found.maxsize != limit:
                found = app.extensions[_EXTENSION] = _RenderCache(maxsize=limit, getsizeof=lambda entry: entry[0])
                _caches.add(found)
    return found


def identity(kind: str, cert, spec, dossier, draft) -> tuple:
    """What the kept value depends on (see the module's docstring)."""
    from flask_babel import get_locale

    from forms.validators import _today

    draft_id = (draft.id, draft.revision, draft.updated_at) if draft is not None else None
    return (kind, cert.code, spec.key, dossier.id, dossier.route, dossier.target_block, draft_id,
            str(get_locale()), _today())


def remembered(key: tuple, compute: Callable[[], Any], size: Callable[[Any], int]) -> Any:
    cache = _cache()
    if cache is None:
        return compute()
    with _lock:
        found = cache.get(key)
    if found is not None:
        return found[1]
    value = compute()
    entry = (max(1, size(value)), value)
    with _lock:
        if entry[0] <= cache.maxsize:
            cache[key] = entry
    return value


def clear() -> None:
    with _lock:
        for cache in list(_caches):
            cache.clear()


class RenderedSection:
    """A section's form as its page renders it, without the form: what ``dossiers/section.html`` and
    the ``section_form`` / ``error_summary`` macros ask of a form, from a rendering kept by revision.

    The CSRF token is not part of it (``'csrf_token' in form`` is false, so the macro writes the
    request's own token); the other hidden fields, the fields' HTML and the error items are.
    """

    def __init__(self, form, heading_level: int, title_in_page: bool) -> None:
        self._render_args = (heading_level, title_in_page)
        self._items = form.error_items()
        self._hidden = Markup("").join(f() for f in form if isinstance(f.widget, HiddenInput)
                                       and f.name != "csrf_token")
        self._html = Markup(form.render(heading_level=heading_level, title_in_page=title_in_page))

    @property
    def size(self) -> int:
        return len(self._html) + len(self._hidden) + 200 * len(self._items) + 200

    def __contains__(self, name: str) -> bool:
        return False  # no CSRF field: the page adds the request's token

    def error_items(self) -> list[dict[str, str]]:
        return [dict(item) for item in self._items]

    def hidden_tag(self) -> Markup:
        return self._hidden

    def render(self, heading_level: int = 2, title_in_page: bool = False, **context) -> Markup:
        if context or (heading_level, title_in_page) != self._render_args:
            raise ValueError(f"section kept as rendered with {self._render_args}, asked for "
                             f"{(heading_level, title_in_page, context)}")
        return self._html
