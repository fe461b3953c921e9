"""The certification descriptor: the data a certification plugin returns.

Plugins build these frozen dataclasses and return them from the
``livret_certifications`` hook; core reads them and never imports a plugin.
Everything is plain data (strings, numbers, tuples) so that it can be shown
on a page, serialised by the API and compared in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Criterion:
    """One evaluation criterion of a competency (as written in the grid)."""

    code: str
    text: str


@dataclass(frozen=True)
class Competency:
    code: str
    title: str
    criteria: tuple[Criterion, ...] = ()
    evaluations: tuple[str, ...] = ()  # codes of the Evaluation items assessing it
    expected: str = ""  # "Attendu": the context the evaluation must take place in
    editable: bool = False  # wording not official (to be confirmed by the certifier)


@dataclass(frozen=True)
class Block:
    """A block of competencies (bloc de compétences)."""

    code: str
    title: str
    competencies: tuple[Competency, ...]
    reference: str = ""  # partial certification reference (e.g. RNCP37827BC01)
    evaluations: tuple[str, ...] = ()
    evidence_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """One test of the evaluation scheme (épreuve)."""

    code: str
    kind: str  # e.g. "Mise en situation professionnelle", "Cas pratique", "Oral"
    title: str
    competencies: tuple[str, ...] = ()
    duration_minutes: int | None = None
    deliverable: str = ""
    assessment: str = ""
    candidate_tasks: tuple[str, ...] = ()
    max_score: float | None = None
    eliminatory_below: float | None = None


@dataclass(frozen=True)
class ScheduleStep:
    title: str
    duration_minutes: int
    with_candidate: bool


@dataclass(frozen=True)
class EvaluationScheme:
    summary: str
    evaluations: tuple[Evaluation, ...] = ()
    schedule: tuple[ScheduleStep, ...] = ()  # example of a session schedule
    total_minutes: int | None = None


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    description: str = ""
    comment_required: bool = False


@dataclass(frozen=True)
class DecisionRules:
    """How results are decided. Plain data; the plugin computes decisions."""

    summary: tuple[str, ...]
    outcomes: tuple[Outcome, ...] = ()
    block_validation: bool = False  # each block can be validated on its own
    competency_scale: float | None = None  # e.g. 5 (marks out of 5)
    competency_threshold: float | None = None  # e.g. 3.5
    averaging: bool = True  # False: no average across competencies
    retakes: int = 0
    retake_within_days: int | None = None
    retake_free: bool = False
    notify_success: str = ""
    notify_failure: str = ""


@dataclass(frozen=True)
class Fee:
    amount_cents: int
    currency: str = "EUR"
    label: str = ""
    covers: str = ""
    refundable: bool = False


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    days: int
    after: str  # the event the delay counts from, in words


@dataclass(frozen=True)
class JuryRule:
    key: str
    text: str


@dataclass(frozen=True)
class Certification:
    code: str
    title: str
    certifier: str
    registry: str  # "RNCP" or "RS"
    level: str = ""  # e.g. "Niveau 6 (licence)"; empty when the seed does not say
    summary: str = ""
    access_routes: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    scheme: EvaluationScheme | None = None
    rules: DecisionRules | None = None
    jury_rules: tuple[JuryRule, ...] = ()
    fee: Fee | None = None
    deadlines: tuple[Deadline, ...] = ()
    notes: tuple[str, ...] = ()  # caveats shown to users (e.g. unofficial wording)
    plugin: str = ""  # set by core: name of the plugin that declared it
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def competencies(self) -> tuple[Competency, ...]:
        return tuple(c for b in self.blocks for c in b.competencies)

    def competency(self, code: str) -> Competency | None:
        return next((c for c in self.competencies if c.code == code), None)

    def block_of(self, competency_code: str) -> Block | None:
        return next((b for b in self.blocks if any(c.code == competency_code for c in b.competencies)), None)


def validate(cert: Certification) -> list[str]:
    """Problems with a descriptor (empty list when it is sound)."""
    problems: list[str] = []
    if not cert.code or not cert.code.replace("_", "").replace("-", "").isalnum():
        problems.append(f"code {cert.code!r} must be alphanumeric")
    if not cert.title:
        problems.append("title is empty")
    if not cert.certifier:
        problems.append("certifier is empty")
    if not cert.blocks:
        problems.append("no block of competencies")
    seen: set[str] = set()
    for comp in cert.competencies:
        if comp.code in seen:
            problems.append(f"competency {comp.code} declared twice")
        seen.add(comp.code)
    if cert.scheme:
        eval_codes = {e.code for e in cert.scheme.evaluations}
        for ev in cert.scheme.evaluations:
            for code in ev.competencies:
                if code not in seen:
                    problems.append(f"evaluation {ev.code} names unknown competency {code}")
        for comp in cert.competencies:
            for code in comp.evaluations:
                if code not in eval_codes:
                    problems.append(f"competency {comp.code} names unknown evaluation {code}")
    if cert.fee is not None and cert.fee.amount_cents < 0:
        problems.append("fee amount is negative")
    return problems
