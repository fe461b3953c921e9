"""The sealing area has no page of its own: its blueprint only provides the
``sealing/`` templates (the re-authentication fragment)."""
from flask import Blueprint

blueprint = Blueprint("sealing", __name__, template_folder="templates")
