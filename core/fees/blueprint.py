from flask import Blueprint

blueprint = Blueprint("fees", __name__, template_folder="templates")

from core.fees import views  # noqa: E402,F401
