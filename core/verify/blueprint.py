from flask import Blueprint, current_app, request

from core.api.blueprint import api_blueprint

blueprint = Blueprint("verify", __name__, template_folder="templates")
api = api_blueprint("verify_api", __name__)

MULTIPART_OVERHEAD = 64 * 1024  # form fields, boundaries and part headers around the file


def _limit_body(endpoint, values) -> None:
    # Runs before any before_request function (CSRF reads the form): the body is
    # refused with 413 as soon as it exceeds the verification limit.
    request.max_content_length = current_app.config["VERIFY_MAX_SIZE"] + MULTIPART_OVERHEAD


blueprint.url_value_preprocessor(_limit_body)
api.url_value_preprocessor(_limit_body)

from core.verify import views  # noqa: E402,F401
