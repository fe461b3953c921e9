"""API of the sessions area."""
from core.api.blueprint import api_blueprint

blueprint = api_blueprint("sessions_api", __name__, url_prefix="/sessions")
