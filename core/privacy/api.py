"""The privacy area's API (``/api/v1``): each part in its own module, imported below
(``api_retention``, ``api_rights``, ``api_register``), all on this one blueprint."""
from core.api.blueprint import api_blueprint

blueprint = api_blueprint("privacy_api", __name__)

from core.privacy import api_register, api_retention, api_rights  # noqa: E402,F401
