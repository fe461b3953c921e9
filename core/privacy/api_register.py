"""Privacy API: register (see core/privacy/api.py)."""
from core.privacy.api import blueprint  # noqa: F401
