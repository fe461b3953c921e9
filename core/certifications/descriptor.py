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
class OralPart:
    """One part of an oral (RNCP37827 Annexe 1: « E2 Présentation orale (15 min) - Livrable: Rapport 15-20p »)."""

    evaluations: tuple[str, ...]
    activity: str
    minutes: int
    deliverable: str = ""
    description: str = ""


@dataclass(frozen=True)
class BlockOral:
    """The oral a candidate passes to validate one block on its own (« Oral de passage du bloc 2 »)."""

    block: str
    title: str
    total_minutes: int
    parts: tuple[OralPart, ...] = ()


@dataclass(frozen=True)
class EvaluationScheme:
    summary: str
    evaluations: tuple[Evaluation, ...] = ()
    schedule: tuple[ScheduleStep, ...] = ()  # example of a session schedule
    total_minutes: int | None = None
    block_orals: tuple[BlockOral, ...] = ()  # candidates for one block (Route.blocks_alone)

    def block_oral(self, block: str | None) -> BlockOral | None:
        return next((o for o in self.block_orals if o.block == block), None) if block else None


@dataclass(frozen=True)
class Deliverable:
    """A file a candidate on a route hands in for one or more épreuves, page count checked on upload."""

    code: str  # unique within the route, e.g. "E2"
    title: str  # e.g. "Rapport professionnel individuel"
    evaluations: tuple[str, ...] = ()  # the épreuves it serves
    min_pages: int | None = None
    max_pages: int | None = None
    rule: str = ""  # the seed's words, quoted when a file is refused


@dataclass(frozen=True)
class SubmittedDocument:
    """How the certification names the document a dossier on a route produces when submitted
    (RNCP37827 VAE: « Livret 2 VAE », « Dossier de demande VAE - Validation des Acquis de l'Expérience »)."""

    name: str  # short name: the cover's kicker, the receipt, the file's title
    heading: str  # the cover's title
    subtitle: str = ""  # the line under it (e.g. « Article L 613-3 et suivants du code de l'Éducation »)


