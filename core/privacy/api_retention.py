"""Privacy API: retention (see core/privacy/api.py)."""
from core.privacy.api import blueprint  # noqa: F401
