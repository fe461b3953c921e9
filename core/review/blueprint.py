from flask import Blueprint

blueprint = Blueprint("review", __name__, url_prefix="/certificateur/dossiers", template_folder="templates")

from core.review import views  # noqa: E402,F401
