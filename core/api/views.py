from flask import abort

from core.api.blueprint import blueprint


@blueprint.get("/docs")
def docs():
    abort(404)
