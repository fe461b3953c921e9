"""Deliberation: what the jury sees for one candidate, and the one decision it records.

Who may do what (the session is always reached through
:func:`core.jury.services.get_session_for`: anybody else gets a 404):

- the session's jurors, its manager and the certifier's staff *see* the
  deliberation;
- only the jurors *record* a decision: the session manager « n'a pas de voix
  délibérative » (403 with that message), the staff neither (403).

A decision is recorded when every juror of the session has completed their
grid (unless the candidate is absent), while :func:`core.jury.services.decisions_locked`
allows it, and when the plugins' rules (``livret_decision_problems``) find
nothing wrong; a refusal names the rules. Recording supersedes the current
decision (the row is kept: a sealed one belongs to its PV), moves the dossier
to « Évalué », writes an audit event and flushes; the caller commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.descriptor import Certification, Consolidation, DecisionProposal, Grid, RecordedDecision
from core.deliberation import sheet
from core.documents.filters import document_timezone
from core.dossiers.models import DossierStatus
from core.errors import Conflict, Forbidden, ValidationFailed
from core.extensions import db
from core.jury import services as jury
from core.jury.models import Attendance, EvaluationGrid, JuryDecision, JurySession, SessionCandidate, SessionJuror
from core.utils import add_months

ABSENT = "absent"
ABSENT_LABEL = _l("Absent ou absente")
MAX_TEXT = 4000


# ---------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------

def outcome_label(grid: Grid, code: str | None) -> str:
    """The plugin's label of an outcome code (« Absent ou absente » for an absence)."""
    if code == ABSENT:
        return str(ABSENT_LABEL)
    return next((o.label for o in grid.outcomes if o.code == code), code or "")


def vae_outcomes(cert: Certification) -> tuple:
    return tuple(cert.extra.get("vae_outcomes") or ())


def vae_label(cert: Certification, code: str | None) -> str:
    return next((o.label for o in vae_outcomes(cert) if o.code == code), code or "")


def failing_outcome(grid: Grid) -> str:
    return grid.outcomes[-1].code


# ---------------------------------------------------------------------------
# what the page shows
# ---------------------------------------------------------------------------

@dataclass
class Deliberation:
    session: JurySession
    candidate: SessionCandidate
    cert: Certification
    grid: Grid
    columns: list[SessionJuror]  # jurors whose grid is completed, in session order
    pending: list[SessionJuror]  # jurors whose grid is not completed
    consolidation: Consolidation
    proposal: DecisionProposal
    groups: list[sheet.Group]
    decision: JuryDecision | None
    locked: str | None
    superseded: list[JuryDecision] = field(default_factory=list)

    @property
    def absent(self) -> bool:
        return self.candidate.attendance is Attendance.ABSENT

    @property
    def ready(self) -> bool:
        """Every juror's grid is completed, or the candidate is absent."""
        return self.absent or not self.pending

    @property
    def disagreements(self) -> list[sheet.Row]:
        return sheet.disagreements(self.groups)

    @property
    def pending_reason(self) -> str | None:
        if self.ready:
            return None
        return _("La décision ne peut pas être enregistrée : la grille de %(names)s n'est pas terminée.",
                 names=", ".join(j.user.full_name for j in self.pending))


def _completed_by_juror(candidate: SessionCandidate) -> dict[int, EvaluationGrid]:
    return {g.juror_id: g for g in jury.completed_grids(candidate)}


def deliberation_of(session: JurySession, candidate: SessionCandidate) -> Deliberation:
    cert = jury.certification_of(session)
    grid = jury.grid_of(cert)
    completed = _completed_by_juror(candidate)
    columns = [j for j in session.jurors if j.user_id in completed]
    consolidation = jury.consolidate(candidate)
    return Deliberation(
        session=session, candidate=candidate, cert=cert, grid=grid, columns=columns,
        pending=[j for j in session.jurors if j.user_id not in completed],
        consolidation=consolidation, proposal=jury.compute_decision(cert, consolidation),
        groups=sheet.groups_of(cert, grid, [completed[j.user_id] for j in columns]),
        decision=candidate.decision, locked=jury.decisions_locked(session),
        superseded=[d for d in candidate.decisions if d.superseded_at is not None])


