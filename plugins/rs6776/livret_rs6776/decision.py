"""Decision rules of RS6776 (règlement, sections 3 to 6), each message quoting its rule.

- each competency is acquired from 3,5 / 5, and « Toute compétence non
  validée entraîne la non-validation de la certification. »;
- the oral is marked out of 20 and « Une note inférieure à 10/20 est
  éliminatoire. »;
- « Il n'est pas appliqué de moyenne globale entre les compétences. »: the
  proposal works on each competency's mark (the jurors' mean for that
  competency), never on an average across competencies.

The jury records the marks it agreed on (pre-filled with the jurors' means);
:func:`livret_decision_problems` checks them and the outcome against those rules.
"""
from __future__ import annotations

from statistics import fmean

from flask_babel import format_decimal
from flask_babel import gettext as _

from core.certifications.descriptor import Certification, Consolidation, DecisionProposal, RecordedDecision
from core.hookspecs import hookimpl

from livret_rs6776.descriptor import RULES

ABSENT = "absent"
SUCCESS, FAILURE = RULES.outcomes[0].code, RULES.outcomes[-1].code
ORAL = "ORAL"
SCALE, THRESHOLD = float(RULES.competency_scale), float(RULES.competency_threshold)
ORAL_MAX, ORAL_MIN = 20.0, 10.0

RULE_ACQUIRED = "« Une compétence est considérée comme acquise lorsque la note minimale de 3,5 / 5 est atteinte. »"
RULE_ALL = "« Toute compétence non validée entraîne la non-validation de la certification. »"
RULE_ORAL = "« Une note inférieure à 10/20 est éliminatoire. »"
RULE_NO_AVERAGE = "« Il n'est pas appliqué de moyenne globale entre les compétences. »"


def _n(value: float) -> str:
    return format_decimal(value, format="#,##0.##")


def _mean(values) -> float | None:
    values = list(values or ())
    return round(fmean(values), 2) if values else None


@hookimpl
def livret_jury_decision(certification: Certification, consolidation: Consolidation) -> DecisionProposal:
    """The decision the marks give (hook: called by core for RS6776 only)."""
    if not consolidation.present:
        return DecisionProposal(outcome=ABSENT, reasons=(_("Le candidat ou la candidate était absent ou absente."),))
    marks = {c.code: _mean(consolidation.marks.get(c.code)) for c in certification.competencies}
    oral = _mean(consolidation.scores.get(ORAL))
    acquired = tuple(code for code, mark in marks.items() if mark is not None and mark >= THRESHOLD)
    reasons = [_("Chaque compétence est appréciée seule : %(rule)s", rule=RULE_NO_AVERAGE)]
    for code, mark in marks.items():
        if mark is None:
            reasons.append(_("%(code)s : aucune note des jurés. %(rule)s", code=code, rule=RULE_ALL))
        elif mark < THRESHOLD:
            reasons.append(_("%(code)s : %(mark)s / 5 (moyenne des jurés), en dessous de 3,5 / 5. %(rule)s",
                             code=code, mark=_n(mark), rule=RULE_ALL))
    if oral is None:
        reasons.append(_("Épreuve orale : aucune note des jurés. %(rule)s", rule=RULE_ORAL))
    elif oral < ORAL_MIN:
        reasons.append(_("Épreuve orale : %(mark)s / 20 (moyenne des jurés). %(rule)s", mark=_n(oral),
                         rule=RULE_ORAL))
    success = len(acquired) == len(marks) and oral is not None and oral >= ORAL_MIN
    if success:
        reasons.append(_("Toutes les compétences atteignent 3,5 / 5 et l'épreuve orale 10 / 20 : %(rule)s",
                         rule=RULE_ACQUIRED))
    return DecisionProposal(
        outcome=SUCCESS if success else FAILURE,
        validated_blocks=tuple(b.code for b in certification.blocks) if success else (),
        acquired_competencies=acquired, reasons=tuple(reasons),
        extra={"marks": {k: v for k, v in marks.items() if v is not None},
               "scores": {ORAL: oral} if oral is not None else {}})


# ---------------------------------------------------------------------------
# what the jury may record
# ---------------------------------------------------------------------------

def _mark_problems(cert: Certification, decision: RecordedDecision) -> list[str]:
    problems = []
    for comp in cert.competencies:
        mark = decision.marks.get(comp.code)
        if mark is None:
            problems.append(_("%(code)s : indiquez la note retenue par le jury (sur 5) ; chaque compétence est "
                              "évaluée individuellement.", code=comp.code))
        elif not 0 <= mark <= SCALE:
            problems.append(_("%(code)s : la note %(mark)s doit être comprise entre 0 et 5.", code=comp.code,
                              mark=_n(mark)))
    oral = decision.scores.get(ORAL)
    if oral is None:
        problems.append(_("Épreuve orale : indiquez la note retenue par le jury (sur 20) ; « La soutenance orale "
                          "fait l'objet d'une notation sur 20 points. »"))
    elif not 0 <= oral <= ORAL_MAX:
        problems.append(_("Épreuve orale : la note %(mark)s doit être comprise entre 0 et 20.", mark=_n(oral)))
    return problems


def _outcome_problems(cert: Certification, decision: RecordedDecision) -> list[str]:
    below = [c.code for c in cert.competencies if decision.marks[c.code] < THRESHOLD]
    oral = decision.scores[ORAL]
    problems = []
    if decision.outcome == SUCCESS:
        for code in below:
            problems.append(_("« Certification obtenue » impossible : %(code)s a %(mark)s / 5, en dessous de "
                              "3,5 / 5. %(rule)s", code=code, mark=_n(decision.marks[code]), rule=RULE_ALL))
        if oral < ORAL_MIN:
            problems.append(_("« Certification obtenue » impossible : l'épreuve orale a %(mark)s / 20. %(rule)s",
                              mark=_n(oral), rule=RULE_ORAL))
    elif decision.outcome == FAILURE and not below and oral >= ORAL_MIN:
        problems.append(_("« Certification non obtenue » contredit les règles : chaque compétence atteint 3,5 / 5 "
                          "(%(rule)s) et l'épreuve orale %(mark)s / 20, sans note éliminatoire.",
                          rule=RULE_ACQUIRED, mark=_n(oral)))
    return problems


@hookimpl
def livret_decision_problems(certification: Certification, consolidation: Consolidation,
                             decision: RecordedDecision) -> list[str]:
    """Why the jury may not record ``decision`` (hook, RS6776 only).

    Marks first (all given, within their scale); the outcome is checked
    against them only when they are sound. Absences are core's business."""
    if not consolidation.present or decision.outcome == ABSENT:
        return []
    problems = _mark_problems(certification, decision)
    if problems or decision.outcome not in (SUCCESS, FAILURE):
        return problems
    return _outcome_problems(certification, decision)
