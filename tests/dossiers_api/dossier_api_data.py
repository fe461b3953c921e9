"""Shared constants of the dossier API tests (a module name unique across tests/, importable from here)."""
from __future__ import annotations

CODE = "DAPI01"
BARE_CODE = "DAPI02"  # a certification without online dossier

ETAT_CIVIL = {
    "civilite": "madame", "nom_famille": "Martin", "prenoms": "Claire Anne", "nom_usage": "",
    "date_naissance": "1985-04-12", "lieu_naissance": "Lyon (69)", "nationalite": "française",
    "adresse": "12 rue des Lilas", "code_postal": "75011", "commune": "Paris", "pays": "France",
    "email": "claire.martin@example.org", "telephone_portable": "+33612345678", "telephone_domicile": "",
}
LETTRE = {"lettre": "Madame, Monsieur, je souhaite faire valider mon expérience de dix ans en conduite de projets."}
DECLARATION = {"connaissance_fraudes": True, "exactitude": True, "fait_a": "Paris", "date": "2024-05-02",
               "nom_prenom": "Martin Claire"}
COMPLETE = {"etat_civil": ETAT_CIVIL, "lettre_motivation": LETTRE, "declaration_honneur": DECLARATION}
