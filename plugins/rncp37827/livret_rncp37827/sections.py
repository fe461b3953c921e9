"""The online Livret 2 VAE of RNCP37827 (Annexe 5 of the règlement), section by section.

The reusable Livret 2 sections come from :mod:`forms.sections`; this module
adds the two that are specific to the title:

* « Votre CV »: the candidate's path (experiences and trainings), with the
  experiences in direct relation with the title highlighted, and the number
  of the annex holding the CV file;
* « Récapitulatif des compétences »: generated from the descriptor, one
  self-assessment per competency C1–C21, grouped by block, with the activity
  sheets and annexes where it is shown.

:func:`livret_dossier_sections` returns the sections in the order of the Livret 2's
« Sommaire » (see the README).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import StopValidation

from core.certifications.descriptor import Certification
from core.dossiers.sections import ANNEXES, CONTENTS, DELIVERABLES, TEXT, SectionSpec
from core.hookspecs import hookimpl
from forms import sections
from forms.base import EntryForm, Section
from forms.fields import ChoiceField, FrenchIntegerField, RepeatableField, choices
from forms.sections.common import long_text, text
from forms.validators import AnnexNumbers, AtLeastOneOf, Range, Required

from livret_rncp37827.descriptor import CERTIFICATION

# --------------------------------------------------------------------------------------------------
# Votre CV
# --------------------------------------------------------------------------------------------------

CV_GUIDANCE = _l("Vous mettrez en valeur votre formation et l'ensemble des activités qui vous ont permis de "
                 "développer et de maîtriser les compétences attendues.")

NATURES = (
    ("experience", _l("Expérience professionnelle")),
    ("formation", _l("Formation")),
    ("autre", _l("Autre expérience (bénévolat, projet personnel, mandat…)")),
)


class ExperienceEntry(EntryForm):
    """One line of the CV: an experience or a training."""

    nature = ChoiceField(_l("Nature"), [Required()], choices=choices(*NATURES))
    periode = text(_l("Période"), Required(), description=_l("Par exemple : de septembre 2021 à juin 2023."))
    organisme = text(_l("Employeur ou organisme de formation"), Required(),
                     render_kw={"autocomplete": "organization"})
    intitule = text(_l("Fonction occupée ou intitulé de la formation"), Required())
    descriptif = long_text(_l("Description"), rows=4, max_chars=3_000,
                            description=_l("Missions, outils et technologies, diplôme ou certificat obtenu…"))
    rapport_direct = BooleanField(_l("En rapport direct avec le diplôme visé"),
                                  description=_l("Cochez cette case pour souligner cette expérience auprès du "
                                                 "jury."))


class AtLeastOneHighlighted:
    """On the CV's list: at least one entry is marked « En rapport direct avec le diplôme visé »."""

    requirement = True  # a draft may be saved before anything is highlighted

    def __call__(self, form, field) -> None:
        if not any(entry.form.rapport_direct.data for entry in field.entries):
            raise StopValidation(_("Soulignez au moins une expérience ou formation en rapport direct avec le "
                                   "diplôme visé (cochez la case correspondante)."))


class CvSection(Section):
    key = "cv"
    title = _l("Votre CV")
    template = "rncp37827/sections/cv.html"
    description = CV_GUIDANCE

    parcours = RepeatableField(
        ExperienceEntry, _l("Vos expériences et formations"), [AtLeastOneHighlighted()], min_entries=1,
        max_entries=60, entry_label=_l("Expérience ou formation"),
        add_label=_l("Ajouter une expérience ou une formation"),
        remove_label=_l("Supprimer cette expérience ou formation"),
        description=_l("Vous soulignez les expériences en rapport direct avec le diplôme visé."))
    annexe_cv = FrenchIntegerField(
        _l("Numéro de l'annexe contenant votre CV"),
        [Required(), Range(1, 999, message=_l("Indiquez un numéro d'annexe entre 1 et 999."))],
        render_kw={"inputmode": "numeric"},
        description=_l("Déposez le fichier de votre CV sur la page des annexes en le désignant comme CV, puis "
                       "indiquez ici le numéro qu'il a reçu (par exemple : 1)."))


