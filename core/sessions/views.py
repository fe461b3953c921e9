"""Pages of the sessions area."""
from core.sessions.blueprint import blueprint  # noqa: F401
