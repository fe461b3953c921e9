"""Journey of a candidate to RNCP37827 « Développeur en intelligence artificielle » (issue 11), in Chromium
with CSRF on: from « Mon espace » she opens her dossier, fills every section of the Livret 2 through the
pages with the keyboard (a section validated with a required field empty first: the error summary, its
focus, the field's error tied to it, what was typed kept), adds activity sheets and removes one, uploads
her annexes watching the progress bars, links them to competencies, sees the list of points to settle
reach zero, previews the Livret 2 PDF, signs with her password (a wrong one first), and reads her receipt:
the sealed PDF listed on the overview and the e-mail.
"""
from __future__ import annotations

import re

from candidate_steps import (TODAY, Long, annex_rows, assert_error_on, back_from_annexes, blocking_problems,
                             complete_section, date, declare_on_honour, download, fill, fill_identity, flash, is_pdf,
                             make_pdf, make_png, open_annexes, open_section, press, preview_is_a_pdf, remarks,
                             section_state, sign_and_submit, space, status, type_text, upload_annexes,
                             validate_section, write)
from livret_rncp37827.testing import activity

EMAIL, PASSWORD = "candidat@demo.livret.fr", "demo-candidat-2026"
BLOCKS = {"BC01": ["C1", "C2", "C3", "C4", "C5"],
          "BC02": ["C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13"],
          "BC03": ["C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21"]}
# sheet number and annex number where each block is shown
SHEET_OF = {"BC01": "1", "BC02": "2", "BC03": "3"}
ANNEX_OF = {"BC01": "2", "BC02": "3", "BC03": "4"}

LETTER = (
    "Madame, Monsieur,\n\n"
    "Développeuse de données à la Métropole de Lyon depuis 2019, je conçois des chaînes de collecte, j'intègre "
    "des modèles d'apprentissage automatique dans les applications métier et j'en assure le suivi en production. "
    "Ces cinq années d'expérience recouvrent les trois blocs du titre « Développeur en intelligence "
    "artificielle » : la collecte et la mise à disposition des données, l'intégration de modèles et de services "
    "d'IA, la réalisation d'applications qui les utilisent.\n\n"
    "Je demande la validation des acquis de mon expérience pour faire reconnaître ces compétences par un titre "
    "de niveau 6 et prendre la responsabilité technique des projets d'IA de ma direction.\n\n"
    "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.\n\nCamille Martin")

