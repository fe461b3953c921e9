from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")

from core.api import views  # noqa: E402,F401
