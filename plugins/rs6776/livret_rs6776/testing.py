"""Sample data of the RS6776 dossier: a complete dossier as a candidate types it.

Used by ``livret plugin check`` (the ``example_sections`` convention of
``core.certifications.check_runtime``): it confronts the sections' JSON Schemas
with this dossier and prints it as a Livret 2. Nothing here runs in production.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from livret_rs6776.descriptor import CERTIFICATION


def days_ago(days: int) -> str:
    """A date typed the French way, ``days`` days before today."""
    return (dt.date.today() - dt.timedelta(days=days)).strftime("%d/%m/%Y")


def complete_sections() -> dict[str, dict[str, Any]]:
    """Every section of a complete RS6776 dossier (a new copy); the cases cite annex 1."""
    cases: dict[str, Any] = {}
    for number, comp in enumerate(CERTIFICATION.competencies, start=1):
        code = comp.code.lower()
        cases[f"{code}_reponse"] = (f"Cas {number} : j'ai rédigé le prompt, relu et corrigé le texte produit, "
                                    "vérifié les sources et signalé l'usage de l'IA au client.")
        cases[f"{code}_preuves"] = "1"
    return {
        "etat_civil": {
            "civilite": "monsieur", "nom_famille": "Nguyen", "prenoms": "Thomas", "date_naissance": "03/02/1985",
            "lieu_naissance": "Nantes (44)", "nationalite": "Française", "adresse": "5 allée des Tilleuls",
            "code_postal": "44000", "commune": "Nantes", "pays": "France", "email": "thomas.nguyen@example.org",
            "telephone_portable": "07 89 12 34 56",
        },
        "formation": {"organisme": "Atelier Plume & Pixel", "intitule": "Créer des contenus avec l'IA générative",
                      "date_debut": days_ago(7), "date_fin": days_ago(2), "numero_cpf": ""},
        "epreuve_ecrite": cases,
        "declaration_honneur": {"connaissance_fraudes": True, "exactitude": True, "fait_a": "Nantes",
                                "date": days_ago(1), "nom_prenom": "Nguyen Thomas"},
    }


def example_sections(certification=None) -> dict[str, dict[str, Any]]:
    """The example dossier of ``livret plugin check``."""
    return complete_sections()
