"""Section 2 of the Livret 2: situation actuelle (en poste / sans emploi, with conditional fields)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from forms.base import Section
from forms.fields import ChoiceField, FrenchIntegerField, choices
from forms.sections.common import text
from forms.validators import Range, Required, RequiredIf

SITUATIONS = (("en_poste", _l("Vous êtes actuellement en poste")),
              ("sans_emploi", _l("Vous êtes actuellement sans emploi")))
CONTRATS = (("interim", _l("Intérim")), ("cdd", _l("CDD")), ("cdi", _l("CDI")))
TEMPS = (("temps_plein", _l("Temps plein")), ("temps_partiel", _l("Temps partiel")))
CATEGORIES = (("ouvrier_employe", _l("Ouvrier / Employé")),
              ("profession_intermediaire", _l("Profession intermédiaire")),
              ("cadre", _l("Cadre")), ("autre", _l("Autre")))
OUI_NON = (("oui", _l("Oui")), ("non", _l("Non")))

EN_POSTE = {"situation": "en_poste"}


class SituationSection(Section):
    key = "situation"
    title = _l("Situation actuelle")

    situation = ChoiceField(_l("Votre situation"), [Required()], choices=choices(*SITUATIONS))
    # -- en poste
    fonction = text(_l("Fonction actuellement exercée"), RequiredIf(EN_POSTE), render_kw={
        "autocomplete": "organization-title"})
    etablissement = text(_l("Établissement ou entreprise"), RequiredIf(EN_POSTE),
                         render_kw={"autocomplete": "organization"})
    contrat = ChoiceField(_l("Nature de votre contrat de travail"), [RequiredIf(EN_POSTE)],
                          choices=choices(*CONTRATS))
    temps_travail = ChoiceField(_l("Temps de travail"), [RequiredIf(EN_POSTE)], choices=choices(*TEMPS))
    quotite = FrenchIntegerField(
        _l("Temps partiel : pourcentage d'un temps plein"),
        [RequiredIf({"situation": "en_poste", "temps_travail": "temps_partiel"},
                    message=_l("Précisez le pourcentage de votre temps partiel.")),
         Range(1, 99, message=_l("Indiquez un pourcentage entre 1 et 99."))],
        description=_l("En pourcentage, par exemple 80."), render_kw={"inputmode": "numeric"})
    categorie = ChoiceField(_l("Catégorie socio-professionnelle"), [RequiredIf(EN_POSTE)],
                            choices=choices(*CATEGORIES))
    categorie_autre = text(_l("Autre catégorie : précisez"), RequiredIf(
        {"situation": "en_poste", "categorie": "autre"}, message=_l("Précisez votre catégorie socio-professionnelle.")))
    # -- sans emploi
    inscrit_france_travail = ChoiceField(
        _l("Êtes-vous inscrit(e) à France Travail (ex-Pôle emploi) ?"),
        [RequiredIf("situation", "sans_emploi")], choices=choices(*OUI_NON))