@dataclass
class OverviewRow:
    candidate: SessionCandidate
    completed: int
    jurors: int
    proposal: DecisionProposal
    proposal_label: str
    decision: JuryDecision | None
    decision_label: str


def overview(session: JurySession) -> list[OverviewRow]:
    """One row per candidate (order of passage): what the jury looks at when it ends the session."""
    cert = jury.certification_of(session)
    grid = jury.grid_of(cert)
    rows = []
    for candidate in session.candidates:
        proposal = jury.compute_decision(cert, jury.consolidate(candidate))
        decision = candidate.decision
        rows.append(OverviewRow(candidate, len(_completed_by_juror(candidate)), len(session.jurors), proposal,
                                outcome_label(grid, proposal.outcome), decision,
                                outcome_label(grid, decision.outcome) if decision else ""))
    return rows


# ---------------------------------------------------------------------------
# who may record
# ---------------------------------------------------------------------------

def may_record(user: User, session: JurySession) -> bool:
    return jury.sits_on(user, session)


def check_may_record(user: User, session: JurySession) -> None:
    """403 with a French reason for the manager and the staff (they see the session but have no vote)."""
    if jury.sits_on(user, session):
        return
    if jury.manages(user, session):
        raise Forbidden(_("Le responsable de session n'a pas de voix délibérative : seuls les membres du jury "
                          "enregistrent la décision."), code="no_deliberative_vote")
    raise Forbidden(_("Seuls les membres du jury de la session enregistrent les décisions."),
                    code="not_a_juror")


# ---------------------------------------------------------------------------
# reading and checking what the jury typed
# ---------------------------------------------------------------------------

def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def normalised(cert: Certification, grid: Grid, decision: RecordedDecision) -> RecordedDecision:
    """Known blocks only, in the descriptor's order; without block proposals, the blocks follow the outcome."""
    if decision.outcome == ABSENT:
        return RecordedDecision(outcome=ABSENT, comment=_text(decision.comment))
    if grid.block_proposals:
        chosen = set(decision.validated_blocks)
        blocks = tuple(b.code for b in cert.blocks if b.code in chosen)
    else:
        blocks = tuple(b.code for b in cert.blocks) if decision.outcome == grid.outcomes[0].code else ()
    return replace(decision, validated_blocks=blocks, comment=_text(decision.comment),
                   remaining=_text(decision.remaining), vae_outcome=_text(decision.vae_outcome))


def _range(value: float | None, maximum: float | None, path: str, label: str, errors: dict[str, list[str]]) -> None:
    from core.evaluation.grids import format_mark

    if value is None:
        errors[path] = [_("%(label)s : indiquez la note retenue par le jury (sur %(max)s).", label=label,
                          max=format_mark(maximum))]
    elif maximum is not None and not 0 <= value <= maximum:
        errors[path] = [_("%(label)s : la note doit être comprise entre 0 et %(max)s.", label=label,
                          max=format_mark(maximum))]


def input_problems(cert: Certification, grid: Grid, candidate: SessionCandidate,
                   decision: RecordedDecision) -> dict[str, list[str]]:
    """Field-level problems (the form and the API's ``details``), before the plugins' rules."""
    errors: dict[str, list[str]] = {}
    codes = [o.code for o in grid.outcomes] + [ABSENT]
    if decision.outcome not in codes:
        errors["outcome"] = [_("Choisissez la décision du jury.")]
        return errors
    for key in ("comment", "remaining"):
        if len(getattr(decision, key)) > MAX_TEXT:
            errors[key] = [_("Le texte est trop long (%(n)d caractères au plus).", n=MAX_TEXT)]
    if decision.outcome == ABSENT:
        return errors
    known_vae = {o.code for o in vae_outcomes(cert)}
    if known_vae and decision.vae_outcome and decision.vae_outcome not in known_vae:
        errors["vae_outcome"] = [_("Choisissez l'une des issues de l'entretien VAE.")]
    elif known_vae and not decision.vae_outcome and candidate.access_route == "VAE":
        errors["vae_outcome"] = [_("Choisissez l'issue de l'entretien VAE (Annexe 5 : quatre issues possibles).")]
    if grid.mode == "marks":
        for comp in cert.competencies:
            _range(decision.marks.get(comp.code), grid.scale, f"marks.{comp.code}", comp.code, errors)
        for score in grid.scores:
            _range(decision.scores.get(score.key), score.maximum, f"scores.{score.key}", score.label, errors)
    return errors


