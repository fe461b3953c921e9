"""CSV and XLSX exports of the staff's filtered dossier list, audited before the first byte is sent.

Only the fields a certifier needs leave the platform: reference, certification,
status, submission date and the candidate's last name, first name and e-mail.
The CSV is streamed row by row (rows are read by keyset batches); the XLSX is
written by openpyxl in write-only mode to a temporary file, then streamed.
"""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime, timezone

from flask import Response, g, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.audit.services import record
from core.auth.models import User, utcnow
from core.backoffice import services
from core.downloads import content_disposition
from core.extensions import db

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _audit(user: User, filters: services.ListFilters, fmt: str) -> int:
    """Count the rows, record ``dossiers.exported`` (filters and count, no personal data) and commit."""
    count = services.export_count(user, filters)
    record("dossiers.exported", "organisation", user.organisation_id, actor_id=user.id,
           payload={"format": fmt, "filters": filters.as_params(), "count": count})
    db.session.commit()
    return count


def _filename(ext: str) -> str:
    return f"dossiers-{utcnow():%Y%m%d-%H%M}.{ext}"


def _headers(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    g.no_store = True
    return response


def _csv_cell(value) -> str:
    """A cell as text; a value a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(user: User, filters: services.ListFilters) -> Response:
    """The export as CSV (UTF-8 with BOM, ``;`` separated, as French spreadsheets expect), streamed."""
    _audit(user, filters, "csv")
    user_id = user.id

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        buffer.write("\ufeff")
        writer.writerow(services.export_headers())
        owner = db.session.get(User, user_id)
        for n, row in enumerate(services.export_rows(owner, filters), start=1):
            writer.writerow([_csv_cell(v) for v in row])
            if n % 200 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    response = Response(stream_with_context(generate()), mimetype=CSV_MEDIA_TYPE)
    return _headers(response, _filename("csv"))


def xlsx_response(user: User, filters: services.ListFilters) -> Response:
    """The export as an XLSX workbook (openpyxl, write-only: rows never all held in memory)."""
    _audit(user, filters, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Dossiers"))
    bold = Font(bold=True)
    header = []
    for title in services.export_headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in services.export_rows(user, filters):
        cells = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value.astimezone(timezone.utc).replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text typed by a person is never a formula
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(spool)
    size = spool.tell()
    spool.seek(0)

    def generate():
        try:
            while chunk := spool.read(64 * 1024):
                yield chunk
        finally:
            spool.close()

    response = Response(generate(), mimetype=XLSX_MEDIA_TYPE, direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    return _headers(response, _filename("xlsx"))
