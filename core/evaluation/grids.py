"""A juror's grid as data: reading what was typed, and what is wrong or missing in it.

No database here: the functions take the certification, the plugin's
:class:`~core.certifications.descriptor.Grid` and plain dicts, so that pages,
the API and tests share them. Stored shape (``EvaluationGrid.data``)::

    {"criteria": {"C1.1": "met" | "not_met"},            # criteria mode, answered ones only
     "competencies": {"C1": {"mark": 4.0, "comment": "..."}},   # mark in marks mode only
     "blocks": {"BC01": "validated" | "not_validated"},  # when grid.block_proposals
     "scores": {"ORAL": 12.5},
     "typed": {"competencies.C1.mark": "4,5x"},         # marks typed that are not numbers, kept as typed
     "proposal": "admis", "comment": "..."}

Problems are keyed by *path* (``criteria.C1.1``, ``competencies.C1.mark``,
``competencies.C1.comment``, ``blocks.BC01``, ``scores.ORAL``, ``proposal``,
``comment``), the same keys as the API's ``details``.
"""
from __future__ import annotations

import math
import re
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from core.certifications.descriptor import Certification, Grid, Outcome
from core.errors import ValidationFailed

MET, NOT_MET = "met", "not_met"
VALIDATED, NOT_VALIDATED = "validated", "not_validated"
CRITERION_VALUES = (MET, NOT_MET)
BLOCK_VALUES = (VALIDATED, NOT_VALIDATED)
MAX_COMMENT = 4000
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def format_mark(value: float | None) -> str:
    """``4.5`` → ``4,5`` in French (no trailing zeros)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")


def parse_mark(value: Any) -> tuple[float | None, str]:
    """(the number, or ``None``; the text kept as typed when it is not a number)."""
    if value is None or isinstance(value, bool):
        return None, "" if value is None else str(value)
    if isinstance(value, (int, float)):
        return (float(value), "") if math.isfinite(value) else (None, str(value))
    text = str(value).strip()
    compact = text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not compact:
        return None, ""
    if _NUMBER.match(compact):
        return float(compact.replace(",", ".")), ""
    return None, text


def outcome_of(grid: Grid, code: str | None) -> Outcome | None:
    return next((o for o in grid.outcomes if o.code == code), None)


# ---------------------------------------------------------------------------
# reading input (API body or page form, same shape)
# ---------------------------------------------------------------------------

def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _mapping(payload: dict[str, Any], key: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    value = payload.get(key) or {}
    if not isinstance(value, dict):
        errors.setdefault(key, []).append(_("Un objet JSON est attendu."))
        return {}
    return value


def _choice(value: Any, allowed: tuple[str, ...], path: str, errors: dict[str, list[str]]) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        errors.setdefault(path, []).append(_("Valeur inconnue : choisissez parmi %(choices)s.",
                                             choices=", ".join(allowed)))
        return None
    return value


def read_input(cert: Certification, grid: Grid, payload: dict[str, Any]) -> dict[str, Any]:
    """The data to store from ``payload``; incomplete or out-of-range values are kept as typed.

    Raises :class:`ValidationFailed` only for what no form can produce: an unknown
    competency, criterion, block or score, or a value outside the choices.
    """
    errors: dict[str, list[str]] = {}
    marks_mode = grid.mode == "marks"
    criteria_codes = {c.code for comp in cert.competencies for c in comp.criteria}
    competency_codes = {c.code for c in cert.competencies}
    block_codes = {b.code for b in cert.blocks}
    score_keys = {s.key for s in grid.scores}
    data: dict[str, Any] = {"criteria": {}, "competencies": {}, "blocks": {}, "scores": {}, "typed": {}}

    for code, value in _mapping(payload, "criteria", errors).items():
        if marks_mode or code not in criteria_codes:
            errors.setdefault(f"criteria.{code}", []).append(_("Critère inconnu dans cette grille."))
        elif (choice := _choice(value, CRITERION_VALUES, f"criteria.{code}", errors)) is not None:
            data["criteria"][code] = choice
    for code, entry in _mapping(payload, "competencies", errors).items():
        if code not in competency_codes or not isinstance(entry, dict):
            errors.setdefault(f"competencies.{code}", []).append(_("Compétence inconnue dans cette grille."))
            continue
        row: dict[str, Any] = {"comment": _text(entry.get("comment"))}
        if "mark" in entry and not marks_mode and entry["mark"] not in (None, ""):
            errors.setdefault(f"competencies.{code}.mark", []).append(_("Cette grille ne comporte pas de note."))
        elif marks_mode:
            number, typed = parse_mark(entry.get("mark"))
            if number is not None:
                row["mark"] = number
            elif typed:
                data["typed"][f"competencies.{code}.mark"] = typed
        data["competencies"][code] = row
    for code, value in _mapping(payload, "blocks", errors).items():
        if not grid.block_proposals or code not in block_codes:
            errors.setdefault(f"blocks.{code}", []).append(_("Bloc inconnu dans cette grille."))
        elif (choice := _choice(value, BLOCK_VALUES, f"blocks.{code}", errors)) is not None:
            data["blocks"][code] = choice
    for key, value in _mapping(payload, "scores", errors).items():
        if key not in score_keys:
            errors.setdefault(f"scores.{key}", []).append(_("Note inconnue dans cette grille."))
            continue
        number, typed = parse_mark(value)
        if number is not None:
            data["scores"][key] = number
        elif typed:
            data["typed"][f"scores.{key}"] = typed
    data["proposal"] = _choice(payload.get("proposal"), tuple(o.code for o in grid.outcomes), "proposal",
                               errors) or ""
    data["comment"] = _text(payload.get("comment"))
    if errors:
        raise ValidationFailed(_("La grille contient des éléments inconnus : rien n'a été enregistré."),
                               details=errors)
    return data


# ---------------------------------------------------------------------------
# what is wrong (even in a draft) and what is missing (to complete)
# ---------------------------------------------------------------------------

def _range_problem(value: float, maximum: float) -> str | None:
    if 0 <= value <= maximum:
        return None
    return _("La note doit être comprise entre 0 et %(max)s (saisie : %(value)s).",
             max=format_mark(maximum), value=format_mark(value))


def _not_a_number(typed: str, maximum: float) -> str:
    return _("« %(typed)s » n'est pas une note : saisissez un nombre entre 0 et %(max)s (par exemple %(example)s).",
             typed=typed, max=format_mark(maximum), example=format_mark(maximum * 0.7 // 0.5 * 0.5))


def value_problems(cert: Certification, grid: Grid, data: dict[str, Any]) -> dict[str, list[str]]:
    """Values that cannot stay as they are: marks that are not numbers or out of range, comments too long."""
    found: dict[str, list[str]] = {}
    typed = data.get("typed") or {}
    maxima = {f"competencies.{c.code}.mark": float(grid.scale or 0) for c in cert.competencies}
    maxima.update({f"scores.{s.key}": float(s.maximum) for s in grid.scores})
    for path, text in typed.items():
        if path in maxima:
            found.setdefault(path, []).append(_not_a_number(text, maxima[path]))
    for code, row in (data.get("competencies") or {}).items():
        mark = row.get("mark")
        if isinstance(mark, (int, float)) and (message := _range_problem(mark, float(grid.scale or 0))):
            found.setdefault(f"competencies.{code}.mark", []).append(message)
        if len(row.get("comment") or "") > MAX_COMMENT:
            found.setdefault(f"competencies.{code}.comment", []).append(
                _("Le commentaire est trop long (%(n)d caractères au plus).", n=MAX_COMMENT))
    for score in grid.scores:
        value = (data.get("scores") or {}).get(score.key)
        if isinstance(value, (int, float)) and (message := _range_problem(value, float(score.maximum))):
            found.setdefault(f"scores.{score.key}", []).append(message)
    if len(data.get("comment") or "") > MAX_COMMENT:
        found.setdefault("comment", []).append(
            _("Le commentaire est trop long (%(n)d caractères au plus).", n=MAX_COMMENT))
    return found


def missing_problems(cert: Certification, grid: Grid, data: dict[str, Any]) -> dict[str, list[str]]:
    """What a completed grid must hold and this one does not."""
    found: dict[str, list[str]] = {}
    typed = data.get("typed") or {}
    criteria = data.get("criteria") or {}
    rows = data.get("competencies") or {}
    for comp in cert.competencies:
        if grid.mode == "criteria":
            for crit in comp.criteria:
                if criteria.get(crit.code) not in CRITERION_VALUES:
                    found[f"criteria.{crit.code}"] = [
                        _("Indiquez si le critère %(code)s est acquis ou non acquis.", code=crit.code)]
        else:
            path = f"competencies.{comp.code}.mark"
            if path not in typed and not isinstance((rows.get(comp.code) or {}).get("mark"), (int, float)):
                found[path] = [_("Saisissez la note de la compétence %(code)s (sur %(max)s).", code=comp.code,
                                 max=format_mark(grid.scale))]
    if grid.block_proposals:
        for block in cert.blocks:
            if (data.get("blocks") or {}).get(block.code) not in BLOCK_VALUES:
                found[f"blocks.{block.code}"] = [
                    _("Indiquez votre proposition pour le bloc %(code)s (validé ou non validé).", code=block.code)]
    for score in grid.scores:
        path = f"scores.{score.key}"
        if path not in typed and not isinstance((data.get("scores") or {}).get(score.key), (int, float)):
            found[path] = [_("Saisissez la note « %(label)s » (sur %(max)s).", label=score.label,
                             max=format_mark(score.maximum))]
    outcome = outcome_of(grid, data.get("proposal"))
    if outcome is None:
        found["proposal"] = [_("Choisissez votre proposition de décision.")]
    elif outcome.comment_required and not (data.get("comment") or "").strip():
        found["comment"] = [_("« %(label)s » : le commentaire général est obligatoire.", label=outcome.label)]
    return found


def problems(cert: Certification, grid: Grid, data: dict[str, Any]) -> dict[str, list[str]]:
    """Every reason why ``data`` cannot be completed (empty dict: it can)."""
    found = missing_problems(cert, grid, data)
    for path, messages in value_problems(cert, grid, data).items():
        found.setdefault(path, []).extend(messages)
    return found


def answered(cert: Certification, grid: Grid, data: dict[str, Any]) -> tuple[int, int]:
    """(answers given, answers expected) — for the progress shown to the juror."""
    expected = len(missing_problems(cert, grid, {}))
    missing = [path for path in missing_problems(cert, grid, data) if path != "comment"]
    return expected - len(missing), expected
