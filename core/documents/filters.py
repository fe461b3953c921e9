"""Template filters of the documents (registered on the app by the ``documents`` blueprint).

They format in the locale being rendered (``flask_babel.force_locale`` in
:func:`core.documents.services.render_pdf`), and times in French legal time
(``Europe/Paris``), which the documents name ("heure de Paris").
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from flask import Blueprint, current_app
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

DEFAULT_TIMEZONE = "Europe/Paris"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def _locale():
    return get_locale() or current_app.config.get("DEFAULT_LANGUAGE", "fr")


def document_timezone() -> ZoneInfo:
    return ZoneInfo(DEFAULT_TIMEZONE)


def to_local(value: datetime) -> datetime:
    """A datetime in the documents' time zone (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(document_timezone())


def doc_date(value: date | datetime | None) -> str:
    """``14/03/2025`` (the form's "le __ / __ / ____")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return babel_format_date(value, "dd/MM/yyyy", locale=_locale())


def doc_datetime(value: datetime | None) -> str:
    """``14/03/2025 à 10:32`` in the documents' time zone."""
    if value is None:
        return ""
    local = to_local(value)
    return gettext("%(date)s à %(time)s",
                   date=babel_format_date(local.date(), "dd/MM/yyyy", locale=_locale()),
                   time=babel_format_time(local.timetz(), "HH:mm", locale=_locale()))


def doc_number(value: int | float) -> str:
    """A number with the locale's grouping (``1 234 567``)."""
    return format_decimal(value, locale=_locale())


def doc_size(size: int | None) -> str:
    """A size in SI units, ``1,2 Mo``; under 1 000 bytes, ``850 octets``."""
    if size is None:
        return ""
    units = (gettext("Ko"), gettext("Mo"), gettext("Go"), gettext("To"))
    if size < 1000:
        return gettext("%(num)s octets", num=doc_number(size))
    value = float(size)
    unit = units[0]
    for unit in units:
        value /= 1000.0
        if value < 1000:
            break
    return f"{format_decimal(value, format='#,##0.#', locale=_locale())}\u00a0{unit}"


def doc_size_full(size: int | None) -> str:
    """``1,2 Mo (1 234 567 octets)``: human units and the exact count."""
    if size is None:
        return ""
    human = doc_size(size)
    if size < 1000:
        return human
    return gettext("%(human)s (%(num)s octets)", human=human, num=doc_number(size))


def doc_label(label: str) -> str:
    """A form label followed by the French colon ("Nom de famille :")."""
    label = (label or "").strip()
    if not label or label.endswith((":", "?", "!")):
        return label
    return label + "\u00a0:"


def doc_paragraphs(text: str | None) -> Markup:
    """Escaped text as ``<p>`` paragraphs (blank lines) with ``<br>`` for single new lines."""
    if not text or not text.strip():
        return Markup("")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip("\n") for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in p.split("\n")))
        for p in paragraphs)


def doc_css_string(value: str | None) -> Markup:
    """A CSS string literal safe inside ``<style>`` (for generated page-margin content)."""
    out = []
    for char in value or "":
        if char.isascii() and (char.isalnum() or char in " .,-_/"):
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x} ")  # the space ends the escape and is consumed
    return Markup('"' + "".join(out) + '"')


FILTERS = {
    "doc_date": doc_date,
    "doc_datetime": doc_datetime,
    "doc_number": doc_number,
    "doc_size": doc_size,
    "doc_size_full": doc_size_full,
    "doc_label": doc_label,
    "doc_paragraphs": doc_paragraphs,
    "doc_css_string": doc_css_string,
}


def register(blueprint: Blueprint) -> None:
    for name, function in FILTERS.items():
        blueprint.add_app_template_filter(function, name)
