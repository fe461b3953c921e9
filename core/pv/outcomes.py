"""The procès-verbal's view of decisions: categories and counts.

The PV (Annexe 4) sorts every candidate into one of four categories,
whatever the certification calls its outcomes. The mapping uses the
position of the outcome in the plugin's grid (``Grid.outcomes``): the first
outcome is a total admission, the last one a refusal, any outcome in
between a partial admission; the core code ``"absent"`` is an absence.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.certifications.descriptor import Grid

ABSENT = "absent"
TOTAL = "total"
PARTIAL = "partial"
REFUSED = "refused"

CATEGORY_LABELS = {
    ABSENT: _l("Absent ou absente"),
    REFUSED: _l("Refusé ou refusée"),
    TOTAL: _l("Admis ou admise totalement"),
    PARTIAL: _l("Admis ou admise partiellement"),
}


def category(grid: Grid, outcome: str | None) -> str | None:
    """``absent``, ``total``, ``partial`` or ``refused`` for an outcome code; ``None`` when unknown."""
    if outcome == ABSENT:
        return ABSENT
    codes = [o.code for o in grid.outcomes]
    if outcome not in codes:
        return None
    index = codes.index(outcome)
    if index == 0:
        return TOTAL
    if index == len(codes) - 1:
        return REFUSED
    return PARTIAL


def category_label(grid: Grid, outcome: str | None) -> str:
    found = category(grid, outcome)
    return str(CATEGORY_LABELS[found]) if found else (outcome or "")


def outcome_label(grid: Grid, outcome: str | None) -> str:
    """The plugin's label of an outcome (« Admission partielle »), « Absent ou absente » for an absence."""
    if outcome == ABSENT:
        return str(CATEGORY_LABELS[ABSENT])
    return next((o.label for o in grid.outcomes if o.code == outcome), outcome or "")


@dataclass(frozen=True)
class PvCounts:
    """The figures of the PV's first part, computed from attendance and decisions."""

    present: int = 0
    absent: int = 0
    total: int = 0
    partial: int = 0
    refused: int = 0


def counts(grid: Grid, candidates) -> PvCounts:
    """Count ``candidates`` (``SessionCandidate`` rows with their current decision)."""
    tally = {ABSENT: 0, TOTAL: 0, PARTIAL: 0, REFUSED: 0}
    present = 0
    for candidate in candidates:
        decision = candidate.decision
        found = category(grid, decision.outcome if decision else None)
        if found == ABSENT:
            tally[ABSENT] += 1
            continue
        present += 1
        if found is not None:
            tally[found] += 1
    return PvCounts(present=present, absent=tally[ABSENT], total=tally[TOTAL], partial=tally[PARTIAL],
                    refused=tally[REFUSED])