SHEETS = {
    # the plugin's sample sheet of block 1 (mission, organisation, period, context, issue, frequency), in her words
    "BC01": activity(
        intitule="Collecte automatisée des données de mobilité",
        presentation="Alimenter chaque nuit l'entrepôt de données de la métropole à partir de quatre sources "
                     "(API des transports, capteurs de trafic, fichiers des parkings, site des travaux).",
        methode="J'ai recensé les sources avec l'équipe mobilité, choisi Airflow pour l'orchestration et écrit "
                "les scripts d'extraction en Python en tenant compte des quotas de l'API, du RGPD (aucune "
                "donnée personnelle conservée) et de la fenêtre de maintenance de la base PostgreSQL.",
        evaluation="Revue de code par le responsable technique et suivi hebdomadaire du taux d'échec.",
        taches="Scripts d'extraction et de scraping, requêtes SQL d'agrégation, modèle de données, API FastAPI.",
        moyens="Python, Airflow, PostgreSQL, FastAPI, Git.",
        resultats="Taux d'échec des traitements passé de 12 % à 0,5 % ; données prêtes à 6 h."),
    "BC02": {
        "intitule": "Prévision de l'affluence des parkings relais",
        "presentation": "Exposer un modèle de prévision de l'affluence aux applications de la métropole.",
        "methode": "Après une veille sur les modèles de séries temporelles et un banc d'essai de trois services, "
                   "j'ai entraîné un modèle LightGBM, l'ai encapsulé dans une API testée et surveillée, puis "
                   "livrée par une chaîne d'intégration continue.",
        "evaluation": "Erreur moyenne suivie chaque semaine avec l'équipe mobilité ; retours des usagers.",
        "mission": "Parkings relais intelligents", "organisation": "Métropole de Lyon",
        "periode": "de septembre 2023 à mars 2024",
        "contexte": "Les parkings relais saturent les jours de grève et de pollution.",
        "problematique": "Annoncer l'affluence une heure à l'avance avec une erreur inférieure à 10 %.",
        "taches": "Veille, benchmark, entraînement, API, tests automatisés, surveillance, livraison continue.",
        "moyens": "Python, scikit-learn, LightGBM, MLflow, GitLab CI, Prometheus.",
        "frequence": "Réentraînement chaque mois",
        "resultats": "Erreur moyenne de 7 % ; modèle en production depuis avril 2024.",
    },
    "BC03": {
        "intitule": "Application d'aide à la réponse aux usagers",
        "presentation": "Une application web qui propose aux agents des réponses aux courriels des usagers.",
        "methode": "J'ai analysé le besoin avec le service relations usagers, conçu l'architecture, coordonné deux "
                   "développeurs en méthode agile et développé l'interface accessible et le service d'IA.",
        "evaluation": "Satisfaction des agents mesurée par questionnaire, délais de réponse suivis.",
        "mission": "Assistant de réponse aux usagers", "organisation": "Métropole de Lyon",
        "periode": "depuis avril 2024",
        "contexte": "Le service reçoit 800 courriels par jour et répond en cinq jours en moyenne.",
        "problematique": "Réduire le délai de réponse sans dégrader la qualité ni exposer de données.",
        "taches": "Analyse du besoin, conception, coordination, développement, tests, livraison, supervision.",
        "moyens": "Python, Django, Vue.js, PostgreSQL, GitLab CI, Sentry.", "frequence": "En continu",
        "resultats": "Délai moyen de réponse ramené à deux jours ; 92 % des agents satisfaits.",
    },
}


def fill_sheet(person, index: int, block: str, evidence: str) -> None:
    sheet = SHEETS[block]
    prefix = f"#activites-{index}-"
    type_text(person, prefix + "intitule", sheet["intitule"])
    for name in ("presentation", "methode", "evaluation"):
        write(person, prefix + name, sheet[name])
    space(person, prefix + f"bloc-{list(BLOCKS).index(block)}")
    for code in BLOCKS[block]:
        space(person, prefix + f"competences-{int(code[1:]) - 1}")
    for name in ("mission", "organisation", "periode", "frequence"):
        type_text(person, prefix + name, sheet[name])
    for name in ("contexte", "problematique", "taches", "moyens", "resultats"):
        write(person, prefix + name, sheet[name])
    type_text(person, prefix + "preuves", evidence)


