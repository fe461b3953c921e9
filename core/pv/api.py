"""API of the pv area."""
from core.api.blueprint import api_blueprint

blueprint = api_blueprint("pv_api", __name__, url_prefix="/sessions")
