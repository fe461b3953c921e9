"""Completeness rules of the RNCP37827 Livret 2, beyond core's own checks.

Each rule reads the saved data of the sections (``{key: to_data()}``, possibly
a draft holding text that could not be parsed: such values are skipped here,
the section's own validation already reports them) and the dossier's active
annexes. The README says where each rule comes from in the règlement.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from core.certifications.descriptor import Certification
from core.dossiers.sections import Problem
from core.hookspecs import hookimpl
from forms.validators import parse_annex_numbers

from livret_rncp37827.sections import CLAIMED, annexes_field, level_field, sheets_field

ACTIVITIES = "fiches_activite"
CV = "cv"
RECAP = "recapitulatif"


def _numbers(value: Any) -> list[int]:
    """Annex (or sheet) numbers typed as ``"1, 3"``; nothing when the text cannot be read."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value] if value > 0 else []
    if not isinstance(value, str):
        return []
    try:
        return parse_annex_numbers(value)
    except ValueError:
        return []


def _sheets(sections: dict[str, Any]) -> list[dict[str, Any]]:
    sheets = (sections.get(ACTIVITIES) or {}).get("activites") or []
    return [s if isinstance(s, dict) else {} for s in sheets]


def _sheet_name(index: int, sheet: dict[str, Any]) -> str:
    title = str(sheet.get("intitule") or "").strip()
    if title:
        return _("Fiche activité %(n)d (« %(t)s »)", n=index + 1, t=title)
    return _("Fiche activité %(n)d", n=index + 1)


def activity_evidence(sheets, annexes) -> list[Problem]:
    """Every evidence number of an activity sheet is an annex of the dossier (seed: « indiquer le numéro de
    la preuve déposée dans les annexes »); a sheet without evidence is only a warning."""
    found = []
    for index, sheet in enumerate(sheets):
        anchor = f"activites-{index}-preuves"
        numbers = _numbers(sheet.get("preuves"))
        if not numbers and not str(sheet.get("preuves") or "").strip():
            found.append(Problem(_("%(sheet)s : aucun élément de preuve n'est indiqué ; le jury s'appuie sur les "
                                   "annexes pour apprécier l'activité.", sheet=_sheet_name(index, sheet)),
                                 ACTIVITIES, field=anchor, code="rncp37827_sheet_without_evidence", blocking=False))
        for number in numbers:
            if number not in annexes:
                found.append(Problem(_("%(sheet)s : l'élément de preuve n° %(n)d ne correspond à aucune annexe "
                                       "déposée.", sheet=_sheet_name(index, sheet), n=number),
                                     ACTIVITIES, field=anchor, code="rncp37827_evidence_missing"))
    return found


def cv_annex(sections, annexes) -> list[Problem]:
    """The CV section's annex number points at an annex deposited as a CV (role ``cv``)."""
    numbers = _numbers((sections.get(CV) or {}).get("annexe_cv"))
    if not numbers:
        return []
    number = numbers[0]
    annex = annexes.get(number)
    if annex is None:
        return [Problem(_("Votre CV : l'annexe n° %(n)d n'a pas été déposée. Déposez votre CV dans les annexes "
                          "ou corrigez le numéro.", n=number), CV, field="annexe_cv", code="rncp37827_cv_missing")]
    if annex.role != "cv":
        return [Problem(_("Votre CV : l'annexe n° %(n)d (« %(t)s ») n'est pas déposée comme CV. Indiquez le "
                          "numéro de l'annexe déposée comme CV.", n=number, t=annex.title),
                        CV, field="annexe_cv", code="rncp37827_cv_wrong_annex")]
    return []


def recap_references(cert: Certification, sections, sheets, annexes) -> list[Problem]:
    """The sheets and annexes cited in the récapitulatif exist."""
    data = sections.get(RECAP) or {}
    found = []
    for comp in cert.competencies:
        for number in _numbers(data.get(sheets_field(comp.code))):
            if number > len(sheets):
                found.append(Problem(
                    _("Récapitulatif des compétences, %(c)s : la fiche d'activité n° %(n)d n'existe pas (vous avez "
                      "rédigé %(count)d fiche(s)).", c=comp.code, n=number, count=len(sheets)),
                    RECAP, field=sheets_field(comp.code), code="rncp37827_recap_sheet_missing"))
        for number in _numbers(data.get(annexes_field(comp.code))):
            if number not in annexes:
                found.append(Problem(
                    _("Récapitulatif des compétences, %(c)s : l'annexe n° %(n)d n'a pas été déposée.",
                      c=comp.code, n=number),
                    RECAP, field=annexes_field(comp.code), code="rncp37827_recap_annex_missing"))
    return found


def claimed_blocks(cert: Certification, sections, sheets) -> list[Problem]:
    """A block in which the candidate claims a competency has at least one activity sheet (blocking); a
    claimed competency that no sheet names is a warning."""
    data = sections.get(RECAP) or {}
    sheet_blocks = {s.get("bloc") for s in sheets}
    sheet_competencies = {code for s in sheets for code in (s.get("competences") or []) if isinstance(code, str)}
    found = []
    for number, block in enumerate(cert.blocks, start=1):
        claimed = [c for c in block.competencies if data.get(level_field(c.code)) in CLAIMED]
        if not claimed:
            continue
        if block.code not in sheet_blocks:
            found.append(Problem(
                _("Vous déclarez maîtriser, au moins en partie, des compétences du bloc %(n)d (« %(t)s ») : rédigez "
                  "au moins une fiche d'activité pour ce bloc.", n=number, t=block.title),
                ACTIVITIES, code="rncp37827_block_without_sheet"))
        for comp in claimed:
            if comp.code not in sheet_competencies:
                found.append(Problem(
                    _("La compétence %(c)s, que vous déclarez maîtriser, n'est visée par aucune fiche d'activité.",
                      c=comp.code),
                    ACTIVITIES, code="rncp37827_competency_without_sheet", blocking=False))
    return found


@hookimpl
def livret_dossier_problems(certification: Certification, dossier, sections: dict[str, Any]) -> list[Problem]:
    annexes = {a.number: a for a in dossier.annexes if a.removed_at is None}
    sheets = _sheets(sections)
    return [
        *cv_annex(sections, annexes),
        *recap_references(certification, sections, sheets, annexes),
        *claimed_blocks(certification, sections, sheets),
        *activity_evidence(sheets, annexes),
    ]
