"""The reference of ``bench/load_bench.py``: a bare Flask page served by the same gunicorn settings.

    gunicorn -c core/gunicorn.conf.py --pythonpath bench bare_flask_app:app
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "<!doctype html><html lang=\"fr\"><title>Bonjour</title><p>Bonjour</p></html>"
