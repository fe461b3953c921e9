"""Section 5 of the Livret 2: fiches descriptives de structure, de poste et d'activité (repeatable)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from forms.base import EntryForm, Section
from forms.fields import BlockChoiceField, CompetencyPickerField, RepeatableField
from forms.sections.common import long_text, text
from forms.validators import AnnexNumbers, Required

MAX_FICHES = 20


class StructureEntry(EntryForm):
    """One "Fiche descriptive de la structure" (the seed's headings)."""

    nom = text(_l("Nom de la structure"), Required(), render_kw={"autocomplete": "organization"})
    statut = long_text(_l("Statut"), Required(), rows=3,
                       description=_l("Forme juridique, secteur public ou privé, association…"))
    activites = long_text(_l("Activités"), Required())
    effectif = text(_l("Effectif"), description=_l("Par exemple : 45 salariés."))
    situation_economique = long_text(_l("Situation économique"), rows=4)
    historique = long_text(_l("Historique"), rows=4)
    localisation = long_text(_l("Localisation"), rows=3)
    environnement = long_text(_l("Environnement"), rows=4)
    demarche_qualite = long_text(_l("Démarche qualité"), rows=4)
    autres = long_text(_l("Autres éléments de présentation"), rows=4)


class FicheStructureSection(Section):
    key = "fiches_structure"
    title = _l("Fiches descriptives de la structure")
    description = _l("Présentez votre structure (Statut, Activités, Effectif, Situation économique, Historique, "
                     "Localisation, Environnement, Démarche qualité, ...).")

    structures = RepeatableField(StructureEntry, _l("Structures"), min_entries=1, max_entries=MAX_FICHES,
                                 entry_label=_l("Fiche structure"))


class PosteEntry(EntryForm):
    """One "Fiche descriptive du poste occupé"."""

    intitule = text(_l("Intitulé du poste"), Required(), render_kw={"autocomplete": "organization-title"})
    structure = text(_l("Structure"), description=_l("Le nom de la structure où vous occupez ce poste."))
    statut = long_text(_l("Statut"), Required(), rows=3)
    place = long_text(_l("Place dans la structure"), rows=4)
    missions = long_text(_l("Missions"), Required())
    marges_initiative = long_text(_l("Marges d'initiatives"), rows=4)
    tutorat_encadrement = long_text(_l("Tutorat / Encadrement"), rows=4)
    evolutions = long_text(_l("Évolutions"), rows=4)
    gestion_imprevus = long_text(_l("Gestion des imprévus"), rows=4)
    autres = long_text(_l("Autres éléments de présentation"), rows=4)


class FichePosteSection(Section):
    key = "fiches_poste"
    title = _l("Fiches descriptives du poste occupé")
    description = _l("Présentez votre poste (Statut, Place dans la structure, Missions, Marges d'initiatives, "
                     "Tutorat/Encadrement, Évolutions, Gestion des imprévus, ...).")

    postes = RepeatableField(PosteEntry, _l("Postes"), min_entries=1, max_entries=MAX_FICHES,
                             entry_label=_l("Fiche poste"))


METHODE_HINT = _l(
    "En vous appuyant sur une ou des situation(s) vécue(s), décrivez la méthode utilisée pour réaliser "
    "l'activité. Vous montrerez comment vous tenez compte : des ressources disponibles (outils, matériel, "
    "informations, connaissances, partenaires...), des contraintes existantes (sécurité, délais, hygiène...), "
    "des relations internes et externes, de la réglementation... Il faut argumenter les choix.")


class ActiviteEntry(EntryForm):
    """One "Fiche descriptive de l'activité exercée et des compétences mises en œuvre", with the seed's table."""

    intitule = text(_l("Intitulé de l'activité"), Required())
    presentation = long_text(_l("Présentation de l'activité"), Required(),
                             description=_l("Contexte, objectif(s), fréquence..."))
    methode = long_text(_l("Méthode utilisée (situation vécue)"), Required(), rows=10, description=METHODE_HINT)
    evaluation = long_text(_l("Comment est évaluée cette activité ?"), Required(), rows=4,
                           description=_l("Auto-évaluation, satisfaction clients/usagers, évaluation "
                                          "hiérarchie..."))
    # -- Tableau descriptif des compétences exercées
    bloc = BlockChoiceField(_l("Bloc de compétences visé"), [Required()])
    competences = CompetencyPickerField(
        _l("Compétence(s) du référentiel visée(s)"), [Required(message=_l("Choisissez au moins une compétence."))],
        block_field="bloc", description=_l("Uniquement des compétences du bloc choisi."))
    mission = text(_l("Intitulé de la mission"), Required())
    organisation = text(_l("Entreprise / organisation / autre"), Required())
    periode = text(_l("Période ou dates"), Required(), description=_l("Par exemple : de mars 2022 à juin 2023."))
    contexte = long_text(_l("Contexte"), Required(), rows=4)
    problematique = long_text(_l("Problématique et enjeux"), Required(), rows=4)
    taches = long_text(_l("Tâches réalisées"), Required())
    moyens = long_text(_l("Moyens mis en œuvre pour la réalisation des tâches"), Required(), rows=4)
    frequence = text(_l("Fréquence de réalisation"), Required(),
                     description=_l("Par exemple : chaque semaine, deux fois par an."))
    resultats = long_text(_l("Résultats"), Required(), rows=4)
    preuves = text(_l("Éléments de preuve"), AnnexNumbers(), description=_l(
        "Indiquez le numéro de la preuve déposée dans les annexes, par exemple : 1, 3, 4."))


class FicheActiviteSection(Section):
    """Needs ``certification=`` for its blocks and competencies."""

    key = "fiches_activite"
    title = _l("Fiches descriptives d'activité et des compétences mises en œuvre")
    description = _l("Une fiche par activité ; le tableau descriptif des compétences exercées se remplit pour "
                     "chaque activité ou mission (répétez la fiche autant de fois que nécessaire).")

    activites = RepeatableField(ActiviteEntry, _l("Activités"), min_entries=1, max_entries=40,
                                entry_label=_l("Fiche activité"))
