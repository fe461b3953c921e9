"""Privacy page: the notice of each certification, « Informations sur vos données » (RGPD art. 13 and 14),
generated from the declarations (:mod:`core.privacy.records`). Public: a future candidate reads it before
creating an account."""
from __future__ import annotations

from flask import render_template

from core.certifications.services import get_certification
from core.privacy.blueprint import blueprint
from core.privacy.records import notice_for


@blueprint.get("/certifications/<code>/donnees")
def notice(code: str):
    return render_template("privacy/notice_certification.html", notice=notice_for(get_certification(code)))
