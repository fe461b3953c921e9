"""Jinja set-up: plugin template folders, globals, security headers."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from jinja2 import ChoiceLoader, FileSystemLoader


def install_plugin_loader(app: Flask, plugin_dirs: list[Path]) -> None:
    """Core and blueprint templates first, then plugins' (each under ``templates/<plugin>/``)."""
    base = app.extensions.setdefault("livret_base_loader", app.jinja_loader)
    app.jinja_loader = ChoiceLoader([base, *(FileSystemLoader(str(d)) for d in plugin_dirs)])
    if "jinja_env" in app.__dict__:  # environment already built: point it at the new loader
        app.jinja_env.loader = app.create_global_jinja_loader()


def init_templating(app: Flask) -> None:
    from core.i18n import current_language

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
        if getattr(g, "no_store", False) or request.path.startswith(("/compte", "/api/")):
            headers.setdefault("Cache-Control", "no-store")
        return response
