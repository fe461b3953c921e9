"""Privacy pages: rights (see core/privacy/blueprint.py)."""
from core.privacy.blueprint import blueprint  # noqa: F401
