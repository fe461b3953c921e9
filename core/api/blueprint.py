"""The API blueprint and the factory other areas use for their API endpoints.

Every endpoint under ``/api/v1`` authenticates with bearer tokens
(:mod:`core.api.auth`), never with the browser session, so API blueprints are
exempt from CSRF. An area (or a plugin) that adds endpoints creates its own
blueprint with :func:`api_blueprint` and documents each view with an apispec
YAML docstring; :mod:`core.api.spec` picks it up in ``/api/v1/openapi.json``
and in the docs page without any other registration.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.extensions import csrf

API_PREFIX = "/api/v1"


def api_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs: Any) -> Blueprint:
    """A blueprint mounted under ``/api/v1`` + ``url_prefix`` and exempt from CSRF."""
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX + url_prefix, **kwargs)
    csrf.exempt(bp)
    return bp


blueprint = api_blueprint("api", __name__, template_folder="templates")

from core.api import views  # noqa: E402,F401
