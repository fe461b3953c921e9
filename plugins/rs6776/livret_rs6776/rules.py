"""Completeness rules of the RS6776 dossier, beyond core's own checks.

* The written test is returned at most ``Deadline.days`` days (10 in the
  règlement, sections 2 and 3) after the end of the training: past that date
  the dossier cannot be submitted (blocking); within the last
  ``WARNING_DAYS`` days before it, a warning gives the date.
* Every annex number given as evidence of a practical case is an annex of the
  dossier (blocking).

« Today » is the date in Europe/Paris, the certifier's time zone.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from core.certifications.descriptor import Certification
from core.dossiers.sections import Problem
from core.hookspecs import hookimpl
from forms.validators import parse_annex_numbers

from livret_rs6776.sections import EpreuveEcriteSection, evidence_field, written_deadline

TIMEZONE = ZoneInfo("Europe/Paris")
WARNING_DAYS = 3
TRAINING = "formation"
WRITTEN = "epreuve_ecrite"


def today() -> dt.date:
    """The current date in Paris."""
    return dt.datetime.now(TIMEZONE).date()


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None  # typed text that is not a date: the section's own validation reports it


def deadline_date(certification: Certification, sections: dict[str, Any]) -> dt.date | None:
    """The last day to return the written test, or ``None`` without a valid end-of-training date."""
    deadline = written_deadline(certification)
    end = _date((sections.get(TRAINING) or {}).get("date_fin"))
    if deadline is None or end is None:
        return None
    return end + dt.timedelta(days=deadline.days)


def written_deadline_problems(certification: Certification, sections: dict[str, Any],
                              on: dt.date | None = None) -> list[Problem]:
    limit = deadline_date(certification, sections)
    if limit is None:
        return []
    deadline = written_deadline(certification)
    on = on or today()
    when = _("%(days)d jours %(after)s", days=deadline.days, after=deadline.after)
    if on > limit:
        return [Problem(_("Le délai de rendu de l'épreuve écrite est dépassé : la date limite était le %(date)s "
                          "(%(when)s).", date=limit.strftime("%d/%m/%Y"), when=when),
                        TRAINING, field="date_fin", code="rs6776_written_deadline_passed")]
    if (limit - on).days <= WARNING_DAYS:
        return [Problem(_("Pensez à déposer votre dossier : l'épreuve écrite doit être rendue au plus tard le "
                          "%(date)s (%(when)s).", date=limit.strftime("%d/%m/%Y"), when=when),
                        TRAINING, field="date_fin", code="rs6776_written_deadline_near", blocking=False)]
    return []


def case_evidence_problems(sections: dict[str, Any], annexes: dict[int, Any]) -> list[Problem]:
    data = sections.get(WRITTEN) or {}
    found = []
    for number, comp in EpreuveEcriteSection.cases:
        name = evidence_field(comp.code)
        value = data.get(name)
        try:
            numbers = parse_annex_numbers(value) if isinstance(value, str) else []
        except ValueError:
            continue
        for annex in numbers:
            if annex not in annexes:
                found.append(Problem(_("Cas pratique %(n)d : l'annexe n° %(a)d indiquée comme élément de preuve "
                                       "n'a pas été déposée.", n=number, a=annex),
                                     WRITTEN, field=name, code="rs6776_evidence_missing"))
    return found


@hookimpl
def livret_dossier_problems(certification: Certification, dossier, sections: dict[str, Any]) -> list[Problem]:
    annexes = {a.number: a for a in dossier.annexes if a.removed_at is None}
    return [*written_deadline_problems(certification, sections), *case_evidence_problems(sections, annexes)]
