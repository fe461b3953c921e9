"""The online dossier of RS6776: identity, the training followed, the written test (6 practical cases).

The règlement (sections 2 and 3) says the written test is « un écrit à rendre
sous 10 jours après la fin de la formation, basé sur 6 cas pratiques », each
case matching one competency of the référentiel. The case fieldsets are
generated from the descriptor's competencies (C1..C6, whose titles may still
be provisional: see ``referential.toml``).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import ValidationError

from core.certifications.descriptor import Certification
from core.dossiers.sections import ANNEXES, SectionSpec
from core.hookspecs import hookimpl
from forms import sections
from forms.base import Section
from forms.fields import FrenchDateField
from forms.sections.common import long_text, text
from forms.validators import AnnexNumbers, MustBeChecked, NotInFuture, Required

from livret_rs6776.descriptor import CERTIFICATION

WRITTEN_DEADLINE = "written_after_training"


def written_deadline(certification: Certification):
    """The descriptor's :class:`Deadline` for returning the written test (``None`` if it has none)."""
    return next((d for d in certification.deadlines if d.key == WRITTEN_DEADLINE), None)

# --------------------------------------------------------------------------------------------------
# Identité: the Livret 2 « état civil », under the title used for RS6776
# --------------------------------------------------------------------------------------------------


class IdentiteSection(sections.EtatCivilSection):
    """Same fields and template as the état civil (key ``etat_civil``), titled « Identité »."""

    title = _l("Identité")


# --------------------------------------------------------------------------------------------------
# Formation suivie
# --------------------------------------------------------------------------------------------------


class NotBeforeField:
    """A date on or after the date of a sibling field (checked on drafts too: it is about what was typed)."""

    def __init__(self, other: str, message) -> None:
        self.other = other
        self.message = message

    def __call__(self, form, field) -> None:
        other = form[self.other].data if self.other in form else None
        if isinstance(field.data, dt.date) and isinstance(other, dt.date) and field.data < other:
            raise ValidationError(str(self.message))


class FormationSection(Section):
    key = "formation"
    title = _l("Formation suivie")
    description = _l("L'épreuve écrite est à rendre au plus tard %(days)d jours après la fin de la formation : "
                     "la date de fin de la formation fixe la date limite de rendu.",
                     days=written_deadline(CERTIFICATION).days)

    organisme = text(_l("Organisme de formation"), Required(), render_kw={"autocomplete": "organization"})
    intitule = text(_l("Intitulé de la formation"), Required(), max_chars=300)
    date_debut = FrenchDateField(_l("Date de début de la formation"), [Required(), NotInFuture()])
    date_fin = FrenchDateField(
        _l("Date de fin de la formation"),
        [Required(), NotInFuture(message=_l("La date de fin de la formation ne peut pas être dans le futur : "
                                            "ouvrez votre dossier une fois la formation terminée.")),
         NotBeforeField("date_debut", _l("La date de fin ne peut pas être antérieure à la date de début."))])
    numero_cpf = text(_l("Numéro de dossier CPF"), max_chars=40,
                      description=_l("Facultatif : si votre formation est financée par votre compte personnel "
                                     "de formation (CPF)."))


# --------------------------------------------------------------------------------------------------
# Épreuve écrite: the six practical cases (generated from the descriptor)
# --------------------------------------------------------------------------------------------------


def answer_field(code: str) -> str:
    return f"{code.lower()}_reponse"


def evidence_field(code: str) -> str:
    return f"{code.lower()}_preuves"


class EpreuveEcriteBase(Section):
    """Base of the generated written test; ``cases`` is ``((number, competency), ...)``."""

    key = "epreuve_ecrite"
    title = _l("Épreuve écrite : les %(n)d cas pratiques", n=len(CERTIFICATION.competencies))
    template = "rs6776/sections/epreuve_ecrite.html"
    description = _l("Chaque cas pratique correspond à une compétence du référentiel de la certification. "
                     "Répondez à chaque cas et indiquez les annexes qui en apportent la preuve.")
    cases: tuple = ()

    def rows(self):
        """``[(number, competency, answer field, evidence field)]`` for the template."""
        return [(n, c, self[answer_field(c.code)], self[evidence_field(c.code)]) for n, c in self.cases]


def build_epreuve_ecrite(certification: Certification) -> type[Section]:
    cases = tuple(enumerate(certification.competencies, start=1))
    attrs: dict = {"cases": cases}
    for number, comp in cases:
        attrs[answer_field(comp.code)] = long_text(
            _l("Votre réponse au cas pratique %(n)d", n=number), Required(), max_chars=30_000, rows=14)
        attrs[evidence_field(comp.code)] = text(
            _l("Éléments de preuve du cas pratique %(n)d (numéros d'annexes)", n=number),
            Required(message=_l("Indiquez au moins une annexe qui prouve votre réponse au cas pratique %(n)d.",
                                n=number)),
            AnnexNumbers(), max_chars=100,
            description=_l("Numéros des annexes déposées, séparés par des virgules, par exemple : 1, 3."))
    return type("EpreuveEcriteSection", (EpreuveEcriteBase,), attrs)


EpreuveEcriteSection = build_epreuve_ecrite(CERTIFICATION)


# --------------------------------------------------------------------------------------------------
# Déclaration sur l'honneur: the Livret 2 one, worded for a certification exam rather than a VAE
# --------------------------------------------------------------------------------------------------


class DeclarationSection(sections.DeclarationHonneurSection):
    connaissance_fraudes = BooleanField(
        _l("avoir pris connaissance des informations relatives à la fraude aux épreuves de certification ;"),
        [MustBeChecked()])
    exactitude = BooleanField(
        _l("attester de l'exactitude de toutes les informations figurant dans le présent dossier."),
        [MustBeChecked()])


# --------------------------------------------------------------------------------------------------
# The dossier
# --------------------------------------------------------------------------------------------------


@hookimpl
def livret_dossier_sections(certification: Certification) -> list[SectionSpec]:
    """The sections of the RS6776 dossier, titles translated at call time."""
    return [
        SectionSpec("etat_civil", _("Identité"), form=IdentiteSection),
        SectionSpec("formation", _("Formation suivie"), form=FormationSection),
        SectionSpec("epreuve_ecrite", _("Épreuve écrite : les %(n)d cas pratiques", n=len(EpreuveEcriteSection.cases)),
                    form=EpreuveEcriteSection,
                    # the annexes cited by each case are evidence of its competency (coverage)
                    options={"annex_citations": {evidence_field(c.code): c.code
                                                 for _n, c in EpreuveEcriteSection.cases}}),
        SectionSpec("annexes", _("Annexes"), kind=ANNEXES,
                    intro=_("Déposez ici les pièces qui prouvent vos réponses aux cas pratiques, puis indiquez "
                            "leurs numéros dans chaque cas."),
                    options={"min_annexes": 1, "require_coverage": True}),
        SectionSpec("declaration_honneur", _("Déclaration sur l'honneur"), form=DeclarationSection),
    ]
