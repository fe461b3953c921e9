"""API of the evaluation area."""
from core.api.blueprint import api_blueprint

blueprint = api_blueprint("evaluation_api", __name__, url_prefix="/sessions")
