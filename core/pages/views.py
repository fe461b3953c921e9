"""Static pages: the accessibility statement (déclaration d'accessibilité, RGAA 4.1)."""
from __future__ import annotations

import datetime as dt

from flask import current_app, render_template
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
