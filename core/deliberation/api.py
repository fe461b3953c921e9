"""API of the deliberation area."""
from core.api.blueprint import api_blueprint

blueprint = api_blueprint("deliberation_api", __name__, url_prefix="/sessions")
