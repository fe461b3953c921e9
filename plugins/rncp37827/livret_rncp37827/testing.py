"""Sample data of the RNCP37827 Livret 2 for tests: complete sections as a candidate types them, and the
way a browser posts them.

Shared by the plugin's tests (``plugins/rncp37827/tests``) and core's browser journeys
(``tests/browser``): importable from both as part of the installed plugin, like ``core.testing``.
Nothing here runs in production.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from werkzeug.datastructures import MultiDict

from livret_rncp37827.descriptor import CERTIFICATION

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")

LETTER = ("Depuis cinq ans, je conçois des chaînes de collecte de données et j'intègre des modèles "
          "d'apprentissage automatique dans les applications de la métropole. Je souhaite faire "
          "reconnaître ces compétences par le titre de développeur en intelligence artificielle.")

EMPLOYER_FINANCING = {
    "mode": "plan_competences", "entreprise_adresse": "20 rue du Lac, 69003 Lyon",
    "entreprise_siret": "732 829 320 00074", "signataire_nom": "Paul Durand",
    "signataire_fonction": "Directeur des ressources humaines",
}


def activity(**overrides: Any) -> dict[str, Any]:
    """A complete activity sheet of block 1 (C1, C3; evidence: annex 2); ``overrides`` replace fields."""
    sheet = {
        "intitule": "Collecte automatisée des données de trafic",
        "presentation": "Alimenter chaque nuit l'entrepôt de données de la métropole à partir de quatre sources.",
        "methode": "J'ai recensé les sources avec l'équipe mobilité, choisi Airflow pour l'orchestration et écrit "
                   "les scripts d'extraction en Python en tenant compte des quotas de l'API et du RGPD.",
        "evaluation": "Revue de code par le responsable technique et suivi des taux d'échec des traitements.",
        "bloc": "BC01", "competences": ["C1", "C3"],
        "mission": "Plateforme de données mobilité", "organisation": "Métropole de Lyon",
        "periode": "de mars 2022 à juin 2023",
        "contexte": "Données dispersées entre une API REST, des fichiers CSV et une base PostgreSQL.",
        "problematique": "Disposer chaque matin d'un jeu de données fiable pour les tableaux de bord.",
        "taches": "Scripts d'extraction, scraping du site des travaux, agrégation et nettoyage.",
        "moyens": "Python, Airflow, PostgreSQL, Git.", "frequence": "Chaque nuit",
        "resultats": "Taux d'échec passé de 12 % à 0,5 %.", "preuves": "2",
    }
    sheet.update(overrides)
    return sheet


def recap(claimed: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """Every competency answered; ``claimed`` maps a code to (level, sheets, annexes), others « pas encore »."""
    values = {}
    for comp in CERTIFICATION.competencies:
        level, sheets, annexes = claimed.get(comp.code, ("non_maitrisee", "", ""))
        code = comp.code.lower()
        values.update({f"{code}_niveau": level, f"{code}_fiches": sheets, f"{code}_annexes": annexes})
    return values


def complete_sections(*, last_name: str = "Lefèvre", first_names: str = "Camille Marie",
                      email: str = "camille.lefevre@example.org", financing: dict[str, Any] | None = None,
                      letter: str = LETTER) -> dict[str, dict[str, Any]]:
    """Every section of a complete Livret 2 (a new copy), as typed in the browser, for the candidate named.

    Annexes it cites: 1 the CV, 2 evidence of C1 and C3, 3 evidence of C4. ``financing`` replaces the
    financing section (default: the employer's skills plan, ``EMPLOYER_FINANCING``).
    """
    first_name = first_names.split()[0]
    return {
        "etat_civil": {
            "civilite": "madame", "nom_famille": last_name, "prenoms": first_names, "nom_usage": "",
            "date_naissance": "14/07/1990", "lieu_naissance": "Villeurbanne (69)", "nationalite": "Française",
            "adresse": "12 rue des Lilas, appartement 4", "code_postal": "69003", "commune": "Lyon",
            "pays": "France", "email": email, "telephone_portable": "06 12 34 56 78", "telephone_domicile": "",
        },
        "situation": {
            "situation": "en_poste", "fonction": "Développeuse data", "etablissement": "Métropole de Lyon",
            "contrat": "cdi", "temps_travail": "temps_partiel", "quotite": "80", "categorie": "cadre",
        },
        "financement": dict(financing if financing is not None else EMPLOYER_FINANCING),
        "engagement": {
            "nom_prenom": f"{first_name} {last_name}", "exactitude": True, "demande_unique": True,
            "trois_demandes_max": True, "informations_lues": True, "fait_a": "Lyon", "fait_le": YESTERDAY,
        },
        "lettre_motivation": {"lettre": letter},
        "cv": {
            "parcours": [
                {"nature": "experience", "periode": "depuis mars 2022", "organisme": "Métropole de Lyon",
                 "intitule": "Développeuse data", "descriptif": "Collecte et mise à disposition des données.",
                 "rapport_direct": True},
                {"nature": "formation", "periode": "2012-2015", "organisme": "Université Lyon 1",
                 "intitule": "Licence de mathématiques", "descriptif": "", "rapport_direct": False},
            ],
            "annexe_cv": "1",
        },
        "fiches_structure": {"structures": [{
            "nom": "Métropole de Lyon", "statut": "Collectivité territoriale",
            "activites": "Services publics urbains", "effectif": "9 000 agents", "localisation": "Lyon"}]},
        "fiches_poste": {"postes": [{
            "intitule": "Développeuse data", "structure": "Métropole de Lyon", "statut": "Agent contractuel, cadre",
            "missions": "Concevoir et maintenir les flux de données de la direction de la mobilité."}]},
        "recapitulatif": recap({"C1": ("maitrise", "1", "2"), "C3": ("partielle", "1", "")}),
        "fiches_activite": {"activites": [
            activity(),
            activity(intitule="Base de données des comptages", competences=["C4"], preuves="3",
                     taches="Modèle conceptuel Merise, création de la base, script d'import, registre RGPD."),
        ]},
        "declaration_honneur": {
            "connaissance_fraudes": True, "exactitude": True, "fait_a": "Lyon", "date": YESTERDAY,
            "nom_prenom": f"{last_name} {first_name}",
        },
    }


def post_data(values: dict[str, Any], action: str = "complete") -> MultiDict:
    """A browser submission of a section: repeatable entries as ``name-<i>-field``, ticked boxes as ``y``,
    several choices as the same name repeated, and the button pressed (``action``)."""
    out = MultiDict({"action": action})

    def put(name: str, value: Any) -> None:
        if isinstance(value, bool):
            if value:
                out.add(name, "y")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, entry in enumerate(value):
                for key, sub in entry.items():
                    put(f"{name}-{index}-{key}", sub)
        elif isinstance(value, list):
            for item in value:
                out.add(name, item)
        else:
            out.add(name, value)

    for key, value in values.items():
        put(key, value)
    return out


def example_sections(certification=None) -> dict[str, dict[str, Any]]:
    """The example dossier ``livret plugin check`` confronts the sections' JSON Schemas with and prints as a
    Livret 2 (the convention of core.certifications.check_runtime): a complete dossier."""
    return complete_sections()
