"""Small helpers shared by feature areas."""
from __future__ import annotations

import re
import unicodedata


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
