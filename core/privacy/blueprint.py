"""The privacy area's pages. Each part lives in its own views module, imported below:

* ``views_retention`` — the certifier admin's retention report and settings;
* ``views_rights`` — the person's own data: export, rectification, erasure (account page);
* ``views_register`` — the staff's register of rights requests;
* ``views_notice`` — each certification's privacy notice (« Informations sur vos données »).
"""
from flask import Blueprint

blueprint = Blueprint("privacy", __name__, template_folder="templates")

from core.privacy import views_notice, views_register, views_retention, views_rights  # noqa: E402,F401
