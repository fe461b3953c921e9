from flask import Blueprint

blueprint = Blueprint("organisations", __name__, url_prefix="/certificateur", template_folder="templates")

from core.organisations import views  # noqa: E402,F401
