from flask import Blueprint

blueprint = Blueprint("backoffice", __name__, url_prefix="/certificateur", template_folder="templates",
                      static_folder="static", static_url_path="/_backoffice/static")

from core.backoffice import views  # noqa: E402,F401
