"""Access logs without personal data from query strings, nor the secrets some paths carry.

A query string may carry personal data: the back office's search (``?q=`` with
an e-mail address or a name), filters, a ``next=`` URL holding another query.
Access logs keep the path and the names of the parameters, never their values:
``GET /certificateur/dossiers?q=***&page=*** HTTP/1.1``.

Two servers write access logs:

* ``livret run`` (werkzeug's development server) logs through the ``werkzeug``
  logger: :func:`install` (called by :func:`core.create_app`) adds
  :class:`QueryStringFilter` to it, which masks every query string of a record;
* gunicorn (``Dockerfile``, ``docker-compose.yml``) is started with
  ``--logger-class core.access_log.GunicornLogger``, whose atoms (``%(r)s``,
  ``%(q)s``, ``%(f)s`` — the Referer —, ``{referer}i``, ``{location}o``,
  ``{raw_uri}e``…) are masked the same way.

A few paths carry a secret themselves: the e-mail verification and password reset links, the third-party
payer's link (page and API). Whoever reads a log must not be able to follow them, so the segment after
their prefix is masked as well: ``GET /mot-de-passe/reinitialiser/*** HTTP/1.1`` (:data:`SECRET_PATHS`; a
test fails when a route with a ``token`` argument is not covered).

The application's own logs never write ``request.url`` or ``request.args``; where they name the path, it
goes through :func:`mask_path`.
"""
from __future__ import annotations

import logging
import re

MASK = "***"
_QUERY = re.compile(r"\?([^\s\"'#]*)")
_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,40}$")


def mask_query_string(query: str) -> str:
    """``q=jean%40example.org&page=2`` → ``q=***&page=***``: names kept (when they look like names), values hidden."""
    items = []
    for item in query.split("&"):
        if not item:
            continue
        name, sep, _value = item.partition("=")
        items.append(f"{name}={MASK}" if sep and _NAME.match(name) else MASK)
    return "&".join(items)


#: the path prefixes whose next segment is a secret (a one-time link): e-mail verification, password reset,
#: the third-party payer's page and API
SECRET_PATHS = ("/verification/", "/mot-de-passe/reinitialiser/", "/frais/tiers/", "/fee-links/")
_SECRET_SEGMENT = re.compile("(" + "|".join(re.escape(p) for p in SECRET_PATHS) + r")[^/?\s\"'#]+")


def mask_path(path: str) -> str:
    """``/mot-de-passe/reinitialiser/eyJ1…`` → ``/mot-de-passe/reinitialiser/***``; other paths unchanged."""
    return _SECRET_SEGMENT.sub(lambda m: m.group(1) + MASK, path) if path else path


def mask_target(text: str) -> str:
    """``text`` (a request line, a URL, a log message) with the values of every query string and the
    secret segments of one-time links hidden."""
    text = mask_path(text)
    if not text or "?" not in text:
        return text
    return _QUERY.sub(lambda m: "?" + mask_query_string(m.group(1)) if m.group(1) else "?", text)


class QueryStringFilter(logging.Filter):
    """Masks the query strings of a record's message (werkzeug's request lines and errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is left to the handler
            return True
        masked = mask_target(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install() -> None:
    """Mask query strings in the development server's access log (``werkzeug`` logger). Idempotent."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, QueryStringFilter) for f in logger.filters):
        logger.addFilter(QueryStringFilter())


# -- gunicorn -----------------------------------------------------------------------
_MASKED_ATOMS = ("r", "U", "f", "{referer}i", "{location}o", "{content-location}o", "{raw_uri}e", "{request_uri}e",
                 "{http_referer}e")
_QUERY_ATOMS = ("q", "{query_string}e")

try:
    from gunicorn.glogging import Logger as _GunicornBaseLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency, but not importable everywhere (Windows)
    _GunicornBaseLogger = None

if _GunicornBaseLogger is not None:
    class GunicornLogger(_GunicornBaseLogger):
        """gunicorn's logger with masked query strings: ``--logger-class core.access_log.GunicornLogger``."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key in _MASKED_ATOMS:
                if isinstance(atoms.get(key), str):
                    atoms[key] = mask_target(atoms[key])
            for key in _QUERY_ATOMS:
                if isinstance(atoms.get(key), str):
                    atoms[key] = mask_query_string(atoms[key])
            return atoms
