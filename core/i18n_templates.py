"""Templates compiled once per language, their constant strings already translated.

A page says ``{{ _("Mon espace") }}`` some thirty to eighty times; each call looked up the
request's catalogue, went through Jinja's context call and formatted the result: about a fifth
of a simple page's time, for strings that never change within a language. So each template is
compiled once per language (:class:`LocalizedEnvironment` keys Jinja's template cache by the
language of the context in which the template is loaded), and :class:`ConstantTranslations`
replaces, while compiling, ``_("literal")`` and ``gettext("literal")`` by the literal's
translation in that language, marked safe exactly as the runtime ``_`` marks it
(:func:`core.i18n._template_gettext`: the translation is trusted markup, then formatted with no
variables, so ``%%`` becomes ``%``).

Everything else stays a runtime call, as before: ``_`` with variables, ``ngettext``, a string
that is not a literal, a literal whose translation does not format without variables, and any
template compiled outside an application context or from a string (``Environment.from_string``,
:func:`flask.render_template_string`), which has no language of its own.
"""
from __future__ import annotations

import weakref
from contextvars import ContextVar
from typing import Any, Iterator

from flask.templating import Environment as FlaskEnvironment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.utils import internalcode

#: the translations of the language a template is being compiled for (``None``: not folding)
_compiling: ContextVar[Any] = ContextVar("livret_compiling_translations", default=None)

_GETTEXT_NAMES = frozenset({"_", "gettext"})


def _current_language() -> str | None:
    """The language of the current context, or ``None`` outside an application context."""
    from flask import current_app, has_app_context

    if not has_app_context() or "babel" not in current_app.extensions:
        return None
    from flask_babel import get_locale

    locale = get_locale()
    return None if locale is None else str(locale)


class LocalizedEnvironment(FlaskEnvironment):
    """Flask's Jinja environment whose template cache holds one compiled template per language."""

    def __init__(self, app, **options):
        # one entry per template and language: Jinja's default (400) would start evicting, and compiling
        # again, from about 200 templates in two languages (Livret has some 130, plus the plugins')
        options.setdefault("cache_size", 2000)
        super().__init__(app, **options)

    @internalcode
    def _load_template(self, name, globals):  # noqa: A002 - Jinja's signature
        # Jinja's own method (3.1), the language added to the cache key, which it builds inside
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        language = _current_language()
        cache_key = (weakref.ref(self.loader), name, language)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        if language is not None:
            from core.i18n import _request_translations  # the catalogue of that same context (its locale)

            token = _compiling.set(_request_translations())
        else:
            token = _compiling.set(None)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling.reset(token)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template


class ConstantTranslations(Extension):
    """While a template is compiled for a language, ``_("literal")`` becomes ``("translation"|safe)``."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translations = _compiling.get()
        if translations is None:
            yield from stream
            return
        window: list[Token] = []  # the last tokens seen, not yet given on
        previous: Token | None = None
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            folded = self._fold(window, previous, translations)
            if folded is not None:
                yield from folded
                previous, window = folded[-1], []
                continue
            previous = window.pop(0)
            yield previous
        yield from window

    @staticmethod
    def _fold(window: list[Token], previous: Token | None, translations) -> list[Token] | None:
        name, lparen, literal, rparen = window
        if not (name.type == "name" and name.value in _GETTEXT_NAMES and lparen.type == "lparen"
                and literal.type == "string" and rparen.type == "rparen"):
            return None
        if previous is not None and previous.type == "dot":  # ``obj._("…")``: not the translation function
            return None
        try:
            text = translations.ugettext(literal.value) % {}
        except (KeyError, ValueError, TypeError):  # needs variables: formatted at runtime, as before
            return None
        line = name.lineno
        return [Token(line, "lparen", "("), Token(line, "string", text), Token(line, "pipe", "|"),
                Token(line, "name", "safe"), Token(line, "rparen", ")")]
