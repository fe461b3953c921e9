"""CSV and XLSX exports of the filtered list: content, scoping and audit."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from openpyxl import load_workbook


def _events(app, action):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [(e.actor_id, dict(e.payload)) for e in
                db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def _specs():
    return [
        {"code": "RNCP37827", "last_name": "Martin", "first_name": "Claire", "email": "claire@exemple.fr",
         "submitted_at": datetime(2026, 2, 3, 10, 15, tzinfo=timezone.utc)},
        {"code": "RS6776", "last_name": "=HYPERLINK(\"x\")", "first_name": "Éloïse", "email": "eloise@exemple.fr",
         "status": "admissible", "submitted_at": datetime(2026, 2, 4, 11, 0, tzinfo=timezone.utc)},
        {"code": "RNCP37827", "status": "draft", "last_name": "Brouillon"},
        {"code": "OTHER01", "last_name": "Ailleurs"},
    ]


def test_csv_export(app, client, login, staff, make_dossiers):
    ids = make_dossiers(_specs())
    login(staff)
    response = client.get("/certificateur/dossiers/export.csv?sort=submitted_at&direction=asc")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Référence;Certification;Code du statut;Statut;Déposé le (UTC);Nom;Prénom;Adresse électronique"
    assert lines[1] == f"RNCP37827-2026-{ids[0]:06d};RNCP37827;submitted;Déposé;2026-02-03 10:15:00;Martin;Claire;claire@exemple.fr"
    assert lines[2].startswith(f"RS6776-2026-{ids[1]:06d};RS6776;admissible;Recevable;2026-02-04 11:00:00;")
    assert "'=HYPERLINK" in lines[2]  # never a formula in a spreadsheet
    assert len(lines) == 3  # no draft, no other organisation's dossier
    assert _events(app, "dossiers.exported") == [
        (staff.id, {"format": "csv", "count": 2, "filters": {"sort": "submitted_at", "direction": "asc"}})]


def test_csv_export_applies_filters(app, client, login, staff, make_dossiers):
    make_dossiers(_specs())
    login(staff)
    text = client.get("/certificateur/dossiers/export.csv?q=martin").get_data().decode("utf-8")
    assert len(text.splitlines()) == 2 and "Martin;Claire" in text
    assert _events(app, "dossiers.exported")[0][1]["filters"]["q"] == "martin"
    assert _events(app, "dossiers.exported")[0][1]["count"] == 1
    assert client.get("/certificateur/dossiers/export.csv?status=draft").status_code == 422


def test_csv_export_streams_many_rows_in_batches(app, client, login, staff, make_dossiers, monkeypatch):
    from core.backoffice import services

    monkeypatch.setattr(services, "EXPORT_BATCH", 7)
    ids = make_dossiers([{} for _ in range(30)])
    login(staff)
    response = client.get("/certificateur/dossiers/export.csv?sort=reference&direction=asc")
    assert response.is_streamed
    refs = [line.split(";")[0] for line in response.get_data().decode("utf-8").splitlines()[1:]]
    assert refs == [f"RNCP37827-2026-{i:06d}" for i in ids]


def test_xlsx_export(app, client, login, staff, make_dossiers):
    ids = make_dossiers(_specs())
    login(staff)
    response = client.get("/certificateur/dossiers/export.xlsx?sort=submitted_at&direction=asc")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["Dossiers"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Référence", "Certification", "Code du statut", "Statut", "Déposé le (UTC)", "Nom",
                       "Prénom", "Adresse électronique")
    assert rows[1] == (f"RNCP37827-2026-{ids[0]:06d}", "RNCP37827", "submitted", "Déposé",
                       datetime(2026, 2, 3, 10, 15), "Martin", "Claire", "claire@exemple.fr")
    assert rows[2][5] == '=HYPERLINK("x")' and sheet.cell(row=3, column=6).data_type == "s"
    assert rows[2][6] == "Éloïse"
    assert len(rows) == 3
    assert _events(app, "dossiers.exported") == [
        (staff.id, {"format": "xlsx", "count": 2, "filters": {"sort": "submitted_at", "direction": "asc"}})]
