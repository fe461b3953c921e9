"""Staff pages: the dossier list (filters, search, sort, keyset pages) and its CSV / XLSX exports."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.backoffice import exports, services
from core.backoffice.blueprint import blueprint
from core.certifications.services import get_certification
from core.errors import NotFound


def _certification_choices(codes: list[str]) -> list[tuple[str, str]]:
    choices = []
    for code in codes:
        try:
            title = get_certification(code).title
        except NotFound:  # plugin not installed any more: the code still filters its dossiers
            title = code
        choices.append((code, f"{code} – {title}"))
    return choices


@blueprint.get("/dossiers")
@login_required
def dossiers():
    codes = services.staff_codes(current_user)
    errors: dict[str, list[str]] = {}
    try:
        filters = services.parse_filters(request.args, codes, current_user.organisation_id)
        cursor = services.decode_cursor(request.args["cursor"], filters) if request.args.get("cursor") else None
    except services.InvalidFilters as exc:
        errors = exc.errors
        filters, cursor = services.ListFilters(), None
    page = services.list_page(current_user, filters, cursor) if not errors else \
        services.Page([], None, None, 0, False, filters)
    params = filters.as_params()

    def sort_link(sort: str) -> str:
        direction = "desc" if filters.sort == sort and filters.direction == "asc" else "asc"
        if filters.sort != sort and sort == "submitted_at":
            direction = "desc"
        return url_for("backoffice.dossiers", **{**params, "sort": sort, "direction": direction})

    status = 200 if not errors else 400
    return render_template(
        "backoffice/dossiers.html", page=page, filters=filters, errors=errors, raw=request.args,
        certifications=_certification_choices(codes), statuses=services.LISTED_STATUSES,
        sessions=services.session_choices(current_user.organisation_id, codes), fees=services.fee_choices(),
        params=params, sort_link=sort_link, page_size=services.PAGE_SIZE, has_cursor=cursor is not None,
    ), status


@blueprint.get("/dossiers/export.csv")
@login_required
def export_csv():
    filters = _export_filters()
    return exports.csv_response(current_user, filters)


@blueprint.get("/dossiers/export.xlsx")
@login_required
def export_xlsx():
    filters = _export_filters()
    return exports.xlsx_response(current_user, filters)


def _export_filters() -> services.ListFilters:
    codes = services.staff_codes(current_user)
    try:
        return services.parse_filters(request.args, codes, current_user.organisation_id)
    except services.InvalidFilters as exc:
        from core.errors import ValidationFailed

        raise ValidationFailed(_("Les filtres de l'export sont invalides : corrigez-les sur la liste."),
                               details=exc.errors) from None
