"""What makes an application per test cheap, without changing what the application does.

The suite creates an application for every test (about 2,300 a run). Nine tenths of
:func:`core.create_app` went into werkzeug compiling, for each of the ~250 URL rules and
for each application, two URL builder functions from Python's ``ast`` (about 0.2 s per
application, some four minutes of a run). A builder is a pure function of its rule — the
rule's text, host or subdomain, its parsed parts and its defaults — and reads the rule's
converters through the ``self`` it is bound to at each call, so the function compiled for
one application's rule serves the same rule of the next one. :func:`share_url_builders`
keeps them, per process, under exactly what werkzeug compiles them from.
"""
from __future__ import annotations

from typing import Any, Callable


def share_url_builders() -> None:
    """Compile each distinct URL builder once per process (installed by the ``livret`` pytest plugin)."""
    from werkzeug.routing.rules import Rule

    original: Callable[..., Any] | None = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "livret_shared", False):
        return  # another werkzeug than the one this was written for, or already installed
    compiled: dict[tuple, Callable[..., Any]] = {}

    def _compile_builder(self, append_unknown: bool = True):
        try:
            key = (self.rule, self.host, self.subdomain, self.merge_slashes, tuple(self._trace),
                   repr(sorted((self.defaults or {}).items(), key=lambda item: str(item[0]))), append_unknown)
            hash(key)
        except (AttributeError, TypeError):  # nothing to key it by: compiled as werkzeug does
            return original(self, append_unknown)
        builder = compiled.get(key)
        if builder is None:
            builder = compiled[key] = original(self, append_unknown)
        return builder

    _compile_builder.livret_shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = _compile_builder  # type: ignore[method-assign]


# ---------------------------------------------------------------------------
# SQLite: the schema created once per process, copied for each test
# ---------------------------------------------------------------------------
# ``db.create_all()`` on an empty SQLite file takes about 0.09 s (some 60 tables, each DDL statement written
# to disk); copying a file that already holds them takes under a millisecond. The first test of a process
# keeps a copy of its database right after ``create_all`` (the schema, no row); later tests start from that
# copy, and ``create_all`` still runs after it, creating what the copy lacks (a table a test plugin declared
# since) — so every test gets exactly the tables it would have had.

_schema: dict[str, str] = {}


def _sqlite_path(url: str) -> str | None:
    prefix = "sqlite:///"
    return url[len(prefix):] if url.startswith(prefix) and len(url) > len(prefix) else None


def copy_sqlite_schema(url: str) -> bool:
    """Put the kept schema at ``url``'s file when it does not exist yet; whether it did."""
    import os
    import shutil

    path, template = _sqlite_path(url), _schema.get("path")
    if path is None or template is None or os.path.exists(path):
        return False
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    shutil.copyfile(template, path)
    return True


def keep_sqlite_schema(url: str) -> None:
    """Keep a copy of ``url``'s database (just created: its schema, no row) for the next tests of the process."""
    import atexit
    import os
    import shutil
    import sqlite3
    import tempfile

    path = _sqlite_path(url)
    if path is None or "path" in _schema or not os.path.exists(path):
        return
    folder = tempfile.mkdtemp(prefix="livret-schema-")
    atexit.register(shutil.rmtree, folder, True)
    target = os.path.join(folder, "schema.sqlite3")
    source, copy = sqlite3.connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent copy, whatever is still in the write-ahead log
    finally:
        copy.close()
        source.close()
    _schema["path"] = target
