"""Pages of the evaluation area."""
from core.evaluation.blueprint import blueprint  # noqa: F401
