from flask import Blueprint

blueprint = Blueprint("annexes", __name__, url_prefix="/dossiers", template_folder="templates",
                      static_folder="static", static_url_path="/_annexes/static")

from core.annexes import views  # noqa: E402,F401
from core.annexes import deliverables_views  # noqa: E402,F401  (the deliverables of the access route)
