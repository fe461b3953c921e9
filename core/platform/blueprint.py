from flask import Blueprint

blueprint = Blueprint("platform", __name__, url_prefix="/plateforme", template_folder="templates")

from core.platform import views  # noqa: E402,F401
