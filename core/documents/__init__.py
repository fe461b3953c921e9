"""Documents: Jinja templates rendered to tagged (PDF/UA-1) archival (PDF/A-3a) PDF.

- :func:`core.documents.services.render_pdf` renders any template of the app
  (core, feature areas, plugins) to PDF bytes;
- :mod:`core.documents.livret` holds the view models of the Livret 2 and of
  the submission receipt, rendered by :func:`~core.documents.services.render_livret2`
  and :func:`~core.documents.services.render_receipt`.

The package is a Flask blueprint (``documents``) that serves no page: it
contributes its templates (``documents/*.html``), the print stylesheet and the
template filters used by documents (``doc_*``). :func:`init_app` registers it.
"""
from __future__ import annotations

from flask import Blueprint, Flask

from core.documents import filters

blueprint = Blueprint("documents", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/_documents/static")
filters.register(blueprint)


def init_app(app: Flask) -> None:
    """Register the blueprint (idempotent)."""
    if "documents" not in app.blueprints:
        app.register_blueprint(blueprint)


__all__ = ["blueprint", "init_app"]
