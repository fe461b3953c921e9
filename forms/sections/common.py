"""Shared field helpers of the Livret 2 sections."""
from __future__ import annotations

from wtforms import fields as wtf

from forms.validators import MaxChars

SHORT_TEXT = 200
LONG_TEXT = 10_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def text(label, *validators, max_chars: int = SHORT_TEXT, **kwargs) -> wtf.StringField:
    """A one-line text (trimmed, at most ``max_chars`` characters)."""
    return wtf.StringField(label, [*validators, MaxChars(max_chars)], filters=[_strip], **kwargs)


def long_text(label, *validators, max_chars: int = LONG_TEXT, rows: int = 6, **kwargs) -> wtf.TextAreaField:
    """A multi-line text (at most ``max_chars`` characters)."""
    render_kw = {"rows": rows, **(kwargs.pop("render_kw", None) or {})}
    return wtf.TextAreaField(label, [*validators, MaxChars(max_chars)], filters=[_strip], render_kw=render_kw,
                             **kwargs)


__all__ = ["text", "long_text", "SHORT_TEXT", "LONG_TEXT"]
