from flask import Blueprint

blueprint = Blueprint("auth", __name__, template_folder="templates")

from core.auth import views  # noqa: E402,F401