# --------------------------------------------------------------------------------------------------
# Récapitulatif des compétences (generated from the descriptor)
# --------------------------------------------------------------------------------------------------

MASTERED, PARTLY, NOT_YET = "maitrise", "partielle", "non_maitrisee"
LEVELS = (
    (MASTERED, _l("Je maîtrise cette compétence")),
    (PARTLY, _l("Je la maîtrise en partie")),
    (NOT_YET, _l("Je ne la maîtrise pas encore")),
)
CLAIMED = (MASTERED, PARTLY)


def level_field(code: str) -> str:
    return f"{code.lower()}_niveau"


def sheets_field(code: str) -> str:
    return f"{code.lower()}_fiches"


def annexes_field(code: str) -> str:
    return f"{code.lower()}_annexes"


class RecapitulatifBase(Section):
    """Base of the generated récapitulatif; ``layout`` is ``((block, (competency, ...)), ...)``."""

    key = "recapitulatif"
    title = _l("Récapitulatif des compétences")
    template = "rncp37827/sections/recapitulatif.html"
    description = _l("Pour chaque compétence du référentiel, indiquez votre niveau de maîtrise et, lorsque vous "
                     "la maîtrisez au moins en partie, les fiches d'activité et les annexes où vous la "
                     "démontrez.")
    layout: tuple = ()

    def rows(self):
        """``[(block_number, block, [(competency, level, sheets, annexes fields)])]`` for the template."""
        out = []
        for number, (block, competencies) in enumerate(self.layout, start=1):
            out.append((number, block, [(c, self[level_field(c.code)], self[sheets_field(c.code)],
                                         self[annexes_field(c.code)]) for c in competencies]))
        return out


def build_recapitulatif(certification: Certification) -> type[Section]:
    """A Section class with, per competency, a level choice and the sheet / annex numbers where it is shown."""
    attrs: dict = {"layout": tuple((b, tuple(b.competencies)) for b in certification.blocks)}
    for block in certification.blocks:
        for comp in block.competencies:
            level, sheets, annexes = level_field(comp.code), sheets_field(comp.code), annexes_field(comp.code)
            attrs[level] = ChoiceField(
                f"{comp.code} – {comp.title}",
                [Required(message=_l("Indiquez votre niveau de maîtrise de la compétence %(code)s.",
                                     code=comp.code))],
                choices=choices(*LEVELS))
            attrs[sheets] = text(
                _l("Fiche(s) d'activité où vous mettez en œuvre %(code)s", code=comp.code),
                AtLeastOneOf(annexes, when={level: CLAIMED}, message=_l(
                    "Indiquez au moins une fiche d'activité ou une annexe où vous démontrez la compétence "
                    "%(code)s.", code=comp.code)),
                AnnexNumbers(), max_chars=100,
                description=_l("Numéros des fiches d'activité, par exemple : 1, 2."))
            attrs[annexes] = text(
                _l("Annexe(s) prouvant %(code)s", code=comp.code), AnnexNumbers(), max_chars=100,
                description=_l("Numéros des annexes, par exemple : 3, 4."))
    return type("RecapitulatifSection", (RecapitulatifBase,), attrs)


RecapitulatifSection = build_recapitulatif(CERTIFICATION)


# --------------------------------------------------------------------------------------------------
# The dossier
# --------------------------------------------------------------------------------------------------

ANNEXES_INTRO = _l("En appui au livret 2, le jury est attentif à tout ce qui émane de l'expérience acquise. Tout "
                   "élément de preuve faisant ressortir les objectifs fixés et atteints peut être présenté "
                   "(numéroter les annexes).")


PROJECT = _l("Votre projet VAE")  # Annexe 5, part 5 of the « Sommaire »


