"""Privacy pages: register (see core/privacy/blueprint.py)."""
from core.privacy.blueprint import blueprint  # noqa: F401
