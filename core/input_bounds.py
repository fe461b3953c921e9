"""Hostile input stopped at the door: bounded path ids and checked JSON bodies.

Installed by :func:`core.create_app` before any blueprint is registered:

- :class:`BoundedIntegerConverter` replaces Flask's ``int`` converter: a path
  id outside the range of the id columns (``INTEGER``: at most ``2**31 - 1``
  on PostgreSQL; ``2**63`` or hundreds of digits would overflow SQLite's
  driver) does not match the rule, so the answer is the ordinary 404 (French
  page or API error) instead of an ``OverflowError`` or a "value out of range"
  deep in the database driver.
- :class:`LivretRequest` is the application's request class. Whoever reads a
  JSON body (``request.get_json``, :func:`core.api.parsing.load_json`) gets a
  document that was

  * at most ``JSON_MAX_SIZE`` bytes (else 413, code ``json_too_large``);
  * at most :data:`JSON_MAX_DEPTH` arrays/objects deep, checked on the text
    *before* parsing, so the parser never recurses into a hostile document
    (else 400, code ``json_too_deep``);
  * made of values every part of the platform can store: strings and keys
    encodable in UTF-8 (no lone surrogate such as ``"\\ud800"``) and without
    NUL characters, finite numbers, integers within the database's 64-bit range
    (else 422 ``validation_failed`` whose ``details`` name the offending field,
    nested as marshmallow nests them).

  These checks apply even with ``get_json(silent=True)``: a hostile body is
  refused, never silently read as "no body".
- :func:`refuse_nul_characters` (before every request): a NUL character,
  which PostgreSQL cannot store nor compare, in a query-string parameter or a
  form field of a page is refused with 422 naming the field; in a path
  parameter, the page does not exist (404). Werkzeug decodes URLs, query
  strings and form fields with replacement characters, so they never carry a
  lone surrogate.
"""
from __future__ import annotations

import builtins
import json
import math
import re
from typing import Any

from flask import Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from core.errors import NotFound, UserError, ValidationFailed

INT64_MAX = 2**63 - 1
ID_MAX = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL
JSON_MAX_DEPTH = 64
DEFAULT_JSON_MAX_SIZE = 2 * 1024 * 1024


def digits_at_most(bound: int) -> str:
    """A regular expression matching the ASCII decimal numbers from 0 to ``bound`` (a few leading zeros allowed)."""
    digits = str(bound)
    alternatives = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        rest = len(digits) - i - 1
        if digit != "0":
            low = "1" if i == 0 and len(digits) > 1 else "0"  # shorter numbers are the first alternative
            if int(digit) - 1 >= int(low):
                span = f"[{low}-{int(digit) - 1}]" if int(digit) - 1 > int(low) else low
                alternatives.append(digits[:i] + span + (f"[0-9]{{{rest}}}" if rest else ""))
    alternatives.append(digits)
    return "0{0,20}(?:" + "|".join(alternatives) + ")"  # a few leading zeros, not thousands


class BoundedIntegerConverter(IntegerConverter):
    """Flask's ``int`` converter, limited to what an ``INTEGER`` id column holds (:data:`ID_MAX`).

    The bound is in the regular expression itself: a larger number does not
    match the rule at all, so the router answers 404 (a converter refusing a
    value after the match would make werkzeug answer 405 when another method
    of the same path exists).
    """

    regex = digits_at_most(ID_MAX)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        upper = ID_MAX if max is None else builtins.min(max, ID_MAX)
        lower = (-ID_MAX if min is None else builtins.max(min, -ID_MAX)) if signed else min
        super().__init__(map, fixed_digits=fixed_digits, min=lower, max=upper, signed=signed)


class JsonTooLarge(UserError):
    status = 413
    code = "json_too_large"


# A JSON string (unrolled loop: fast on long strings) and the brackets outside strings.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_UNENCODABLE = re.compile("[\ud800-\udfff]")


