"""RNCP37827 « Développeur en intelligence artificielle » (Simplon.co).

The data of the certification (blocks, competencies, the 142 criteria of
Annexe 3, évaluations, schedule, rules, jury rules, fee, deadlines, notes) is
in ``referential.toml`` beside this module, transcribed from the « Règlement
spécifique RNCP - Développeur en intelligence artificielle » of SIMPLON.CO and
validated by core's referential schema when the plugin is loaded. The rules
that need code are in ``decision``, ``jury``, ``rules`` and ``sections``.

The names below are views of the loaded descriptor, kept for those modules.
"""
from __future__ import annotations

from pathlib import Path

from core.certifications.referential import load_referential

REFERENTIAL = Path(__file__).with_name("referential.toml")

CERTIFICATION = load_referential(REFERENTIAL)
CODE = CERTIFICATION.code

BLOCKS = CERTIFICATION.blocks
SCHEME = CERTIFICATION.scheme
EVALUATIONS = SCHEME.evaluations
RULES = CERTIFICATION.rules
# Annexe 3 « Décision du jury »: the decision recorded on each individual grid.
JURY_DECISIONS = RULES.outcomes
JURY_RULES = CERTIFICATION.jury_rules
# The figures of the jury rules, for the jury-composition checks.
JURY = CERTIFICATION.extra["jury"]
VAE_OUTCOMES = CERTIFICATION.extra["vae_outcomes"]
TITLE_ORAL = CERTIFICATION.extra["title_oral"]
BLOCK_ORALS = CERTIFICATION.scheme.block_orals
ORAL_EXCHANGE_AIM = CERTIFICATION.extra["oral_exchange_aim"]
# « Attendu » of Annexe 3: one text per évaluation.
EXPECTED = {c.evaluations[0]: c.expected for c in CERTIFICATION.competencies}
