"""Fixtures of the form tests: an application (CSRF on, as everywhere), a request context, posted data
with its token (no database needed)."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from core.certifications.descriptor import Block, Competency
from core.testing import make_certification


@pytest.fixture(scope="module")
def forms_app(tmp_path_factory):
    from core import create_app

    base = tmp_path_factory.mktemp("forms")
    return create_app({
        "INSTANCE_PATH": str(base / "instance"),
        "DATABASE_URL": "sqlite:///" + str(base / "livret.sqlite3"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TESTING": True,
        "BASE_URL": "http://localhost",
    })


@pytest.fixture
def ctx(forms_app):
    """A French request context (forms, translations and templates need one)."""
    with forms_app.test_request_context("/"):
        yield forms_app


@pytest.fixture
def posted(ctx):
    """``posted(data)``: form data as a page posts it, with its CSRF token.

    ``generate_csrf()`` stores the raw token in the session of the test's request context and
    returns its signed form; the section's CSRF check then validates the posted token against
    that session, as it does for a page's POST.
    """
    from flask_wtf.csrf import generate_csrf

    def build(data=None) -> MultiDict:
        formdata = MultiDict(data or {})
        formdata["csrf_token"] = generate_csrf()
        return formdata

    return build


@pytest.fixture
def cert():
    """A certification with two blocks: BC01 (C1, C2) and BC02 (C3, C4)."""
    return make_certification(
        code="TEST02", certifier="Organisme certificateur de test",
        blocks=(
            Block("BC01", "Analyser le besoin", (Competency("C1", "Rédiger un cahier des charges"),
                                                 Competency("C2", "Conduire un entretien"))),
            Block("BC02", "Réaliser la solution", (Competency("C3", "Développer une API"),
                                                   Competency("C4", "Tester une application"))),
        ),
        scheme=None,
    )


# Complete, valid data for every Livret 2 section (as ``to_data()`` returns it).
ACTIVITE = {
    "intitule": "Mise en production d'un modèle", "presentation": "Contexte et objectifs.",
    "methode": "Situation vécue : ...", "evaluation": "Revue par l'équipe.", "bloc": "BC01",
    "competences": ["C1", "C2"], "mission": "Prédire les retards", "organisation": "ACME",
    "periode": "de mars 2022 à juin 2023", "contexte": "Un contexte.", "problematique": "Des enjeux.",
    "taches": "Des tâches.", "moyens": "Des moyens.", "frequence": "Chaque semaine", "resultats": "Des résultats.",
    "preuves": "1, 3",
}

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()

SAMPLES = {
    "etat_civil": {
        "civilite": "madame", "nom_famille": "Martin", "prenoms": "Claire Anne", "nom_usage": "",
        "date_naissance": "1990-07-14", "lieu_naissance": "Lyon (69)", "nationalite": "Française",
        "adresse": "12 rue des Lilas", "code_postal": "69003", "commune": "Lyon", "pays": "France",
        "email": "claire.martin@example.org", "telephone_portable": "+33612345678", "telephone_domicile": "",
    },
    "situation": {
        "situation": "en_poste", "fonction": "Développeuse", "etablissement": "ACME", "contrat": "cdi",
        "temps_travail": "temps_partiel", "quotite": 80, "categorie": "cadre", "categorie_autre": "",
        "inscrit_france_travail": None,
    },
    "financement": {
        "mode": "plan_competences", "opco_precision": "", "autre_precision": "",
        "entreprise_adresse": "1 place de la Bourse, 69002 Lyon", "entreprise_siret": "73282932000074",
        "signataire_nom": "Paul Durand", "signataire_fonction": "DRH", "agence_adresse": "", "conseiller_nom": "",
        "conseiller_telephone": "", "conseiller_email": "",
    },
    "engagement": {
        "nom_prenom": "Claire Martin", "exactitude": True, "demande_unique": True, "trois_demandes_max": True,
        "informations_lues": True, "fait_a": "Lyon", "fait_le": YESTERDAY,
    },
    "lettre_motivation": {"lettre": "Je souhaite faire reconnaître mon expérience."},
    "fiches_structure": {"structures": [{
        "nom": "ACME", "statut": "SAS", "activites": "Logiciels", "effectif": "45 salariés",
        "situation_economique": "", "historique": "", "localisation": "Lyon", "environnement": "",
        "demarche_qualite": "", "autres": ""}]},
    "fiches_poste": {"postes": [{
        "intitule": "Développeuse IA", "structure": "ACME", "statut": "Cadre", "place": "", "missions": "Des missions",
        "marges_initiative": "", "tutorat_encadrement": "", "evolutions": "", "gestion_imprevus": "", "autres": ""}]},
    "fiches_activite": {"activites": [ACTIVITE, dict(ACTIVITE, intitule="Veille", bloc="BC02", competences=["C3"],
                                                     preuves="4")]},
    "declaration_honneur": {
        "connaissance_fraudes": True, "exactitude": True, "fait_a": "Lyon", "date": YESTERDAY,
        "nom_prenom": "Martin Claire",
    },
}


@pytest.fixture
def samples():
    return copy.deepcopy(SAMPLES)
