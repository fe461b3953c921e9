"""The jurors' completed grids side by side, row by row, with their disagreements.

One column per juror who completed their grid (session order), one row per
criterion, block proposal, competency mark or extra score. A row is a
*disagreement* when the jurors' verdicts differ:

- criteria mode: « Acquis » against « Non acquis » for a criterion; « Validé »
  against « Non validé » for a block proposal;
- marks mode: one juror's mark reaches the acquisition threshold and
  another's does not (for a score with an eliminatory mark: one is
  eliminatory, another is not; without a threshold: the marks differ);
- the proposed decision: the jurors propose different outcomes.

Marks rows also carry the jurors' mean for that competency (never an average
across competencies).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.certifications.descriptor import Certification, Grid
from core.evaluation.grids import format_mark
from core.jury.models import EvaluationGrid
from core.jury.services import mean

CRITERION_LABELS = {"met": _l("Acquis"), "not_met": _l("Non acquis")}
BLOCK_LABELS = {"validated": _l("Validé"), "not_validated": _l("Non validé")}


@dataclass
class Row:
    kind: str  # "criterion" | "block" | "mark" | "score" | "proposal" | "comment"
    code: str
    label: str
    values: list[str | None]  # per column (juror), as shown; None: not answered
    raw: list[object] = field(default_factory=list)  # per column, as stored
    disagreement: bool = False
    mean: float | None = None
    unit: str = ""  # "/ 5", "/ 20"


@dataclass
class Group:
    """Rows under one heading (a block, or a competency in criteria mode)."""

    code: str
    title: str
    rows: list[Row]
    comments: list[str] = field(default_factory=list)  # per column: the juror's comment on the competency


def _labels(mapping: dict[str, str]) -> dict[str, str]:
    return {key: str(value) for key, value in mapping.items()}


def _choice_row(kind: str, code: str, label: str, answers: list[str | None], labels: dict[str, str]) -> Row:
    given = {a for a in answers if a is not None}
    return Row(kind, code, label, [labels.get(a, a) if a else None for a in answers], list(answers),
               disagreement=len(given) > 1)


def _mark_row(kind: str, code: str, label: str, marks: list[float | None], maximum: float | None,
              threshold: float | None) -> Row:
    given = [m for m in marks if m is not None]
    if threshold is not None:
        split = len({m >= threshold for m in given}) > 1
    else:
        split = len(set(given)) > 1
    unit = f"/ {format_mark(maximum)}" if maximum else ""
    return Row(kind, code, label, [format_mark(m) if m is not None else None for m in marks], list(marks),
               disagreement=split, mean=mean(given), unit=unit)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _comments(grids: list[EvaluationGrid], code: str) -> list[str]:
    return [str(((g.data or {}).get("competencies") or {}).get(code, {}).get("comment") or "") for g in grids]


def criteria_groups(cert: Certification, grid: Grid, grids: list[EvaluationGrid]) -> list[Group]:
    labels, block_labels = _labels(CRITERION_LABELS), _labels(BLOCK_LABELS)
    groups = []
    for block in cert.blocks:
        for comp in block.competencies:
            rows = [_choice_row("criterion", crit.code, crit.text,
                                [((g.data or {}).get("criteria") or {}).get(crit.code) for g in grids], labels)
                    for crit in comp.criteria]
            groups.append(Group(comp.code, f"{comp.code} – {comp.title}", rows, _comments(grids, comp.code)))
        if grid.block_proposals:
            row = _choice_row("block", block.code, _("Proposition pour le bloc %(code)s", code=block.code),
                              [((g.data or {}).get("blocks") or {}).get(block.code) for g in grids], block_labels)
            groups.append(Group(block.code, f"{block.code} – {block.title}", [row]))
    return groups


def marks_groups(cert: Certification, grid: Grid, grids: list[EvaluationGrid]) -> list[Group]:
    groups = []
    for block in cert.blocks:
        rows = [_mark_row("mark", comp.code, f"{comp.code} – {comp.title}",
                          [_number((((g.data or {}).get("competencies") or {}).get(comp.code) or {}).get("mark"))
                           for g in grids], grid.scale, grid.threshold)
                for comp in block.competencies]
        if grid.block_proposals:
            rows.append(_choice_row("block", block.code, _("Proposition pour le bloc %(code)s", code=block.code),
                                    [((g.data or {}).get("blocks") or {}).get(block.code) for g in grids],
                                    _labels(BLOCK_LABELS)))
        groups.append(Group(block.code, f"{block.code} – {block.title}", rows))
    if grid.scores:
        rows = [_mark_row("score", s.key, s.label,
                          [_number(((g.data or {}).get("scores") or {}).get(s.key)) for g in grids],
                          s.maximum, s.eliminatory_below) for s in grid.scores]
        groups.append(Group("scores", _("Autres épreuves"), rows))
    return groups


def decision_group(grid: Grid, grids: list[EvaluationGrid]) -> Group:
    labels = {o.code: o.label for o in grid.outcomes}
    proposal = _choice_row("proposal", "proposal", _("Décision proposée"),
                           [(g.data or {}).get("proposal") or None for g in grids], labels)
    comments = [str((g.data or {}).get("comment") or "") for g in grids]
    comment = Row("comment", "comment", _("Commentaire général"), [c or None for c in comments], list(comments))
    return Group("decision", _("Proposition de chaque juré"), [proposal, comment])


def groups_of(cert: Certification, grid: Grid, grids: list[EvaluationGrid]) -> list[Group]:
    body = marks_groups(cert, grid, grids) if grid.mode == "marks" else criteria_groups(cert, grid, grids)
    return body + [decision_group(grid, grids)]


def disagreements(groups: list[Group]) -> list[Row]:
    return [row for group in groups for row in group.rows if row.disagreement]