def without_repeats(messages: list[str]) -> list[str]:
    """Drop repeated messages, and a generic one that another restates with its rule
    (core's « X : les commentaires sont obligatoires. » when a plugin adds the règlement's wording)."""
    unique = list(dict.fromkeys(m.strip() for m in messages if m and m.strip()))
    return [m for m in unique
            if not any(other != m and other.startswith(m.rstrip(". ")) for other in unique)]


_FIELD_HINTS = (
    ("comment", ("commentaire", "motivez")),
    ("remaining", ("reste à acquérir", "restant à acquérir")),
    ("vae_outcome", ("entretien vae", "issue")),
    ("validated_blocks", ("bloc",)),
)
_CODE = re.compile(r"\b([A-Z]+\d+)\b")


def field_of(message: str, cert: Certification, grid: Grid) -> str:
    """The form field a rule message is about (best effort: the decision itself otherwise)."""
    lower = message.lower()
    for name, hints in _FIELD_HINTS:
        if any(h in lower for h in hints):
            if name == "vae_outcome" and not vae_outcomes(cert):
                continue
            if name == "validated_blocks" and not grid.block_proposals:
                continue
            return name
    if grid.mode == "marks":
        for code in _CODE.findall(message):
            if cert.competency(code):
                return f"marks.{code}"
        for score in grid.scores:
            name = score.label.split(" : ")[0].lower()
            if lower.startswith(name) or f"{name} a " in lower:  # « Épreuve orale : … », « l'épreuve orale a 9 / 20 »
                return f"scores.{score.key}"
    return "outcome"


def rule_problems(cert: Certification, consolidation: Consolidation, decision: RecordedDecision) -> list[str]:
    return without_repeats(jury.decision_problems(cert, consolidation, decision))


# ---------------------------------------------------------------------------
# recording
# ---------------------------------------------------------------------------

def today() -> date:
    return datetime.now(document_timezone()).date()


def retake_until(cert: Certification, grid: Grid, candidate: SessionCandidate, outcome: str) -> date | None:
    """Last day of the retake window when the outcome is a failure and a retake is left; ``None`` otherwise."""
    rules = cert.rules
    if rules is None or not (rules.retake_within_months or rules.retake_within_days) \
            or outcome != failing_outcome(grid):
        return None
    if candidate.attempt > rules.retakes:
        return None
    if rules.retake_within_months:  # « un an »: a calendar year, 29/02 -> 28/02 (core.utils.add_months)
        return add_months(today(), rules.retake_within_months)
    return today() + timedelta(days=rules.retake_within_days)


def acquired_of(cert: Certification, grid: Grid, proposal: DecisionProposal,
                decision: RecordedDecision) -> list[str]:
    """Competencies acquired per the recorded decision (cert order)."""
    if decision.outcome == ABSENT:
        return []
    if grid.mode == "marks":
        threshold = grid.threshold if grid.threshold is not None else 0
        codes = {c for c, m in decision.marks.items() if m is not None and m >= threshold}
    else:
        codes = set(proposal.acquired_competencies)
        for block in cert.blocks:
            if block.code in decision.validated_blocks:
                codes.update(c.code for c in block.competencies)
    return [c.code for c in cert.competencies if c.code in codes]


def _check_can_record(delib: Deliberation, actor: User) -> None:
    check_may_record(actor, delib.session)
    if delib.locked:
        raise Conflict(delib.locked, code="decisions_locked", details={"status": delib.session.status.value})
    if not delib.ready:
        raise Conflict(delib.pending_reason, code="grids_incomplete",
                       details={"pending": [j.user.full_name for j in delib.pending]})


