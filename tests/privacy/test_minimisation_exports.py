"""Minimisation (RGPD art. 5-1-c): the staff's exports carry only the fields their purpose needs.

The purpose of the dossier exports (CSV, XLSX, page and API) is to follow the organisation's dossiers outside the
platform (a spreadsheet of who is where in the process) and to write to the candidates. Each column and why:

| column | why |
|---|---|
| Référence | identifies the dossier in every exchange and on every document |
| Certification | the certification the dossier is for (an organisation may deliver several) |
| Code du statut, Statut | where the dossier stands (the purpose of the list); the code for machines |
| Déposé le (UTC) | the deadlines count from the submission |
| Nom, Prénom | who the candidate is, to find the dossier when they call |
| Adresse électronique | to write to the candidate (convocations, corrections) |

Not exported, although the dossier holds them: date and place of birth, nationality, postal address, telephone
numbers, employment history, financing, evidence. Whoever needs them reads the dossier on the platform, where
each reading is checked and audited.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from tests.privacy.register_support import people, token_for  # noqa: F401 - fixtures

EXPORT_COLUMNS = ["Référence", "Certification", "Code du statut", "Statut", "Déposé le (UTC)", "Nom", "Prénom",
                  "Adresse électronique"]
API_ITEM_FIELDS = {"id", "reference", "certification", "status", "status_label", "submitted_at", "candidate", "links"}
API_CANDIDATE_FIELDS = {"last_name", "first_name", "email"}
# what the dossier holds and no export may carry
IDENTITY = {"date_naissance": "1988-06-15", "lieu_naissance": "Nantes (44)", "nationalite": "française",
            "adresse": "8 rue de la République", "code_postal": "69002", "commune": "Lyon",
            "telephone_portable": "+33612345678", "telephone_domicile": "+33478000000"}
FORBIDDEN = ["1988-06-15", "15/06/1988", "Nantes", "République", "69002", "+33612345678", "0612345678",
             "+33478000000", "française"]


def _fill_identity(app, candidate_id: int) -> None:
    from sqlalchemy import select

    from core.dossiers.models import Dossier, DossierVersion, SectionDraft
    from core.extensions import db

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.candidate_id == candidate_id))
        data = {"civilite": "madame", "nom_famille": "Martin", "prenoms": "Camille", **IDENTITY,
                "email": "camille.martin@example.org"}
        db.session.add(SectionDraft(dossier=dossier, key="etat_civil", data=data, complete=True))
        db.session.add(DossierVersion(dossier_id=dossier.id, number=1, content={"etat_civil": data}, manifest=[],
                                      submitted_at=datetime.now(timezone.utc), submitted_by_id=candidate_id))
        db.session.commit()


def _assert_minimal(text: str) -> None:
    for value in FORBIDDEN:
        assert value not in text, f"the export carries {value!r}, which its purpose does not need"


def test_csv_and_xlsx_exports_carry_only_their_columns(app, client, login, people, token_for):
    _fill_identity(app, people.candidate.id)
    login(people.staff_s)
    text = client.get("/certificateur/dossiers/export.csv").get_data().decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 2 and rows[1][5:] == ["Martin", "Camille", "camille.martin@example.org"]
    _assert_minimal(text)

    workbook = load_workbook(io.BytesIO(client.get("/certificateur/dossiers/export.xlsx").get_data()))
    cells = [[c for c in row] for row in workbook.active.iter_rows(values_only=True)]
    assert list(cells[0]) == EXPORT_COLUMNS and len(cells) == 2
    _assert_minimal(repr(cells))

    headers = token_for(people.staff_s)
    api_csv = client.get("/api/v1/backoffice/dossiers/export?format=csv", headers=headers)
    assert next(csv.reader(io.StringIO(api_csv.get_data().decode("utf-8").lstrip("\ufeff")), delimiter=";")) \
        == EXPORT_COLUMNS
    _assert_minimal(api_csv.get_data().decode("utf-8"))


def test_the_api_list_carries_the_same_fields(app, client, people, token_for):
    _fill_identity(app, people.candidate.id)
    body = client.get("/api/v1/backoffice/dossiers", headers=token_for(people.staff_s)).get_json()
    item = body["items"][0]
    assert set(item) == API_ITEM_FIELDS and set(item["candidate"]) == API_CANDIDATE_FIELDS
    _assert_minimal(repr(body))
