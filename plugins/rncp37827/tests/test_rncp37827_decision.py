"""RNCP37827 decision rules: the proposal computed from the grids and the decisions the jury may record."""
from __future__ import annotations

import pytest

from core.certifications.descriptor import Consolidation, RecordedDecision
from core.plugins import certification_hook
from livret_rncp37827.descriptor import CERTIFICATION

BLOCKS = ("BC01", "BC02", "BC03")
RULE_TITLE = "« Pour obtenir le titre, le candidat doit valider les trois (3) blocs de compétences. »"


def consolidation(validated=(), met=(), jurors=2, present=True, split=()):
    """Two jurors; ``validated`` blocks proposed by both, ``split`` blocks by one only;
    every criterion of the ``met`` competencies met by both, the others not met."""
    blocks = {b: {"validated": jurors if b in validated else (1 if b in split else 0),
                  "not_validated": 0 if b in validated else (jurors - 1 if b in split else jurors)} for b in BLOCKS}
    criteria = {}
    for comp in CERTIFICATION.competencies:
        for crit in comp.criteria:
            criteria[crit.code] = {"met": jurors, "not_met": 0} if comp.code in met else {"met": 0, "not_met": jurors}
    return Consolidation(present=present, jurors=jurors, criteria=criteria, blocks=blocks)


def block_competencies(*codes):
    return [c.code for b in CERTIFICATION.blocks if b.code in codes for c in b.competencies]


@pytest.fixture
def hook(app_ctx):
    """The plugin's hooks as core calls them: only on the plugin declaring the certification."""
    return lambda name: certification_hook(CERTIFICATION, name, app_ctx.extensions["livret"].pm)


def propose(hook, cons):
    return hook("livret_jury_decision")(certification=CERTIFICATION, consolidation=cons)


def problems(hook, cons, **decision):
    found = []
    for extra in hook("livret_decision_problems")(certification=CERTIFICATION, consolidation=cons,
                                                  decision=RecordedDecision(**decision)):
        found.extend(extra or [])
    return found


def test_three_blocks_give_admis_and_total_validation_of_the_title(hook):
    proposal = propose(hook, consolidation(validated=BLOCKS, met=block_competencies(*BLOCKS)))
    assert proposal.outcome == "admis"
    assert proposal.validated_blocks == BLOCKS
    assert proposal.extra["vae_outcome"] == "validation_totale_titre"
    assert any(RULE_TITLE in r for r in proposal.reasons)


def test_some_blocks_give_partial_admission_and_ties_do_not_validate(hook):
    proposal = propose(hook, consolidation(validated=("BC01",), split=("BC02",), met=block_competencies("BC01")))
    assert proposal.outcome == "admission_partielle"
    assert proposal.validated_blocks == ("BC01",)  # BC02: one juror of two, a tie
    assert proposal.extra["vae_outcome"] == "validation_totale_blocs"
    assert any("BC02 non validé : proposé par 1 juré(s) sur 2" in r for r in proposal.reasons)


def test_no_block_but_competencies_gives_non_admis_with_partial_validation(hook):
    proposal = propose(hook, consolidation(met=("C1", "C2")))
    assert proposal.outcome == "non_admis"
    assert proposal.acquired_competencies == ("C1", "C2")
    assert proposal.extra["vae_outcome"] == "validation_partielle"
    assert proposal.extra["remaining"].startswith("Compétences restant à acquérir : C3, C4")
    assert "C1," not in proposal.extra["remaining"]


def test_nothing_acquired_gives_non_validation_and_absent_gives_absent(hook):
    proposal = propose(hook, consolidation())
    assert (proposal.outcome, proposal.extra["vae_outcome"]) == ("non_admis", "non_validation")
    assert propose(hook, consolidation(present=False)).outcome == "absent"


def test_a_sound_decision_has_no_problem(hook):
    cons = consolidation(validated=("BC01",))
    assert problems(hook, cons, outcome="admission_partielle", validated_blocks=("BC01",), comment="BC02 et BC03 à "
                    "représenter.", vae_outcome="validation_totale_blocs") == []
    assert problems(hook, cons, outcome="admis", validated_blocks=BLOCKS, vae_outcome="validation_totale_titre") == []
    # the jury is sovereign: it may validate a block the majority did not propose, within the rules
    assert problems(hook, cons, outcome="admis", validated_blocks=BLOCKS) == []


def test_admis_requires_the_three_blocks(hook):
    found = problems(hook, consolidation(), outcome="admis", validated_blocks=("BC01", "BC02"))
    assert any(m.startswith("« Admis » exige la validation des trois blocs") and RULE_TITLE in m for m in found)


def test_partial_admission_requires_some_not_all_blocks_and_a_comment(hook):
    found = problems(hook, consolidation(), outcome="admission_partielle", validated_blocks=())
    assert any("« Admission partielle » exige au moins un bloc validé" in m for m in found)
    assert any("les commentaires sont obligatoires (Annexe 3 : « Commentaires (optionnel à renseigner "
               "obligatoirement si admission partielle ou non admis) »)" in m for m in found)
    found = problems(hook, consolidation(), outcome="admission_partielle", validated_blocks=BLOCKS, comment="x")
    assert any("sans les valider tous" in m for m in found)


def test_non_admis_validates_no_block_and_needs_a_comment(hook):
    found = problems(hook, consolidation(), outcome="non_admis", validated_blocks=("BC03",))
    assert any("« Non admis » ne peut valider aucun bloc" in m and "BC03" in m for m in found)
    assert any("« Non admis » : les commentaires sont obligatoires" in m for m in found)


def test_vae_outcome_must_agree_with_the_blocks(hook):
    cons = consolidation()
    found = problems(hook, cons, outcome="admission_partielle", validated_blocks=("BC01",), comment="x",
                     vae_outcome="validation_totale_titre")
    assert any("exige les trois blocs validés" in m and RULE_TITLE in m for m in found)
    found = problems(hook, cons, outcome="admis", validated_blocks=BLOCKS, vae_outcome="validation_totale_blocs")
    assert any("l'issue de l'entretien VAE est « Validation totale des compétences pour l'obtention de la "
               "certification »" in m for m in found)
    found = problems(hook, cons, outcome="admission_partielle", validated_blocks=("BC01",), comment="x",
                     vae_outcome="non_validation")
    assert any("ne s'applique que si aucun bloc n'est validé" in m for m in found)
    found = problems(hook, cons, outcome="non_admis", comment="x", vae_outcome="validation_partielle")
    assert any("indiquez ce qui reste à acquérir" in m and "le jury indique les compétences/expériences à acquérir"
               in m for m in found)
    found = problems(hook, cons, outcome="non_admis", comment="", vae_outcome="non_validation")
    assert any("« Non validation » : motivez les raisons" in m for m in found)
    assert any("Issue de l'entretien VAE inconnue" in m
               for m in problems(hook, cons, outcome="non_admis", comment="x", vae_outcome="bof"))


def test_absence_is_left_to_core(hook):
    assert problems(hook, consolidation(present=False), outcome="absent") == []
    found = problems(hook, consolidation(present=False), outcome="admis", validated_blocks=BLOCKS)
    assert found == ["Le candidat ou la candidate est absent ou absente : la seule décision possible est « Absent ou absente »."]
