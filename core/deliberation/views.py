"""Pages of the deliberation area."""
from core.deliberation.blueprint import blueprint  # noqa: F401
