"""Reusable WTForms building blocks of Livret: field types, validators, repeatable blocks,
competency pickers and the Livret 2 sections (``forms.sections``).

The package is also a Flask blueprint (``forms``) that only serves its
templates (``forms/_widgets.html``, ``forms/sections/*.html``) and its
progressive-enhancement script; :func:`init_app` registers it.
"""
from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("forms", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/_forms/static")


def init_app(app: Flask) -> None:
    """Register the blueprint and the widgets' attribute writer (:mod:`forms.html`); idempotent."""
    from forms.html import install

    install()
    if "forms" not in app.blueprints:
        app.register_blueprint(blueprint)


__all__ = ["blueprint", "init_app"]
