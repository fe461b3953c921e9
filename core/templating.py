"""Jinja set-up: plugin template folders, globals, security headers."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, g, request
from jinja2 import ChoiceLoader, FileSystemLoader


def install_plugin_loader(app: Flask, plugin_dirs: list[Path]) -> None:
    """Core and blueprint templates first, then plugins' (each under ``templates/<plugin>/``)."""
    base = app.extensions.setdefault("livret_base_loader", app.jinja_loader)
    app.jinja_loader = ChoiceLoader([base, *(FileSystemLoader(str(d)) for d in plugin_dirs)])
    if "jinja_env" in app.__dict__:  # environment already built: point it at the new loader
        app.jinja_env.loader = app.create_global_jinja_loader()


PARIS = ZoneInfo("Europe/Paris")


def to_paris(value: datetime) -> datetime:
    """``value`` in French legal time; naive datetimes (as the database returns them) are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(PARIS)


def local_datetime(value: datetime | None, zone: bool = True, seconds: bool = False) -> str:
    """``06/12/2026 à 04:29 (heure de Paris)``: what people read, in Paris time, with the zone
    (``zone=False`` where the label already names it). Empty for ``None``."""
    from babel.dates import format_date, format_time
    from flask_babel import get_locale, gettext

    if value is None:
        return ""
    local = to_paris(value)
    locale = get_locale() or "fr"
    text = gettext("%(date)s à %(time)s", date=format_date(local.date(), "dd/MM/yyyy", locale=locale),
                   time=format_time(local.timetz(), "HH:mm:ss" if seconds else "HH:mm", locale=locale))
    if not zone:
        return text
    paris = gettext("heure de Paris")  # not inside the f-string: the extraction of messages would not see it
    return f"{text} ({paris})"


def local_date(value: date | datetime | None) -> str:
    """``06/12/2026``: the day in Paris of a datetime (naive = UTC); a date as it is."""
    from babel.dates import format_date
    from flask_babel import get_locale

    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_paris(value).date()
    return format_date(value, "dd/MM/yyyy", locale=get_locale() or "fr")


def utc_iso(value: datetime | None) -> str:
    """Machine-readable instant for ``<time datetime="…">`` (``2026-12-06T03:29:00Z``)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def init_templating(app: Flask) -> None:
    from core.i18n import current_language

    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(utc_iso, "utc_iso")

    @app.context_processor
    def inject_globals():
        return {
            "languages": app.config["LANGUAGES"],
            "current_language": current_language(),
        }

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
        if signed_in():
            headers["Cache-Control"] = "no-store"  # personal data: never kept by a browser or a proxy cache
        elif getattr(g, "no_store", False) or request.path.startswith(("/compte", "/api/")):
            headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE") and request.is_secure:
            # HTTPS only from now on (directly, or behind a proxy trusted by TRUSTED_PROXIES: ProxyFix)
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def signed_in() -> bool:
    """Whether this request comes from a signed-in person: a live session cookie or a valid API token."""
    if g.get("login_session") is not None or g.get("api_token") is not None:
        return True
    user = g.get("_login_user")  # Flask-Login's user, when this request loaded it
    return bool(user is not None and getattr(user, "is_authenticated", False))
