from flask import Blueprint

blueprint = Blueprint("sessions", __name__, url_prefix="/sessions", template_folder="templates")

from core.sessions import views  # noqa: E402,F401
