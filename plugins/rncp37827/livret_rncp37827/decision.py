"""Decision rules of RNCP37827: what the grids give, and what the jury may record.

Sources (règlement spécifique): section 1 « Modalités d'acquisition du titre »
(each block on its own, the title with the three blocks), Annexe 3
« Décision du jury » (Admis / Non admis / Admission partielle, comments
mandatory for a partial admission and a refusal) and Annexe 5 section 7 (the
four outcomes of a VAE interview). Every refusal message quotes the rule it
applies.

The computed proposal: a block is validated when a strict majority of the
jurors who completed their grid propose it (a tie does not validate); a
competency is acquired when each of its criteria is met for a strict
majority of them. The jury is sovereign (« Le jury de VAE est souverain. »):
it may amend the proposal as long as the decision stays consistent with
the rules below.
"""
from __future__ import annotations

from flask_babel import gettext as _

from core.certifications.descriptor import Certification, Consolidation, DecisionProposal, RecordedDecision
from core.hookspecs import hookimpl

ABSENT = "absent"
ADMIS, PARTIAL, NON_ADMIS = "admis", "admission_partielle", "non_admis"
VAE_TITLE, VAE_BLOCKS, VAE_PARTIAL, VAE_NONE = (
    "validation_totale_titre", "validation_totale_blocs", "validation_partielle", "non_validation")

RULE_TITLE = "« Pour obtenir le titre, le candidat doit valider les trois (3) blocs de compétences. »"
RULE_BLOCKS = "« Chaque bloc de compétence peut être validé de façon autonome. »"
RULE_COMMENTS = ("Annexe 3 : « Commentaires (optionnel à renseigner obligatoirement si admission partielle ou "
                 "non admis) »")
RULE_VAE = "Annexe 5, « Décision finale (4 issues possibles) »"


def _majority(votes: dict[str, int] | None, yes: str, jurors: int) -> bool:
    """Strictly more than half of the jurors answered ``yes`` (a tie is not a majority)."""
    return jurors > 0 and (votes or {}).get(yes, 0) * 2 > jurors


def validated_blocks(cert: Certification, consolidation: Consolidation) -> tuple[str, ...]:
    return tuple(b.code for b in cert.blocks
                 if _majority(consolidation.blocks.get(b.code), "validated", consolidation.jurors))


def acquired_competencies(cert: Certification, consolidation: Consolidation) -> tuple[str, ...]:
    return tuple(c.code for c in cert.competencies if c.criteria and all(
        _majority(consolidation.criteria.get(k.code), "met", consolidation.jurors) for k in c.criteria))


def _block_reasons(cert: Certification, consolidation: Consolidation, validated: tuple[str, ...]) -> list[str]:
    reasons = []
    for block in cert.blocks:
        votes = (consolidation.blocks.get(block.code) or {}).get("validated", 0)
        if block.code in validated:
            reasons.append(_("%(code)s validé : proposé par %(n)d juré(s) sur %(total)d.",
                             code=block.code, n=votes, total=consolidation.jurors))
        else:
            reasons.append(_("%(code)s non validé : proposé par %(n)d juré(s) sur %(total)d (une majorité est "
                             "nécessaire).", code=block.code, n=votes, total=consolidation.jurors))
    return reasons


def remaining_text(cert: Certification, acquired: tuple[str, ...]) -> str:
    """« Compétences restant à acquérir : C2, C5. » (what the jury tells a partial validation)."""
    missing = [c.code for c in cert.competencies if c.code not in acquired]
    return _("Compétences restant à acquérir : %(codes)s.", codes=", ".join(missing)) if missing else ""


@hookimpl
def livret_jury_decision(certification: Certification, consolidation: Consolidation) -> DecisionProposal:
    """The decision the grids give (hook: called by core for RNCP37827 only)."""
    if not consolidation.present:
        return DecisionProposal(outcome=ABSENT, reasons=(_("Le candidat ou la candidate était absent ou absente."),))
    validated = validated_blocks(certification, consolidation)
    acquired = acquired_competencies(certification, consolidation)
    reasons = _block_reasons(certification, consolidation, validated)
    remaining = ""
    if len(validated) == len(certification.blocks):
        outcome, vae = ADMIS, VAE_TITLE
        reasons.append(_("Les trois blocs sont validés : %(rule)s", rule=RULE_TITLE))
    elif validated:
        outcome, vae = PARTIAL, VAE_BLOCKS
        reasons.append(_("Une partie des blocs est validée : %(rule)s %(title)s", rule=RULE_BLOCKS, title=RULE_TITLE))
    else:
        outcome = NON_ADMIS
        vae = VAE_PARTIAL if acquired else VAE_NONE
        remaining = remaining_text(certification, acquired) if acquired else ""
        if acquired:
            reasons.append(_("Aucun bloc n'est validé, mais des compétences sont acquises (%(codes)s) : "
                             "validation partielle.", codes=", ".join(acquired)))
        else:
            reasons.append(_("Aucun bloc n'est validé et aucune compétence n'est acquise."))
    return DecisionProposal(outcome=outcome, validated_blocks=validated, acquired_competencies=acquired,
                            reasons=tuple(reasons), extra={"vae_outcome": vae, "remaining": remaining})