@dataclass(frozen=True)
class Route:
    """An access route (voie d'accès) a dossier is opened on; the core follows it.

    ``sections``: keys of the dossier sections on this route (empty: every section);
    ``deliverables``: files handed in per épreuve (a « deliverables » section lists them);
    ``fee``: whether the certification's fee applies; ``blocks_alone``: a candidate may
    present one block only (its oral is ``scheme.block_orals``); ``admissibility_review``:
    whether the certifier's staff study the dossier before it is admissible."""

    code: str
    label: str  # as the PV's « Voie d'accès » column prints it
    description: str = ""
    sections: tuple[str, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    fee: bool = True
    blocks_alone: bool = False
    document: SubmittedDocument | None = None  # None: a neutral « Dossier de certification »
    # whether the certifier studies each submitted dossier (« recevabilité ») before it can go to a jury;
    # False: a submitted dossier is admissible at once (RS6776, RNCP37827's training route)
    admissibility_review: bool = True

    def deliverable(self, code: str) -> Deliverable | None:
        return next((d for d in self.deliverables if d.code == code), None)


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
    # a window in calendar months (12: « un an »), counted as French law counts délais (core.utils.add_months);
    # when set it is used instead of retake_within_days
    retake_within_months: int | None = None
    retake_free: bool = False
    notify_success: str = ""
    notify_failure: str = ""


@dataclass(frozen=True)
class GridScore:
    """A mark of the grid outside the competencies (e.g. the oral out of 20)."""

    key: str
    label: str
    maximum: float
    eliminatory_below: float | None = None
    step: float = 0.5


@dataclass(frozen=True)
class Grid:
    """What a juror fills for one candidate (the individual evaluation grid).

    The rows come from the descriptor: blocks, competencies, criteria.
    ``mode`` is ``"criteria"`` (each criterion met / not met, a comment per
    competency) or ``"marks"`` (a mark out of ``scale`` per competency,
    acquired from ``threshold``). ``block_proposals``: the juror proposes,
    per block, validated or not. ``scores``: extra marks (the oral /20).
    ``outcomes``: the decisions the jury may record.
    """

    mode: str
    outcomes: tuple[Outcome, ...]
    scale: float | None = None
    threshold: float | None = None
    block_proposals: bool = False
    scores: tuple[GridScore, ...] = ()
    title: str = "Grille d'évaluation individuelle"


@dataclass(frozen=True)
class JuryProblem:
    """A breach of a jury-composition rule (``livret_jury_problems``).

    ``rule`` names the rule (a :class:`JuryRule` key or a core key);
    ``blocking`` problems prevent the session from opening, the others are
    shown as warnings. ``juror_id`` / ``dossier_id`` point at what is wrong.
    """

    rule: str
    message: str
    blocking: bool = True
    juror_id: int | None = None
    dossier_id: int | None = None


@dataclass(frozen=True)
class RegulationSection:
    """A titled part of a règlement: its content in order (a ``str`` is a paragraph, a tuple of
    ``str`` a bulleted list), then its sub-parts."""

    title: str
    content: tuple[str | tuple[str, ...], ...] = ()
    sections: tuple["RegulationSection", ...] = ()


@dataclass(frozen=True)
class JuryRegulation:
    """The part of the certification's règlement the jury receives with its convocation
    (``livret_jury_regulation``); core renders it as a PDF attached to each juror's convocation.

    ``title`` heads the document (e.g. « Les épreuves certificatives »); ``content`` comes before
    the ``sections`` (same form as :class:`RegulationSection`); ``filename`` names the attachment."""

    title: str
    sections: tuple[RegulationSection, ...] = ()
    content: tuple[str | tuple[str, ...], ...] = ()
    filename: str = "reglement.pdf"


@dataclass(frozen=True)
class DecisionProposal:
    """The decision computed by the rules from the consolidated grids
    (``livret_jury_decision``): what the jury is asked to confirm."""

    outcome: str
    validated_blocks: tuple[str, ...] = ()
    acquired_competencies: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # why, in French, rule by rule
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Consolidation:
    """The completed grids of one candidate, side by side.

    Input of ``livret_jury_decision`` and ``livret_decision_problems``.
    Counts are numbers of jurors; marks are the jurors' marks in grid order.
    """

    present: bool
    jurors: int = 0  # number of completed grids
    criteria: dict[str, dict[str, int]] = field(default_factory=dict)  # "C1.1" -> {"met": 2, "not_met": 0}
    marks: dict[str, tuple[float, ...]] = field(default_factory=dict)  # "C1" -> (4.0, 3.5)
    blocks: dict[str, dict[str, int]] = field(default_factory=dict)  # "BC01" -> {"validated": 2, "not_validated": 0}
    scores: dict[str, tuple[float, ...]] = field(default_factory=dict)  # "ORAL" -> (12.0, 14.0)
    proposals: dict[str, int] = field(default_factory=dict)  # outcome code -> jurors proposing it
    attempt: int = 1  # 1: first sitting; 2: first retake...


@dataclass(frozen=True)
class RecordedDecision:
    """The decision the jury records for one candidate (checked by ``livret_decision_problems``).

    ``marks`` and ``scores`` are the marks the jury agreed on (marks mode);
    ``vae_outcome`` one of ``extra["vae_outcomes"]`` codes when the
    certification declares them; ``remaining`` what is left to acquire.
    """

    outcome: str
    validated_blocks: tuple[str, ...] = ()
    marks: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    comment: str = ""
    vae_outcome: str = ""
    remaining: str = ""


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
class Privacy:
    """What a certification declares about the personal data it processes (referential ``[privacy]``).

    Read by :mod:`core.privacy.declarations` (retention rules, the record of
    processing activities, the privacy notice); every field is optional.
    """

    contact: str = ""  # who answers the candidates' rights requests, in words (« la direction Qualité et RSE de … »)
    recipients: tuple[str, ...] = ()  # who receives the dossier beyond core's own list, in words
    # ``(kind, months)`` pairs overriding core's retention periods (core.privacy.declarations.KINDS)
    retention: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Certification:
    code: str
    title: str
    certifier: str
    registry: str  # "RNCP" or "RS"
    level: str = ""  # e.g. "Niveau 6 (licence)"; empty when the seed does not say
    summary: str = ""
    access_routes: tuple[str, ...] = ()  # the registry's « voies d'accès », as published
    routes: tuple[Route, ...] = ()  # the routes a dossier can be opened on (the first is the default)
    blocks: tuple[Block, ...] = ()
    scheme: EvaluationScheme | None = None
    rules: DecisionRules | None = None
    jury_rules: tuple[JuryRule, ...] = ()
    fee: Fee | None = None
    deadlines: tuple[Deadline, ...] = ()
    notes: tuple[str, ...] = ()  # caveats shown to users (e.g. unofficial wording)
    privacy: Privacy = field(default_factory=Privacy)
    plugin: str = ""  # set by core: name of the plugin that declared it
    # set by core: the plugin object that declared it, the only plugin its per-certification hooks reach
    provider: Any = field(default=None, hash=False, compare=False, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def competencies(self) -> tuple[Competency, ...]:
        return tuple(c for b in self.blocks for c in b.competencies)

    def competency(self, code: str) -> Competency | None:
        return next((c for c in self.competencies if c.code == code), None)

    def block_of(self, competency_code: str) -> Block | None:
        return next((b for b in self.blocks if any(c.code == competency_code for c in b.competencies)), None)

    def route(self, code: str | None) -> Route | None:
        """The declared route ``code``; ``None`` (or an undeclared code) gives ``None``."""
        return next((r for r in self.routes if r.code == code), None) if code else None

    @property
    def default_route(self) -> Route:
        """The first declared route, or an unnamed one (every section, the fee) for a plugin that declares none."""
        return self.routes[0] if self.routes else Route(code="", label="")


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
    problems += _route_problems(cert)
    if cert.fee is not None and cert.fee.amount_cents < 0:
        problems.append("fee amount is negative")
    return problems


def _route_problems(cert: Certification) -> list[str]:
    problems = []
    codes = [r.code for r in cert.routes]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(f"route {code} declared twice")
    evaluations = {e.code for e in cert.scheme.evaluations} if cert.scheme else set()
    blocks = {b.code for b in cert.blocks}
    for route in cert.routes:
        if not route.code.replace("_", "").isalnum() or route.code != route.code.lower():
            problems.append(f"route code {route.code!r} must be lower-case letters, digits or _")
        for item in route.deliverables:
            for code in item.evaluations:
                if code not in evaluations:
                    problems.append(f"deliverable {item.code} of route {route.code} names unknown evaluation {code}")
            if item.min_pages and item.max_pages and item.min_pages > item.max_pages:
                problems.append(f"deliverable {item.code} of route {route.code}: min_pages > max_pages")
        if route.blocks_alone and not (cert.scheme and cert.scheme.block_orals):
            problems.append(f"route {route.code} allows single blocks but the scheme has no block_orals")
    for oral in cert.scheme.block_orals if cert.scheme else ():
        if oral.block not in blocks:
            problems.append(f"block oral {oral.title!r} names unknown block {oral.block}")
    return problems
