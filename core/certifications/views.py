"""Public pages: the catalogue of certifications and each certification's detail."""
from flask import render_template

from core.certifications.blueprint import blueprint
from core.certifications.services import all_certifications, get_certification


@blueprint.get("/")
def home():
    return render_template("certifications/home.html", certifications=all_certifications())


@blueprint.get("/certifications/<code>")
def detail(code: str):
    cert = get_certification(code)
    return render_template("certifications/detail.html", cert=cert)