def json_too_deep(text: str, limit: int = JSON_MAX_DEPTH) -> bool:
    """Whether the JSON ``text`` nests arrays/objects more than ``limit`` deep (read, not parsed)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _text_problem(value: str) -> str | None:
    if _UNENCODABLE.search(value):
        return _("Texte invalide (UTF-8 attendu).")
    if "\x00" in value:
        return _("Texte invalide : le caractère nul (U+0000) n'est pas accepté.")
    return None


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -INT64_MAX - 1 <= value <= INT64_MAX else _("Nombre trop grand.")
    if isinstance(value, float) and not math.isfinite(value):
        return _("Les valeurs numériques spéciales (NaN, infini) ne sont pas acceptées.")
    return None


def _printable_key(key: str) -> str:
    """A key as it can be shown back (lone surrogates written as ``\\udXXX``)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def json_value_errors(document: Any) -> dict | None:
    """The problems of a parsed JSON document, as marshmallow-like nested ``details``; None if none.

    A bad key is reported at its own path; a bad value at its path; the document
    itself at the path ``""``.
    """
    problems: list[tuple[tuple, str]] = []
    stack: list[tuple[tuple, Any]] = [((), document)]
    while stack and len(problems) < 50:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _text_problem(key) if isinstance(key, str) else None
                if problem:
                    problems.append((path + (_printable_key(key),), problem))
                else:
                    stack.append((path + (key,), item))
        elif isinstance(value, list):
            stack.extend((path + (i,), item) for i, item in enumerate(value))
        else:
            problem = _value_problem(value)
            if problem:
                problems.append((path, problem))
    if not problems:
        return None
    details: dict = {}
    for path, message in problems:
        if not path:
            details.setdefault("", []).append(message)
            continue
        node = details
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        existing = node.get(path[-1])
        if isinstance(existing, list):
            existing.append(message)
        elif existing is None:
            node[path[-1]] = [message]
    return details


def _decode(data: bytes) -> str | None:
    try:
        return data.decode(json.detect_encoding(data), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return None  # the parser will refuse it as invalid JSON


class LivretRequest(Request):
    """The application's request: JSON bodies bounded and checked (see the module)."""

    _livret_json_checked = False

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if cache and self._cached_json[silent] is not Ellipsis:
            return self._cached_json[silent]
        if force or self.is_json:
            self._check_json_text()
        value = super().get_json(force=force, silent=silent, cache=cache)
        if value is not None and not self._livret_json_checked:
            details = json_value_errors(value)
            if details:
                # Forget the parsed body: a caller catching this error must not read it unchecked later.
                self._cached_json = (Ellipsis, Ellipsis)
                raise ValidationFailed(details=details)
            self._livret_json_checked = True
        return value

    def _check_json_text(self) -> None:
        limit = current_app.config.get("JSON_MAX_SIZE") or DEFAULT_JSON_MAX_SIZE
        too_large = JsonTooLarge(_("Le document JSON est trop volumineux (%(size)s octets au plus).", size=limit))
        if self.content_length is not None and self.content_length > limit:
            raise too_large
        if "stream" not in self.__dict__ and (self.max_content_length is None or self.max_content_length > limit):
            # A streamed body (no Content-Length) is read no further than one byte past the limit.
            self.max_content_length = limit + 1
        try:
            data = self.get_data(cache=True)
        except RequestEntityTooLarge:
            raise too_large from None
        if len(data) > limit:
            raise too_large
        text = _decode(data)
        if text is not None and json_too_deep(text):
            raise UserError(_("Le document JSON est trop imbriqué (%(depth)s niveaux au plus).",
                              depth=JSON_MAX_DEPTH), code="json_too_deep")


def refuse_nul_characters() -> None:
    """Refuse NUL characters in path parameters (404), query strings and page forms (422)."""
    if any(isinstance(v, str) and "\x00" in v for v in (request.view_args or {}).values()):
        raise NotFound()
    sources = [request.args]
    if not request.path.startswith("/api/"):
        # Pages: the form is parsed anyway (CSRF). API bodies are JSON (checked when read) or
        # multipart read as a stream by the view, which must not be consumed here.
        sources += [request.form, request.files]
    details: dict[str, list[str]] = {}
    message = ""  # translated only when needed: the locale (and so the user) is not looked up on every request
    for source in sources:
        for key, value in source.items(multi=True):
            texts = [key, value] if isinstance(value, str) else [key, getattr(value, "filename", None) or ""]
            if any("\x00" in text for text in texts):
                message = message or _("Texte invalide : le caractère nul (U+0000) n'est pas accepté.")
                details.setdefault(_printable_key(key.replace("\x00", "\\x00")), []).append(message)
    if details:
        raise ValidationFailed(message, details=details)  # the page shows the message and the field names
