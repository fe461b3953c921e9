"""Core's jury rules, for every certification: the grid derived from the
descriptor, a decision computed from it, the checks that hold everywhere.
A certification plugin adds its own checks and may replace the grid and the
decision (these implementations are ``trylast``)."""
from __future__ import annotations

from flask_babel import gettext as _

from core.certifications.descriptor import (
    Certification,
    Consolidation,
    DecisionProposal,
    Grid,
    GridScore,
    JuryProblem,
    Outcome,
    RecordedDecision,
)
from core.hookspecs import hookimpl

ABSENT = "absent"
DEFAULT_OUTCOMES = (Outcome("admis", "Admis"), Outcome("non_admis", "Non admis", comment_required=True))


@hookimpl(trylast=True)
def livret_evaluation_grid(certification: Certification) -> Grid:
    rules = certification.rules
    scale = rules.competency_scale if rules else None
    scores = tuple(
        GridScore(key=ev.code, label=f"{ev.kind} : {ev.title}" if ev.kind else ev.title,
                  maximum=float(ev.max_score), eliminatory_below=ev.eliminatory_below)
        for ev in (certification.scheme.evaluations if certification.scheme else ())
        if ev.max_score is not None and ev.max_score != scale
    )
    has_criteria = any(c.criteria for c in certification.competencies)
    return Grid(
        mode="marks" if scale else ("criteria" if has_criteria else "marks"),
        outcomes=(rules.outcomes if rules and rules.outcomes else DEFAULT_OUTCOMES),
        scale=scale if scale else (None if has_criteria else 5.0),
        threshold=(rules.competency_threshold if rules and scale else (None if has_criteria else 2.5)),
        block_proposals=bool(rules and rules.block_validation),
        scores=scores,
    )


def _grid(certification: Certification) -> Grid:
    from core.jury.services import grid_of  # the grid of the hook: a plugin may have replaced this default

    return grid_of(certification)


def _majority(votes: dict[str, int] | None, yes: str, no: str) -> bool:
    votes = votes or {}
    return votes.get(yes, 0) > votes.get(no, 0)


def _mean(values) -> float | None:
    values = list(values or ())
    return sum(values) / len(values) if values else None


@hookimpl(trylast=True)
def livret_jury_decision(certification: Certification, consolidation: Consolidation) -> DecisionProposal:
    if not consolidation.present:
        return DecisionProposal(outcome=ABSENT, reasons=(_("Le candidat ou la candidate était absent ou absente."),))
    grid = _grid(certification)
    first, last = grid.outcomes[0].code, grid.outcomes[-1].code
    middle = grid.outcomes[1].code if len(grid.outcomes) > 2 else last
    reasons: list[str] = []
    acquired: list[str] = []
    for comp in certification.competencies:
        if grid.mode == "marks":
            value = _mean(consolidation.marks.get(comp.code))
            ok = value is not None and value >= (grid.threshold or 0)
        else:
            ok = bool(comp.criteria) and all(
                _majority(consolidation.criteria.get(c.code), "met", "not_met") for c in comp.criteria)
        if ok:
            acquired.append(comp.code)
    eliminated = []
    for score in grid.scores:
        value = _mean(consolidation.scores.get(score.key))
        if score.eliminatory_below is not None and (value is None or value < score.eliminatory_below):
            eliminated.append(score)
            reasons.append(_("%(label)s : note inférieure à %(min)s/%(max)s, éliminatoire.", label=score.label,
                             min=f"{score.eliminatory_below:g}", max=f"{score.maximum:g}"))
    if grid.block_proposals:
        validated = tuple(b.code for b in certification.blocks
                          if _majority(consolidation.blocks.get(b.code), "validated", "not_validated"))
    else:
        validated = tuple(b.code for b in certification.blocks
                          if all(c.code in acquired for c in b.competencies))
    if eliminated:
        outcome, validated = last, ()
    elif len(validated) == len(certification.blocks):
        outcome = first
    elif validated:
        outcome = middle
    else:
        outcome = last
    missing = [c.code for c in certification.competencies if c.code not in acquired]
    if missing and grid.mode == "marks":
        reasons.append(_("Compétences non acquises : %(codes)s.", codes=", ".join(missing)))
    return DecisionProposal(outcome=outcome, validated_blocks=validated, acquired_competencies=tuple(acquired),
                            reasons=tuple(reasons))


@hookimpl(trylast=True)
def livret_decision_problems(certification: Certification, consolidation: Consolidation,
                             decision: RecordedDecision) -> list[str]:
    grid = _grid(certification)
    outcomes = {o.code: o for o in grid.outcomes}
    problems: list[str] = []
    if not consolidation.present:
        if decision.outcome != ABSENT:
            problems.append(_("Le candidat ou la candidate est absent ou absente : la seule décision possible est "
                              "« Absent ou absente »."))
        return problems
    if decision.outcome == ABSENT:
        problems.append(_("Le candidat ou la candidate est présent ou présente : la décision ne peut pas être « Absent ou absente »."))
        return problems
    outcome = outcomes.get(decision.outcome)
    if outcome is None:
        problems.append(_("Décision inconnue : choisissez parmi %(choices)s.",
                          choices=", ".join(f"« {o.label} »" for o in grid.outcomes)))
        return problems
    if outcome.comment_required and not decision.comment.strip():
        problems.append(_("« %(label)s » : les commentaires sont obligatoires.", label=outcome.label))
    known = {b.code for b in certification.blocks}
    unknown = [code for code in decision.validated_blocks if code not in known]
    if unknown:
        problems.append(_("Blocs inconnus : %(codes)s.", codes=", ".join(unknown)))
    return problems


@hookimpl(trylast=True)
def livret_jury_problems(certification: Certification, session) -> list[JuryProblem]:
    problems: list[JuryProblem] = []
    if not session.jurors:
        problems.append(JuryProblem("jurors", _("Le jury ne compte aucun membre : ajoutez au moins un juré.")))
    if not session.candidates:
        problems.append(JuryProblem("candidates", _("La session ne compte aucun candidat.")))
    juror_ids = {j.user_id for j in session.jurors}
    for candidate in session.candidates:
        if candidate.dossier.candidate_id in juror_ids:
            problems.append(JuryProblem(
                "candidate_juror",
                _("%(name)s ne peut pas être à la fois candidat ou candidate et membre du jury.",
                  name=candidate.dossier.candidate.full_name),
                dossier_id=candidate.dossier_id))
    return problems