def check_decision(delib: Deliberation, decision: RecordedDecision) -> RecordedDecision:
    """The decision, normalised, if the input and the rules allow it; 422 naming what is wrong otherwise.

    ``details``: ``{"rules": [messages of the plugins' rules], "fields": {field: [messages]}}``;
    everything found is reported at once (the rules are not asked while a mark is missing or invalid)."""
    decision = normalised(delib.cert, delib.grid, decision)
    fields = input_problems(delib.cert, delib.grid, delib.candidate, decision)
    marks_wrong = any(k.startswith(("marks.", "scores.")) for k in fields)
    problems = [] if "outcome" in fields or marks_wrong else rule_problems(
        delib.cert, delib.consolidation, decision)
    if not fields and not problems:
        return decision
    for message in problems:
        fields.setdefault(field_of(message, delib.cert, delib.grid), []).append(message)
    if problems:
        raise ValidationFailed(_("La décision contredit les règles de la certification : %(list)s",
                                 list=" ".join(problems)), code="decision_rules",
                               details={"rules": problems, "fields": fields})
    raise ValidationFailed(_("La décision n'a pas été enregistrée : certaines données sont manquantes ou "
                             "invalides."), details={"rules": [], "fields": fields})


def record_decision(delib: Deliberation, actor: User, decision: RecordedDecision) -> JuryDecision:
    """Record the jury's decision for ``delib.candidate`` (see the module's docstring); flushes."""
    _check_can_record(delib, actor)
    decision = check_decision(delib, decision)
    candidate, now = delib.candidate, utcnow()
    previous = candidate.decision
    if previous is not None:
        previous.superseded_at = now
    row = JuryDecision(
        candidate=candidate, outcome=decision.outcome, validated_blocks=list(decision.validated_blocks),
        acquired_competencies=acquired_of(delib.cert, delib.grid, delib.proposal, decision),
        marks=dict(decision.marks) if delib.grid.mode == "marks" and decision.outcome != ABSENT else {},
        scores=dict(decision.scores) if decision.outcome != ABSENT else {},
        vae_outcome=decision.vae_outcome, remaining=decision.remaining, comment=decision.comment,
        computed_outcome=delib.proposal.outcome, consolidation=jury.consolidation_dict(delib.consolidation),
        retake_until=retake_until(delib.cert, delib.grid, candidate, decision.outcome),
        recorded_by_id=actor.id, recorded_at=now)
    db.session.add(row)
    dossier = candidate.dossier
    before = dossier.status
    dossier.status = DossierStatus.EVALUATED
    dossier.updated_at = now
    db.session.flush()
    record("jury.decision_recorded", "jury_decision", row.id, actor_id=actor.id, payload={
        "session_id": delib.session.id, "candidate_id": candidate.id, "dossier_id": dossier.id,
        "outcome": row.outcome, "computed_outcome": row.computed_outcome,
        "validated_blocks": row.validated_blocks, "vae_outcome": row.vae_outcome,
        "supersedes": previous.id if previous is not None else None,
        "correction": delib.session.correction_started_at is not None,
        "dossier_status": {"from": before.value, "to": dossier.status.value}})
    return row


def record_absence(delib: Deliberation, actor: User) -> JuryDecision:
    """The one-click decision for a candidate marked absent."""
    return record_decision(delib, actor, RecordedDecision(outcome=ABSENT))


# ---------------------------------------------------------------------------
# serialisation (API and tests)
# ---------------------------------------------------------------------------

def decision_dict(grid: Grid, cert: Certification, decision: JuryDecision) -> dict[str, Any]:
    return {
        "id": decision.id, "candidate_id": decision.candidate_id, "outcome": decision.outcome,
        "outcome_label": outcome_label(grid, decision.outcome),
        "validated_blocks": list(decision.validated_blocks or []),
        "acquired_competencies": list(decision.acquired_competencies or []),
        "marks": dict(decision.marks or {}), "scores": dict(decision.scores or {}),
        "vae_outcome": decision.vae_outcome or None,
        "vae_outcome_label": vae_label(cert, decision.vae_outcome) if decision.vae_outcome else None,
        "remaining": decision.remaining, "comment": decision.comment,
        "computed_outcome": decision.computed_outcome, "retake_until": decision.retake_until,
        "recorded_by": decision.recorded_by.full_name if decision.recorded_by else None,
        "recorded_at": decision.recorded_at, "sealed_at": decision.sealed_at,
        "superseded_at": decision.superseded_at,
    }
