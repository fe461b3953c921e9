from flask import Blueprint

blueprint = Blueprint("evaluation", __name__, url_prefix="/jury", template_folder="templates",
                      static_folder="static", static_url_path="/_evaluation/static")

from core.evaluation import views  # noqa: E402,F401
