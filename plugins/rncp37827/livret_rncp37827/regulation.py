"""Section 2 « Les épreuves certificatives » of the règlement, for the jury (``livret_jury_regulation``).

« Cette partie doit être partagée par le/la responsable de session : […] Aux
jury de certification, au plus tard une semaine avant la session. » Core
attaches it, as a PDF, to each juror's convocation when the session opens; the
rule ``regulation_one_week`` of :mod:`livret_rncp37827.jury` keeps a session
from opening less than a week before it starts.

The document is built from the referential: ``extra.regulation`` (who the
part is shared with, « 5. Grille d'évaluation individuelle », « 6. Procès
verbal de jury »), the blocks, the jury rules (« 1. Le jury »), the
évaluations (« 2. Les cas pratiques », « 3. Les mises en situation
professionnelle ») and the orals (« 4. Soutenance orale du candidat(e) »).
"""
from __future__ import annotations

from flask_babel import gettext as _

from core.certifications.descriptor import Certification, JuryRegulation, RegulationSection
from core.hookspecs import hookimpl

from livret_rncp37827.descriptor import BLOCKS, CERTIFICATION, EVALUATIONS, JURY_RULES, ORAL_EXCHANGE_AIM, SCHEME

REGULATION = CERTIFICATION.extra["regulation"]
CASE_STUDY = "Cas pratique"
SITUATION = "Mise en situation professionnelle"


def _blocks() -> tuple[str, ...]:
    rows = []
    for number, block in enumerate(BLOCKS, start=1):
        codes = [c.code for c in block.competencies]
        rows.append(_("Bloc %(n)d. %(title)s – référence certification partielle : %(ref)s ; modalité "
                      "d'évaluation : %(evaluations)s ; compétences : [%(first)s - %(last)s].", n=number,
                      title=block.title, ref=block.reference, evaluations=" + ".join(block.evaluations),
                      first=codes[0], last=codes[-1]))
    return tuple(rows)


def _evaluations(kind: str, name: str, deliverable: str) -> tuple[RegulationSection, ...]:
    parts = []
    for number, evaluation in enumerate((e for e in EVALUATIONS if e.kind == kind), start=1):
        parts.append(RegulationSection(f"{name} {number} ({evaluation.code})", (
            _("Contenu : %(text)s", text=evaluation.title),
            _("Le/la candidat(e) doit :"),
            tuple(evaluation.candidate_tasks),
            f"{deliverable} : {evaluation.deliverable}",
            _("Évaluation : %(text)s", text=evaluation.assessment),
            _("Compétence(s) visée(s) : %(codes)s.", codes=", ".join(evaluation.competencies)),
        )))
    return tuple(parts)


def _block_orals() -> tuple[RegulationSection, ...]:
    orals = []
    for oral in SCHEME.block_orals:
        lines = []
        for part in oral.parts:
            timed = "min" in part.description  # « Questions du jury (10 min max) » says its time
            lines.append(part.description if timed else _("%(text)s (%(codes)s) (%(n)d min).", text=part.description,
                                                           codes=", ".join(part.evaluations), n=part.minutes))
        orals.append(RegulationSection(_("%(title)s (total %(n)d min)", title=oral.title, n=oral.total_minutes),
                                       (tuple(lines),)))
    return tuple(orals)


def regulation() -> JuryRegulation:
    """The part « Les épreuves certificatives », as the jury receives it."""
    text = REGULATION
    return JuryRegulation(
        title=text["title"], filename=text["filename"],
        content=(text["shared_by"], tuple(text["shared_with"]), text["heading"], _blocks()),
        sections=(
            RegulationSection(_("1. Le jury"), (tuple(rule.text for rule in JURY_RULES),)),
            RegulationSection(_("2. Les cas pratiques"), sections=_evaluations(CASE_STUDY, _("Cas pratique"),
                                                                                 _("Livrable"))),
            RegulationSection(_("3. Les mises en situation professionnelle"),
                              sections=_evaluations(SITUATION, _("Mise en situation"), _("Livrables"))),
            RegulationSection(_("4. Soutenance orale du candidat(e)"), sections=(
                RegulationSection(_("Les épreuves orales pour l'obtention du titre à finalité professionnelle"),
                                  (SCHEME.summary,)),
                RegulationSection(_("Les épreuves orales pour chaque bloc de compétences"),
                                  sections=_block_orals()),
                RegulationSection(_("Objectif de l'échange"), (ORAL_EXCHANGE_AIM,)),
            )),
            RegulationSection(_("5. Grille d'évaluation individuelle"), (tuple(text["grid"]),)),
            RegulationSection(_("6. Procès verbal de jury"), (
                *text["pv"], tuple(text["pv_parts"]), text["pv_filling_title"], tuple(text["pv_filling"]),
                text["pv_use"])),
        ))


@hookimpl
def livret_jury_regulation(certification: Certification) -> JuryRegulation:
    return regulation()
