"""Static pages: the accessibility statement (déclaration d'accessibilité, RGAA 4.1); the site's icon."""
from __future__ import annotations

import datetime as dt

from flask import current_app, redirect, render_template, url_for
from flask_babel import format_date

from core.pages.blueprint import blueprint

#: Date the accessibility statement was drawn up (update it with the statement).
STATEMENT_DATE = dt.date(2026, 12, 6)


@blueprint.get("/accessibilite")
def accessibility():
    """The accessibility statement linked from every page's footer (public, no account)."""
    return render_template("pages/accessibility.html", statement_date=format_date(STATEMENT_DATE, "long"),
                           contact=current_app.config["ACCESSIBILITY_CONTACT"],
                           site=current_app.config["BASE_URL"])


@blueprint.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask for ``/favicon.ico`` whatever the page says: the site's icon (SVG; every
    page also links it with ``<link rel="icon">``)."""
    response = redirect(url_for("static", filename="img/livret.svg"), 301)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
