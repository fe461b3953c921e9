from flask import Blueprint

blueprint = Blueprint("pages", __name__, template_folder="templates")

from core.pages import views  # noqa: E402,F401
