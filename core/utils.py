"""Small helpers shared by feature areas."""
from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date


def slugify(text: str, max_length: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length] or "organisation"


def absolute_url(endpoint: str, **values) -> str:
    """A link for e-mails and documents, built on BASE_URL (never on a request's Host header).

    Works inside and outside a request (jobs, CLI)."""
    from flask import current_app

    path = current_app.url_map.bind("livret.invalid", script_name="/").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, as a délai « exprimé en mois ou en années » runs in French law
    (code de procédure civile, art. 641): the same day of the month, or the month's last day when it has no
    such day. One year after 29/02/2028 is 28/02/2029; after 31/01 one month is 28 or 29/02."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
