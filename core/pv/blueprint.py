from flask import Blueprint

blueprint = Blueprint("pv", __name__, url_prefix="/sessions", template_folder="templates")

from core.pv import views  # noqa: E402,F401
