"""WTForms' ``html_params`` without the string formatter: the same attributes, the same escaping.

Every input, radio button, option and label that WTForms renders goes through
:func:`wtforms.widgets.core.html_params`, which builds each ``name="value"`` pair
with ``Markup('{k}="{v}"').format(...)``: markupsafe's escaping formatter runs
Python's :class:`string.Formatter` for each attribute, about half of a form's
widget time (a section of radio grids renders hundreds of them).
:func:`html_params` writes the same text directly: the name escaped, the value
escaped and its double quotes written ``&quot;``, ``True`` as the bare name,
``False`` left out, names sorted. :func:`install` makes WTForms' widgets use it
(idempotent); ``tests/forms/test_html_params.py`` compares both on every kind
of value.
"""
from __future__ import annotations

from markupsafe import Markup, escape
from wtforms.widgets import core as _widgets_core

_original = _widgets_core.html_params


def html_params(**kwargs) -> Markup:
    """Same output as :func:`wtforms.widgets.core.html_params` (see its documentation)."""
    params = []
    append = params.append
    for key, value in sorted(kwargs.items()):
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        if value is True:
            append(str(escape(key)))
        elif value is False:
            continue
        else:
            append(f'{escape(key)}="{str.replace(escape(value), chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def install() -> None:
    """Point WTForms' widgets (inputs, buttons, selects, labels…) at :func:`html_params`."""
    import wtforms.widgets

    _widgets_core.html_params = html_params
    wtforms.widgets.html_params = html_params  # Label.__call__ reads it there
    for name in dir(_widgets_core):
        widget = getattr(_widgets_core, name)
        if isinstance(widget, type) and "html_params" in widget.__dict__ and widget.html_params is _original:
            widget.html_params = staticmethod(html_params)  # Input, Button: a staticmethod of their own
