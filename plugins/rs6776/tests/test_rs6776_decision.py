"""RS6776 decision rules: each competency from 3,5 / 5, the oral eliminatory below 10 / 20, no averaging."""
from __future__ import annotations

import pytest

from core.certifications.descriptor import Consolidation, RecordedDecision
from core.plugins import certification_hook
from livret_rs6776.descriptor import CERTIFICATION

CODES = [c.code for c in CERTIFICATION.competencies]
RULE_ALL = "« Toute compétence non validée entraîne la non-validation de la certification. »"
RULE_ORAL = "« Une note inférieure à 10/20 est éliminatoire. »"


def consolidation(marks=None, oral=(12.0, 14.0), present=True):
    marks = marks or {}
    return Consolidation(present=present, jurors=2,
                         marks={c: tuple(marks.get(c, (4.0, 4.5))) for c in CODES},
                         scores={"ORAL": tuple(oral)} if oral else {})


def recorded(outcome, marks=None, oral=12.0):
    values = {c: 4.0 for c in CODES}
    values.update(marks or {})
    return RecordedDecision(outcome=outcome, marks=values, scores={"ORAL": oral} if oral is not None else {})


@pytest.fixture
def hook(app_ctx):
    """The plugin's hooks as core calls them: only on the plugin declaring the certification."""
    return lambda name: certification_hook(CERTIFICATION, name, app_ctx.extensions["livret"].pm)


def propose(hook, cons):
    return hook("livret_jury_decision")(certification=CERTIFICATION, consolidation=cons)


def problems(hook, decision, cons=None):
    found = []
    for extra in hook("livret_decision_problems")(certification=CERTIFICATION,
                                                  consolidation=cons or consolidation(), decision=decision):
        found.extend(extra or [])
    return found


def test_every_competency_and_the_oral_give_success(hook):
    proposal = propose(hook, consolidation())
    assert proposal.outcome == "acquise"
    assert proposal.acquired_competencies == tuple(CODES)
    assert proposal.validated_blocks == ("RS6776",)
    assert proposal.extra["marks"]["C1"] == 4.25 and proposal.extra["scores"]["ORAL"] == 13.0


def test_one_competency_below_3_5_fails_whatever_the_others(hook):
    # the mean across competencies would be high: it is never used
    proposal = propose(hook, consolidation(marks={"C1": (5.0, 5.0), "C2": (5.0, 5.0), "C3": (3.0, 3.5)}))
    assert proposal.outcome == "non_acquise"
    assert "C3" not in proposal.acquired_competencies
    assert any(r.startswith("C3 : 3,25 / 5") and RULE_ALL in r for r in proposal.reasons)
    assert any("Il n'est pas appliqué de moyenne globale" in r for r in proposal.reasons)


def test_an_oral_below_10_is_eliminatory(hook):
    proposal = propose(hook, consolidation(oral=(9.0, 10.0)))
    assert proposal.outcome == "non_acquise"
    assert proposal.acquired_competencies == tuple(CODES)
    assert any("Épreuve orale : 9,5 / 20" in r and RULE_ORAL in r for r in proposal.reasons)


def test_absent(hook):
    assert propose(hook, consolidation(present=False)).outcome == "absent"
    assert problems(hook, RecordedDecision(outcome="absent"), consolidation(present=False)) == []


def test_sound_decisions_have_no_problem(hook):
    assert problems(hook, recorded("acquise")) == []
    assert problems(hook, recorded("non_acquise", marks={"C2": 3.0})) == []
    assert problems(hook, recorded("non_acquise", oral=8.0)) == []


def test_success_refused_with_a_competency_below_the_threshold(hook):
    found = problems(hook, recorded("acquise", marks={"C4": 3.0}))
    assert found == ["« Certification obtenue » impossible : C4 a 3 / 5, en dessous de 3,5 / 5. " + RULE_ALL]


def test_success_refused_with_an_eliminatory_oral(hook):
    found = problems(hook, recorded("acquise", oral=9.5))
    assert found == ["« Certification obtenue » impossible : l'épreuve orale a 9,5 / 20. " + RULE_ORAL]


def test_failure_refused_when_the_rules_give_success(hook):
    found = problems(hook, recorded("non_acquise"))
    assert len(found) == 1 and found[0].startswith("« Certification non obtenue » contredit les règles")
    assert "3,5 / 5 est atteinte" in found[0]


def test_marks_must_be_given_and_within_their_scale(hook):
    found = problems(hook, RecordedDecision(outcome="acquise", marks={"C1": 6.0}, scores={"ORAL": 21.0}))
    assert "C1 : la note 6 doit être comprise entre 0 et 5." in found
    assert any(m.startswith("C2 : indiquez la note retenue par le jury") for m in found)
    assert "Épreuve orale : la note 21 doit être comprise entre 0 et 20." in found
    found = problems(hook, recorded("acquise", oral=None))
    assert any(m.startswith("Épreuve orale : indiquez la note retenue") for m in found)