# ---------------------------------------------------------------------------
# what the jury may record
# ---------------------------------------------------------------------------

def _outcome_problems(decision: RecordedDecision, blocks: set[str], all_blocks: set[str]) -> list[str]:
    problems = []
    if decision.outcome == ADMIS and blocks != all_blocks:
        problems.append(_("« Admis » exige la validation des trois blocs de compétences : %(rule)s",
                          rule=RULE_TITLE))
    elif decision.outcome == PARTIAL and (not blocks or blocks == all_blocks):
        problems.append(_("« Admission partielle » exige au moins un bloc validé, sans les valider tous "
                          "(avec les trois blocs, le candidat est admis) : %(rule)s %(title)s",
                          rule=RULE_BLOCKS, title=RULE_TITLE))
    elif decision.outcome == NON_ADMIS and blocks:
        problems.append(_("« Non admis » ne peut valider aucun bloc : choisissez « Admission partielle » pour "
                          "valider %(codes)s. %(rule)s", codes=", ".join(sorted(blocks)), rule=RULE_BLOCKS))
    if decision.outcome in (PARTIAL, NON_ADMIS) and not decision.comment.strip():
        label = _("Admission partielle") if decision.outcome == PARTIAL else _("Non admis")
        problems.append(_("« %(label)s » : les commentaires sont obligatoires (%(rule)s).",
                          label=label, rule=RULE_COMMENTS))
    return problems


def _vae_problems(cert: Certification, decision: RecordedDecision, blocks: set[str],
                  all_blocks: set[str]) -> list[str]:
    vae = decision.vae_outcome
    if not vae:
        return []
    known = {o.code: o.label for o in cert.extra.get("vae_outcomes", ())}
    if vae not in known:
        return [_("Issue de l'entretien VAE inconnue : choisissez parmi %(choices)s (%(rule)s).",
                  choices=", ".join(f"« {label} »" for label in known.values()), rule=RULE_VAE)]
    label = known[vae]
    problems = []
    if vae == VAE_TITLE and blocks != all_blocks:
        problems.append(_("« %(label)s » exige les trois blocs validés : %(rule)s", label=label, rule=RULE_TITLE))
    if vae != VAE_TITLE and blocks == all_blocks:
        problems.append(_("Les trois blocs sont validés : l'issue de l'entretien VAE est « %(title)s » (%(rule)s).",
                          title=known[VAE_TITLE], rule=RULE_VAE))
    if vae == VAE_BLOCKS and (not blocks or blocks == all_blocks):
        problems.append(_("« %(label)s » exige un ou plusieurs blocs validés, sans les valider tous (%(rule)s).",
                          label=label, rule=RULE_VAE))
    if vae in (VAE_PARTIAL, VAE_NONE) and blocks:
        problems.append(_("« %(label)s » ne s'applique que si aucun bloc n'est validé : avec %(codes)s validé(s), "
                          "l'issue est « %(blocks)s » (%(rule)s).", label=label, codes=", ".join(sorted(blocks)),
                          blocks=known[VAE_BLOCKS], rule=RULE_VAE))
    if vae == VAE_PARTIAL and not decision.remaining.strip():
        problems.append(_("« %(label)s » : indiquez ce qui reste à acquérir (%(rule)s : « le jury indique les "
                          "compétences/expériences à acquérir »).", label=label, rule=RULE_VAE))
    if vae == VAE_NONE and not decision.comment.strip():
        problems.append(_("« %(label)s » : motivez les raisons dans les commentaires (%(rule)s : « le jury motive "
                          "les raisons »).", label=label, rule=RULE_VAE))
    return problems


@hookimpl
def livret_decision_problems(certification: Certification, consolidation: Consolidation,
                             decision: RecordedDecision) -> list[str]:
    """Why the jury may not record ``decision`` (hook, RNCP37827 only); each message quotes its rule.

    Absences are core's business (the only decision for an absent candidate is « Absent ou absente »)."""
    if not consolidation.present or decision.outcome == ABSENT:
        return []
    all_blocks = {b.code for b in certification.blocks}
    blocks = set(decision.validated_blocks) & all_blocks
    return (_outcome_problems(decision, blocks, all_blocks)
            + _vae_problems(certification, decision, blocks, all_blocks))
