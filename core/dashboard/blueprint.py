from flask import Blueprint

blueprint = Blueprint("dashboard", __name__, url_prefix="/espace", template_folder="templates")

from core.dashboard import views  # noqa: E402,F401
