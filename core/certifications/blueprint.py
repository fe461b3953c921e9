from flask import Blueprint

blueprint = Blueprint("certifications", __name__, template_folder="templates")

from core.certifications import views  # noqa: E402,F401
