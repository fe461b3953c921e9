from flask import Blueprint

blueprint = Blueprint("dossiers", __name__, url_prefix="/dossiers", template_folder="templates")

from core.dossiers import views  # noqa: E402,F401
