from flask import Blueprint

blueprint = Blueprint("backoffice", __name__, url_prefix="/certificateur", template_folder="templates")

from core.backoffice import views  # noqa: E402,F401
