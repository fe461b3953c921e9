from flask import Blueprint

blueprint = Blueprint("deliberation", __name__, url_prefix="/sessions", template_folder="templates",
                      static_folder="static", static_url_path="/_deliberation/static")

from core.deliberation import views  # noqa: E402,F401
