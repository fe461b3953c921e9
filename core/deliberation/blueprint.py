from flask import Blueprint

blueprint = Blueprint("deliberation", __name__, url_prefix="/sessions", template_folder="templates")

from core.deliberation import views  # noqa: E402,F401
