"""Import every model so that SQLAlchemy and Alembic see the whole schema."""
from core.api.models import ApiToken  # noqa: F401
from core.auth.models import LoginSession, Organisation, Role, User  # noqa: F401
