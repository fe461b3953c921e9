"""Privacy API: rights (see core/privacy/api.py)."""
from core.privacy.api import blueprint  # noqa: F401