def _interview(certification: Certification) -> str:
    """Annexe 5, part 7: how the interview goes and its four possible outcomes, in the seed's words."""
    extra = certification.extra
    lines = [f"• {line}" for line in extra.get("vae_interview") or ()]
    outcomes = [f"{i}. {o.label}" + (f" ({o.description[0].lower()}{o.description[1:].rstrip('.')})"
                                     if o.description and i == 1 else
                                     f" : {o.description[0].lower()}{o.description[1:]}" if o.description else "")
                for i, o in enumerate(extra.get("vae_outcomes") or (), start=1)]
    parts = ["\n".join(lines), "Décision finale (4 issues possibles) :\n" + "\n".join(outcomes),
             str(extra.get("vae_jury_sovereign") or "")]
    return "\n\n".join(p for p in parts if p)


@hookimpl
def livret_dossier_sections(certification: Certification) -> list[SectionSpec]:
    """The sections of the Livret 2, laid out as Annexe 5's « Sommaire » (8 parts, part 5 « Votre projet VAE »
    with its 6 sub-parts, part 7 the interview) and its « Contenu de ce livret » (8 rows, in the seed's words).
    Titles are translated at call time."""
    none = {"contents_label": ""}  # not a row of « Contenu de ce livret »
    project = {"part": str(PROJECT)}
    return [
        SectionSpec("etat_civil", _("État civil"), form=sections.get("etat_civil"), options=none),
        SectionSpec("situation", _("Situation actuelle"), form=sections.get("situation"), options=none),
        SectionSpec("financement", _("Financement envisagé"), form=sections.get("financement"), options=none),
        SectionSpec("engagement", _("Engagement"), form=sections.get("engagement"), options={**none, "sub": True}),
        SectionSpec("contenu", _("Contenu de ce livret"), kind=CONTENTS, required=False,
                    intro=_("Le tableau des documents de votre livret est calculé à partir de ce que vous "
                            "avez rempli et déposé.")),
        SectionSpec("lettre_motivation", _("Votre lettre de motivation"), form=sections.get("lettre_motivation"),
                    options={**project, "contents_label": "Votre lettre de motivation"}),
        SectionSpec("cv", _("Votre CV"), form=CvSection, options={
            **project, "contents_label": "Votre CV", "contents_count": 1,
            "contents_after": ["Vous soulignez les expériences en rapport direct avec le diplôme visé"]}),
        SectionSpec("fiches_structure", _("Fiche(s) descriptive(s) de la structure"),
                    form=sections.get("fiches_structure"),
                    options={**project, "contents_label": "Fiche(s) descriptive(s) de votre (vos) structure(s)"}),
        SectionSpec("fiches_poste", _("Fiche(s) descriptive(s) du poste occupé"),
                    form=sections.get("fiches_poste"),
                    options={**project,
                             "contents_label": "Fiche(s) descriptive(s) de votre (vos) poste(s) occupé(s)"}),
        SectionSpec("recapitulatif", _("Récapitulatif des compétences"), form=RecapitulatifSection,
                    options={**project, **none}),
        SectionSpec("fiches_activite", _("Fiche(s) descriptive(s) d'activité"), form=sections.get("fiches_activite"),
                    options={**project,
                             "contents_label": "Fiche(s) descriptive(s) de votre (vos) activité(s) et compétences"}),
        SectionSpec("annexes", _("Annexes"), kind=ANNEXES, intro=str(ANNEXES_INTRO),
                    options={"min_annexes": 1, "require_coverage": True,
                             "contents_label": "Si besoin Annexes (Modèles de documents, tableaux, photos, "
                                               "schémas ...)"}),
        SectionSpec("entretien", str(certification.extra.get("vae_interview_title")
                                     or "L'entretien devant le jury de la VAE"),
                    kind=TEXT, required=False, intro=_interview(certification), options=none),
        SectionSpec("declaration_honneur", _("Déclaration sur l'honneur"),
                    form=sections.get("declaration_honneur"),
                    options={"contents_label": "Déclaration sur l'honneur", "contents_count": 1}),
        # the training route only (routes.formation.sections): the deliverables of Annexe 1
        SectionSpec("livrables", _("Livrables des épreuves"), kind=DELIVERABLES,
                    intro=_("L'ensemble des livrables est transmis au jury au plus tard 5 jours avant la date de "
                            "session. Un projet unique peut être présenté pour E1, E3, E4.")),
    ]
