"""Pages of the pv area."""
from core.pv.blueprint import blueprint  # noqa: F401
