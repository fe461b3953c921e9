from flask import Blueprint

blueprint = Blueprint("operations", __name__)