def test_candidate_rncp37827_fills_every_section_signs_and_submits(people, tmp_path):
    files = [
        {"path": make_pdf(tmp_path / "cv-camille-martin.pdf", "Camille Martin – CV",
                          ["Développeuse data et IA, Métropole de Lyon (depuis 2019).",
                           "Formation Développeur en intelligence artificielle, Simplon.co (2019)."]),
         "title": "Curriculum vitae", "cv": True},
        {"path": make_pdf(tmp_path / "collecte-donnees.pdf", "Chaîne de collecte des données de mobilité",
                          ["Schéma du flux Airflow, extraits des scripts d'extraction et du modèle de données."]),
         "title": "Dossier technique de la chaîne de collecte", "competencies": BLOCKS["BC01"]},
        {"path": make_png(tmp_path / "suivi-modele.png", "Erreur moyenne hebdomadaire du modele"),
         "title": "Tableau de suivi du modèle de prévision", "competencies": BLOCKS["BC02"]},
        {"path": make_pdf(tmp_path / "application-usagers.pdf", "Assistant de réponse aux usagers",
                          ["Documentation technique et fonctionnelle de l'application."]),
         "title": "Documentation de l'application"},
    ]

    camille = people.open_as(EMAIL, PASSWORD, "camille")
    page = camille.page
    assert page.get_by_role("heading", name="Mes dossiers").is_visible()

    # -- « Mon espace »: open the dossier -----------------------------------------------------------
    press(camille, re.compile(r"^Ouvrir mon dossier\s+RNCP37827$"), "dossier ouvert", expect_url=r"/dossiers/\d+$")
    overview_url = page.url
    flash(camille, re.compile(r"Votre dossier \S+ est ouvert"))
    assert status(camille) == "Brouillon"
    assert section_state(camille, "etat_civil") == "À compléter"
    assert blocking_problems(camille), "a new dossier has points to settle"
    assert page.get_by_role("button", name="Signer et déposer mon dossier").is_disabled()
    assert page.locator("#submit-help").is_visible()

    # -- État civil: « Valider la section » with the date of birth left empty -------------------------
    open_section(camille, "État civil")
    fill_identity(camille, civilite=0, last_name="Martin", first_names="Camille Louise",
                  birth_place="Villeurbanne (Rhône)", address="12 rue des Tanneurs\nAppartement 4B",
                  postal_code="69007", town="Lyon", email=EMAIL, mobile="06 12 34 56 78")
    response = press(camille, "Valider la section", "état civil en erreur")
    assert response.status == 422
    assert_error_on(camille, "date_naissance", re.compile(r"obligatoire", re.I), "Date de naissance")
    assert page.get_by_role("heading", level=1).count() == 1
    flash(camille, "Certains champs sont à corriger")
    assert page.locator("#nom_famille").input_value() == "Martin"  # what was typed is kept
    assert page.locator("#adresse").input_value() == "12 rue des Tanneurs\nAppartement 4B"
    assert page.locator("#civilite-0").is_checked()
    date(camille, "#date_naissance", TODAY.replace(year=TODAY.year - 34, day=min(TODAY.day, 28)))
    validate_section(camille, "État civil")
    assert section_state(camille, "etat_civil") == "Complète"

    # -- Situation actuelle: in post (the conditional fields appear) ----------------------------------
    open_section(camille, "Situation actuelle")
    space(camille, "#situation-0")
    assert page.locator("#fonction").is_visible()
    fill(camille, {"#fonction": "Développeuse data et intelligence artificielle", "#etablissement": "Métropole de Lyon",
                   "#contrat-2": True, "#temps_travail-0": True, "#categorie-2": True})
    validate_section(camille, "Situation actuelle")

    # -- Financement envisagé: she pays herself -------------------------------------------------------
    complete_section(camille, "Financement envisagé", {"#mode-0": True})

    # -- Engagement ----------------------------------------------------------------------------------
    complete_section(camille, "Engagement", {
        "#nom_prenom": "Martin Camille", "#exactitude": True, "#demande_unique": True, "#trois_demandes_max": True,
        "#informations_lues": True, "#fait_a": "Lyon", "#fait_le": TODAY})

    # -- Lettre de motivation: a draft first, then validated ------------------------------------------
    open_section(camille, "Votre lettre de motivation")
    write(camille, "#lettre", LETTER[:400])
    press(camille, "Enregistrer le brouillon", "lettre brouillon", expect_url=r"/sections/lettre_motivation$")
    flash(camille, "Brouillon enregistré.")
    assert page.locator("#lettre").input_value() == LETTER[:400]
    write(camille, "#lettre", LETTER)
    validate_section(camille, "Votre lettre de motivation")

    # -- Annexes: four files with their progress bars, then competencies linked to the last one ------
    open_annexes(camille)
    upload_annexes(camille, files)
    flash(camille, "Annexes n° 1, 2, 3, 4 ajoutées.")  # one message for the four requests of the script
    assert page.locator(".flashes .notice").count() == 1
    rows = annex_rows(camille)
    assert sorted(rows) == [1, 2, 3, 4]
    assert "CV" in rows[1]["title"]
    assert "C1" in rows[2]["competencies"] and "C13" in rows[3]["competencies"]
    assert "aucune" in rows[4]["competencies"]
    with page.expect_navigation():
        page.get_by_role("link", name="Modifier l'annexe n° 4").click()
    camille.check("modifier l'annexe 4")
    for code in BLOCKS["BC03"]:
        space(camille, f"#competencies-{code}")
    press(camille, "Enregistrer", "annexe 4 enregistrée", expect_url=r"/annexes#annexe-4$")
    flash(camille, "Annexe n° 4 enregistrée.")
    assert "C21" in annex_rows(camille)[4]["competencies"]
    back_from_annexes(camille)

    # -- Votre CV: two lines of the path, the CV annex ------------------------------------------------
    open_section(camille, "Votre CV")
    fill(camille, {"#parcours-0-nature-0": True, "#parcours-0-periode": "de septembre 2019 à aujourd'hui",
                   "#parcours-0-organisme": "Métropole de Lyon",
                   "#parcours-0-intitule": "Développeuse data et intelligence artificielle",
                   "#parcours-0-descriptif": Long("Collecte de données, modèles de prévision, applications d'IA."),
                   "#parcours-0-rapport_direct": True})
    press(camille, "Ajouter une expérience ou une formation", "cv : ligne ajoutée")
    page.wait_for_function("() => document.activeElement && document.activeElement.id.startsWith('parcours-1-')")
    assert page.locator("#parcours-0-organisme").input_value() == "Métropole de Lyon"
    fill(camille, {"#parcours-1-nature-1": True, "#parcours-1-periode": "de janvier à juin 2019",
                   "#parcours-1-organisme": "Simplon.co",
                   "#parcours-1-intitule": "Formation Développeur en intelligence artificielle",
                   "#parcours-1-rapport_direct": True, "#annexe_cv": "1"})
    validate_section(camille, "Votre CV")

    # -- Fiches structure and poste --------------------------------------------------------------------
    complete_section(camille, "Fiche(s) descriptive(s) de la structure", {
        "#structures-0-nom": "Métropole de Lyon",
        "#structures-0-statut": Long("Collectivité territoriale à statut particulier, secteur public."),
        "#structures-0-activites": Long("Mobilités, voirie, eau, habitat, développement économique."),
        "#structures-0-effectif": "9 000 agents"})
    complete_section(camille, "Fiche(s) descriptive(s) du poste occupé", {
        "#postes-0-intitule": "Développeuse data et intelligence artificielle",
        "#postes-0-structure": "Métropole de Lyon, direction de l'innovation numérique",
        "#postes-0-statut": Long("Ingénieure territoriale, catégorie A, temps plein."),
        "#postes-0-missions": Long("Concevoir les chaînes de données, intégrer des modèles d'IA, réaliser des "
                                   "applications qui les utilisent et les surveiller.")})

    # -- Fiches d'activité: add two sheets, remove one, add the last ---------------------------------
    open_section(camille, "Fiche(s) descriptive(s) d'activité")
    fill_sheet(camille, 0, "BC01", ANNEX_OF["BC01"])
    press(camille, "Ajouter une fiche", "fiche activité 2 ajoutée")
    page.wait_for_function("() => document.activeElement && document.activeElement.id.startsWith('activites-1-')")
    fill_sheet(camille, 1, "BC02", ANNEX_OF["BC02"])
    press(camille, "Ajouter une fiche", "fiche activité 3 ajoutée")
    type_text(camille, "#activites-2-intitule", "Veille sur les modèles de langue (doublon)")
    press(camille, "Supprimer cette fiche (Fiche activité 3)", "fiche activité 3 supprimée")
    assert page.locator("#activites-2-intitule").count() == 0
    assert page.locator("#activites-1-intitule").input_value() == SHEETS["BC02"]["intitule"]
    press(camille, "Ajouter une fiche", "fiche activité 3 ajoutée à nouveau")
    assert page.locator("#activites-2-intitule").input_value() == ""
    fill_sheet(camille, 2, "BC03", ANNEX_OF["BC03"])
    validate_section(camille, "Fiche(s) descriptive(s) d'activité")

    # -- Récapitulatif des compétences ---------------------------------------------------------------
    open_section(camille, "Récapitulatif des compétences")
    for block, codes in BLOCKS.items():
        for code in codes:
            c = code.lower()
            space(camille, f"#{c}_niveau-0")
            if block == "BC01":  # typed key by key, then (same numbers again and again) pasted
                type_text(camille, f"#{c}_fiches", SHEET_OF[block])
                type_text(camille, f"#{c}_annexes", ANNEX_OF[block])
            else:
                write(camille, f"#{c}_fiches", SHEET_OF[block])
                write(camille, f"#{c}_annexes", ANNEX_OF[block])
    validate_section(camille, "Récapitulatif des compétences")

    # -- Déclaration sur l'honneur --------------------------------------------------------------------
    declare_on_honour(camille, "Lyon", "Martin Camille")

    # -- The overview: nothing left to settle ---------------------------------------------------------
    assert page.url == overview_url
    states = {key: section_state(camille, key) for key in (
        "etat_civil", "situation", "financement", "engagement", "lettre_motivation", "cv", "fiches_structure",
        "fiches_poste", "recapitulatif", "fiches_activite", "annexes", "declaration_honneur")}
    assert set(states.values()) == {"Complète"}, states
    assert blocking_problems(camille) == []
    assert remarks(camille) == []
    assert page.get_by_text("Toutes les sections obligatoires sont complètes").is_visible()
    submit_button = page.get_by_role("button", name="Signer et déposer mon dossier")
    assert submit_button.is_enabled()

    # -- Preview of the Livret 2 before signing -------------------------------------------------------
    preview_is_a_pdf(camille)

    # -- Sign and submit: a wrong password first, then hers -------------------------------------------
    refused = sign_and_submit(camille, "pas-le-bon-mot-de-passe", "mauvais mot de passe")
    assert refused.status == 422
    assert page.locator(".flashes [role=alert]").count() == 1
    # the reason is tied to the password field, which has the focus again
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'submit-password'")
    password = page.locator("#submit-password")
    assert "submit-password-error" in password.get_attribute("aria-describedby").split()
    assert password.get_attribute("aria-invalid") == "true"
    assert "Mot de passe incorrect" in page.locator("#submit-password-error").inner_text()
    assert status(camille) == "Brouillon"
    with people.app.app_context():
        from core.dossiers.models import Dossier, DossierVersion
        from core.extensions import db

        dossier_id = int(overview_url.rsplit("/", 1)[1])
        assert db.session.query(DossierVersion).filter_by(dossier_id=dossier_id).count() == 0
        reference = db.session.get(Dossier, dossier_id).reference
    sign_and_submit(camille, PASSWORD, "dossier déposé")
    flash(camille, "Votre dossier est déposé (version 1).")
    assert status(camille) == "Déposé"
    assert page.locator("dl.facts").get_by_text(re.compile(r"version 1 du ")).is_visible()
    assert page.get_by_role("button", name="Signer et déposer mon dossier").count() == 0

    # -- The receipt: the sealed PDF, the e-mail ------------------------------------------------------
    documents = page.locator("#documents ~ table").first
    assert documents.get_by_role("link", name=f"Livret 2 VAE – {reference} – version 1").is_visible()
    name, data = download(camille, f"Accusé de réception – {reference} – version 1")
    assert name.lower() == f"accuse-reception-{reference}-v1.pdf".lower()
    assert is_pdf(data) and b"/ByteRange" in data  # sealed
    receipts = [m for m in people.emails() if m["To"] == EMAIL and reference in m["Subject"]]
    assert len(receipts) == 1, [m["Subject"] for m in people.emails()]
    body = receipts[0].get_body(preferencelist=("plain",)).get_content()
    assert "Version déposée : 1" in body and "Pièces justificatives : 4" in body
    assert overview_url in body

    # -- A section is now read-only -------------------------------------------------------------------
    open_section(camille, "Votre lettre de motivation", "lettre en lecture seule")
    assert page.get_by_text("cette section est en lecture seule").is_visible()
    assert page.get_by_role("button", name="Valider la section").count() == 0
