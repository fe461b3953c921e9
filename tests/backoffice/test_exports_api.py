"""GET /api/v1/backoffice/dossiers/export: the page's CSV / XLSX export, byte for byte, through the API."""
from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from test_exports import _events, _specs  # tests/backoffice/test_exports.py

API = "/api/v1/backoffice/dossiers/export"
TIME_DEPENDENT = {"docProps/core.xml"}  # openpyxl writes the creation time there


def _xlsx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name not in TIME_DEPENDENT}


def test_csv_equals_the_page_export_byte_for_byte(app, client, login, staff, make_dossiers, api_token):
    ids = make_dossiers(_specs())
    query = "sort=submitted_at&direction=asc&certification=RNCP37827"
    response = client.get(f"{API}?format=csv&{query}", headers=api_token(staff))
    assert response.status_code == 200
    assert response.is_streamed and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert ".csv" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    api_bytes = response.get_data()

    login(staff)
    page_bytes = client.get(f"/certificateur/dossiers/export.csv?{query}").get_data()
    assert api_bytes == page_bytes
    lines = api_bytes.decode("utf-8").lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"RNCP37827-2026-{ids[0]:06d};")
    assert "Brouillon" not in api_bytes.decode() and "Ailleurs" not in api_bytes.decode()
    events = _events(app, "dossiers.exported")
    assert [e[1]["format"] for e in events] == ["csv", "csv"] and events[0] == events[1]


def test_xlsx_equals_the_page_export(app, client, login, staff, make_dossiers, api_token):
    make_dossiers(_specs())
    response = client.get(f"{API}?format=xlsx&sort=reference", headers=api_token(staff))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment") and ".xlsx" in \
        response.headers["Content-Disposition"]
    api_bytes = response.get_data()
    assert int(response.headers["Content-Length"]) == len(api_bytes)
    login(staff)
    page_bytes = client.get("/certificateur/dossiers/export.xlsx?sort=reference").get_data()
    assert _xlsx_parts(api_bytes) == _xlsx_parts(page_bytes)
    rows = list(load_workbook(io.BytesIO(api_bytes)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and {r[5] for r in rows[1:]} == {"Martin", '=HYPERLINK("x")'}


def test_only_the_organisations_dossiers(app, client, staff, make_dossiers, api_token, create_user, org_with):
    other = create_user("certifier_staff", organisation=org_with("OTHER01", name="Autre"))
    make_dossiers(_specs())
    text = client.get(f"{API}?format=csv", headers=api_token(other)).get_data().decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and "Ailleurs" in lines[1]
    assert "Martin" not in text and "claire@exemple.fr" not in text


def test_bad_format_or_filter_is_422_and_nothing_is_audited(app, client, staff, make_dossiers, api_token,
                                                            create_user):
    make_dossiers(_specs())
    mine = api_token(staff)
    for query, field in (("format=pdf", "format"), ("status=draft", "status"), ("certification=OTHER01", "certification"),
                         ("format=xlsx&submitted_from=31/02/2026", "submitted_from"), ("session=999999", "session")):
        response = client.get(f"{API}?{query}", headers=mine)
        assert response.status_code == 422, query
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed" and field in error["details"], (query, error)
    assert _events(app, "dossiers.exported") == []
    assert client.get(f"{API}?format=csv", headers=api_token(create_user("candidate"))).status_code == 403
    assert client.get(f"{API}?format=csv").status_code == 401
    assert _events(app, "dossiers.exported") == []
