"""Bank statement import: a CSV of the certifier's bank matched with the fees awaiting a transfer.

The page (:mod:`core.fees.views`) records the lines it can read and lists the
others; the API (:mod:`core.fees.api_actions`) refuses a file with unreadable
lines as a whole (:func:`statement_problems`) before recording anything.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator

from flask_babel import gettext as _
from sqlalchemy import select

from core.auth.models import Organisation, User
from core.dossiers.models import Dossier
from core.extensions import db
from core.fees.models import FeeRequest, FeeState
from core.errors import NotFound, UserError
from core.fees.services import (_compact, certification_fee, ensure_request, queue_receipt, record_payment,
                                transfer_reference)

# ---------------------------------------------------------------------------
# Bank statement import
# ---------------------------------------------------------------------------

@dataclass
class StatementLine:
    number: int
    date: str
    label: str
    amount: str
    status: str  # matched, unmatched, already_settled, amount_mismatch, invalid
    message: str = ""
    dossier_reference: str | None = None
    invoice_number: str | None = None


@dataclass
class StatementReport:
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def matched(self) -> list[StatementLine]:
        return [line for line in self.lines if line.status == "matched"]

    @property
    def unmatched(self) -> list[StatementLine]:
        return [line for line in self.lines if line.status != "matched"]


def _parse_date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


_REF_RE = re.compile(r"LVT[\s-]*([A-Z0-9][A-Z0-9\s-]*[0-9]{2})", re.I)


def _open_fees_of(org: Organisation) -> dict[str, FeeRequest]:
    fees = db.session.scalars(select(FeeRequest).join(Dossier).where(Dossier.organisation_id == org.id))
    return {_compact(f.transfer_reference): f for f in fees}


def _owing_without_request(org: Organisation) -> dict[str, Dossier]:
    """The dossiers of ``org`` whose fee page shows a transfer reference that no request holds yet
    (drafts, dossiers submitted before requests were created at submission), by that reference."""
    from sqlalchemy import exists

    dossiers = db.session.scalars(select(Dossier).where(Dossier.organisation_id == org.id,
                                                        ~exists().where(FeeRequest.dossier_id == Dossier.id)))
    owing = {}
    for dossier in dossiers:
        try:
            if certification_fee(dossier) is not None:
                owing[_compact(transfer_reference(dossier))] = dossier
        except NotFound:  # the certification's plugin is no longer installed
            continue
    return owing


MAX_STATEMENT_SIZE = 5 * 1024 * 1024


def decode_statement(raw: bytes) -> str:
    """The uploaded statement as text: UTF-8 (with or without BOM), else Windows-1252 (bank exports)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@dataclass
class _StatementRow:
    number: int
    when: str = ""
    label: str = ""
    amount_text: str = ""
    amount: int | None = None
    paid_on: date | None = None
    error: str = ""  # why the line cannot be read ("" when it can)


def _statement_rows(data: str) -> Iterator[_StatementRow]:
    """The statement's lines (``date;label;amount``, ``;`` or ``,`` separated), blank lines and header aside;
    a line that cannot be read carries its ``error``."""
    from forms.validators import parse_money

    sample = data[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(data.replace("\x00", "")), delimiter=delimiter)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # e.g. a field beyond the csv module's size limit: the rest cannot be read
            yield _StatementRow(reader.line_num or number + 1, error=_("Ligne illisible."))
            return
        number = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and row[0].strip().lower() in ("date", "\ufeffdate"):
            continue
        if len(row) < 3:
            yield _StatementRow(number, label=";".join(row),
                                error=_("Ligne illisible : trois colonnes attendues (date;libellé;montant)."))
            continue
        line = _StatementRow(number, row[0].strip(), row[1].strip(), row[2].strip())
        try:
            line.amount = parse_money(line.amount_text)
        except ValueError:
            line.amount = None
        line.paid_on = _parse_date(line.when)
        if line.amount is None or line.paid_on is None:
            line.error = _("Date ou montant illisible.")
        yield line


def statement_problems(data: str) -> list[dict[str, Any]]:
    """The lines of a statement :func:`import_statement` cannot read, ``[{"line", "message"}]``; a statement
    without any line is one problem too (line 0). Used by the API to refuse a bad file before recording."""
    problems, lines = [], 0
    for row in _statement_rows(data):
        lines += 1
        if row.error:
            problems.append({"line": row.number, "message": row.error})
    if not lines:
        problems.append({"line": 0, "message": _("Le relevé ne contient aucune ligne (date;libellé;montant).")})
    return problems


def import_statement(data: str, *, actor: User) -> StatementReport:
    """Match each credit line of a CSV statement (``date;label;amount``) by reference and record payments.

    Each matched payment is committed on its own (its number, its audit event),
    and its receipt queued; the report lists matched and unmatched lines.
    """
    if actor.organisation is None:
        raise NotFound()
    report = StatementReport()
    fees = _open_fees_of(actor.organisation)
    owing: dict[str, Dossier] | None = None  # looked up at the first line no request matches
    for row in _statement_rows(data):
        number, when, label, amount_text = row.number, row.when, row.label, row.amount_text
        line = StatementLine(number, when, label, amount_text, "invalid" if row.error else "unmatched", row.error)
        report.lines.append(line)
        if row.error:
            continue
        amount, paid_on = row.amount, row.paid_on
        compact = _compact(label)
        fee = next((f for key, f in fees.items() if key in compact), None)
        created = None
        if fee is None:  # a reference shown before any request was stored: the request is created now
            owing = _owing_without_request(actor.organisation) if owing is None else owing
            created = next((key for key in owing if key in compact), None)
            fee = ensure_request(owing[created], actor=actor) if created else None
        if fee is None:
            line.message = _("Aucune référence de dossier reconnue dans le libellé.")
            continue
        line.dossier_reference = fee.dossier.reference
        if fee.state is not FeeState.REQUESTED:
            line.status, line.message = "already_settled", _("Frais déjà dans l'état « %(s)s ».", s=fee.state.label)
            continue
        try:
            record_payment(fee, actor=actor, amount_cents=amount, paid_on=paid_on,
                           note=label[:300], source="statement")
            db.session.commit()
        except UserError as exc:
            db.session.rollback()
            line.status = "amount_mismatch" if exc.code == "amount_mismatch" else "unmatched"
            line.message = str(exc)
            continue
        if created:  # committed with its payment (a refused line leaves no request behind)
            fees[created] = fee
            del owing[created]
        line.status, line.invoice_number = "matched", fee.invoice_number
        line.message = _("Paiement enregistré, facture n° %(n)s.", n=fee.invoice_number)
        queue_receipt(fee)
    return report
