"""Realistic Livret 2 view models for the document tests (RNCP37827 and RS6776)."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone

from core.documents.livret import (Annex, AnnexesBlock, CandidateInfo, CertificationInfo, ChecklistBlock,
                                   ContentsBlock, DeclarationBlock, DossierInfo, FieldsBlock, Livret2,
                                   Receipt, Section, TableBlock, TextBlock)

SUBMITTED_AT = datetime(2025, 3, 14, 9, 32, tzinfo=timezone.utc)  # 10:32 in Paris

ACTIVITY_LABELS = (
    "BLOC DE COMPÉTENCES VISÉ :",
    "COMPÉTENCE(S) DU RÉFÉRENTIEL VISÉE(S):",
    "INTITULÉ DE LA MISSION :",
    "ENTREPRISE/ ORGANISATION/ AUTRE :",
    "PÉRIODE OU DATES :",
    "Contexte",
    "Problématique et enjeux",
    "Tâches réalisées",
    "Moyens mis en œuvre pour la réalisation des tâches",
    "Fréquence de réalisation",
    "Résultats",
    "Éléments de preuve (indiquer le numéro de la preuve déposée dans les annexes)",
)

ACTIVITY_SHEET_LABEL = "Fiche(s) descriptive(s) de votre (vos) activité(s) et compétences"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _activity(n: int, bloc: str, competencies: str, mission: str, evidence: str) -> Section:
    values = (
        bloc, competencies, mission, "Société Datalyse SAS, Lyon", "janvier 2023 – juin 2024",
        "L'équipe commerciale saisissait les prévisions de ventes à la main.\n\n"
        "La direction voulait un outil fiable et documenté.",
        "Fiabiliser les données d'entrée et réduire le temps de préparation hebdomadaire.",
        "Extraction des données du CRM par API REST ;\nnettoyage et normalisation ;\n"
        "chargement dans une base PostgreSQL ; tests automatisés.",
        "Python, pandas, SQLAlchemy, GitLab CI, revue de code avec le tuteur.",
        "Hebdomadaire",
        "Temps de préparation divisé par quatre ; zéro erreur de saisie sur six mois.",
        evidence,
    )
    return Section(
        key=f"activite-{n}", title=f"Fiche descriptive de l'activité exercée et des compétences mises en œuvre "
                                    f"– {mission}",
        anchor=f"activite-{n}", level=2, contents_label=ACTIVITY_SHEET_LABEL,
        blocks=[
            TextBlock("Présentation de l'activité", "Contexte, objectifs et fréquence de l'activité.\n\n"
                      "Le pipeline alimente chaque lundi le tableau de bord des ventes."),
            TextBlock("Méthode utilisée", "J'ai d'abord recensé les sources.\nPuis j'ai écrit les scripts."),
            TextBlock("Comment est évaluée cette activité ?", "Revue mensuelle avec la responsable data."),
            TableBlock(caption="Tableau descriptif des compétences exercées",
                       rows=[[label, value] for label, value in zip(ACTIVITY_LABELS, values)]),
        ])


def rncp_livret() -> Livret2:
    annexes = [
        Annex(1, "Script de récupération des données (dépôt Git)", "application/pdf", 1_234_567,
              _sha("annexe-1"), ["C1", "C2"], "annexe-1-script.pdf"),
        Annex(2, "Schéma de la base de données", "image/png", 845, _sha("annexe-2"), ["C4"], "schema.png"),
        Annex(3, "Documentation technique de l'API", "application/vnd.oasis.opendocument.text", 45_300_000,
              _sha("annexe-3"), ["C9", "C10", "C11"], "doc-api.odt"),
    ]
    engagement = [
        ("certifie sur l'honneur l'exactitude des renseignements fournis dans ce dossier,", True),
        ("déclare n'avoir déposé, au cours de la même année civile et pour ce diplôme, qu'une seule demande "
         "et n'avoir saisi que SIMPLON,", True),
        ("déclare n'avoir pas déposé plus de trois demandes de validation au cours de la même année civile "
         "pour des diplômes différents", True),
        ("déclare avoir lu et approuvé les informations générales données ci-dessous", False),
    ]
    sections = [
        Section("etat_civil", "Etat civil", "etat-civil", number="1", blocks=[FieldsBlock(rows=[
            ("Civilité", "Madame"), ("Nom de famille", "Lefèvre"), ("Prénom(s)", "Élise Marie"),
            ("Nom d'usage", ""), ("Date de naissance", "03/02/1990"), ("Âge", "35 ans"),
            ("Lieu de naissance", "Lyon (69)"), ("Nationalité", "Française"),
            ("Adresse postale personnelle", "12 rue des Lilas\n69003 Lyon"),
            ("Adresse électronique", "elise.lefevre@example.org"),
            ("Téléphone domicile et/ou portable", "06 12 34 56 78")])]),
        Section("situation", "Situation actuelle", "situation", number="2", new_page=False, blocks=[
            ChecklistBlock([("Vous êtes actuellement en poste", True),
                            ("Vous êtes actuellement sans emploi", False)]),
            FieldsBlock(rows=[("Fonction actuellement exercée", "Data engineer"),
                              ("Etablissement ou entreprise", "Datalyse SAS"),
                              ("Nature de votre contrat de travail", "CDI"),
                              ("Temps plein / Temps partiel", "Temps plein"),
                              ("Catégorie socio-professionnelle", "Cadre")])]),
        Section("financement", "Financement envisagé", "financement", number="3", new_page=False, blocks=[
            FieldsBlock(rows=[("Mode de financement", "Plan de montée en compétences"),
                              ("Adresse postale de l'entreprise", "4 quai Perrache, 69002 Lyon"),
                              ("Numéro de SIRET de l'entreprise", "73282932000074"),
                              ("Nom et fonction du signataire de la convention", "M. Bernard, DRH")]),
            ChecklistBlock(engagement, label="Engagement"),
            FieldsBlock(rows=[("Fait à", "Lyon"), ("Le", "10/03/2025")])]),
        Section("contenu", "Contenu de ce livret", "contenu", number="4", blocks=[ContentsBlock()]),
        Section("projet", "Votre projet VAE", "projet", number="5", blocks=[]),
        Section("motivation", "Votre lettre de motivation", "motivation", level=2, new_page=False,
                contents_label="Votre lettre de motivation",
                intro="Précisez les raisons qui vous conduisent à présenter votre demande de VAE au jury "
                      "chargé de l'examiner.",
                blocks=[TextBlock("", "Madame, Monsieur,\n\nDepuis cinq ans je conçois des pipelines de "
                                      "données.\nJe souhaite faire reconnaître ces compétences.\n\n"
                                      "Veuillez agréer mes salutations distinguées.")]),
        Section("cv", "Votre CV", "cv", level=2, new_page=False, contents_label="Votre CV",
                blocks=[FieldsBlock(rows=[("CV déposé", "Annexe 1"),
                                          ("Expériences en rapport direct avec le diplôme visé",
                                           "Data engineer, Datalyse SAS (2021–2025)")])]),
        Section("structure", "Fiche descriptive de la structure – Datalyse SAS", "structure", level=2,
                contents_label="Fiche(s) descriptive(s) de votre (vos) structure(s)",
                blocks=[TextBlock("Présentation", "SAS de 80 salariés, éditeur de logiciels d'analyse.")]),
        Section("poste", "Fiche descriptive du poste occupé – Data engineer", "poste", level=2, new_page=False,
                contents_label="Fiche(s) descriptive(s) de votre (vos) poste(s) occupé(s)",
                blocks=[TextBlock("Présentation", "Rattachée à la direction technique, en autonomie.")]),
        Section("recapitulatif", "Récapitulatif des compétences", "recapitulatif", level=2, blocks=[
            TableBlock(caption="Compétences visées par bloc", headers=["Bloc", "Compétences", "Fiche(s)"],
                       rows=[["Bloc de compétences 1", "C1-C5", "Activité 1"],
                             ["Bloc de compétences 2", "C6-C13", "Activité 2"],
                             ["Bloc de compétences 3", "C14-C21", "–"]])]),
        _activity(1, "Bloc 1 – Réaliser la collecte, le stockage et la mise à disposition des données",
                  "C1, C2, C4", "Automatiser l'extraction des données commerciales", "Annexes 1 et 2"),
        _activity(2, "Bloc 2 – Contribuer à la conception et au développement d'un projet d'IA",
                  "C9, C10, C11", "Exposer un modèle de prévision par une API REST", "Annexe 3"),
        Section("annexes", "Annexes", "annexes", number="6",
                contents_label="Si besoin Annexes (Modèles de documents, tableaux, photos, schémas ...)",
                blocks=[AnnexesBlock("Tout élément de preuve faisant ressortir les objectifs fixés et atteints "
                                     "peut être présenté (numéroter les annexes).")]),
        Section("entretien", "L'entretien devant le jury de la VAE", "entretien", number="7", new_page=False,
                blocks=[TextBlock("", "Le candidat expose son projet, ses motivations et le bilan de ses "
                                      "compétences.\nLe jury de VAE est souverain.")]),
        Section("declaration", "Déclaration sur l'honneur", "declaration", number="8",
                contents_label="Déclaration sur l'honneur",
                blocks=[DeclarationBlock(
                    statements=[("avoir pris connaissance des informations relatives aux fraudes en VAE ;", True),
                                ("attester de l'exactitude de toutes les informations figurant dans le présent "
                                 "livret.", True)],
                    place="Lyon", signed_on=date(2025, 3, 14), signer_name="LEFÈVRE Élise Marie",
                    intro_title="Information sur les risques encourus en cas de fraude.",
                    intro="Consulter Code pénal (313-1, 313-3, 441-1, 433-19, 441-2) et arrêté du 19 mai 1950.")]),
    ]
    return Livret2(
        certification=CertificationInfo("RNCP37827", "Développeur en intelligence artificielle", "RNCP",
                                        "SIMPLON.CO", document_name="Livret 2 VAE",
                                        document_heading="Dossier de demande VAE - Validation des Acquis de "
                                                         "l'Expérience",
                                        document_subtitle="Article L 613-3 et suivants du code de l'Éducation"),
        candidate=CandidateInfo("Lefèvre", "Élise Marie"),
        dossier=DossierInfo("VAE-2025-000123", 2, SUBMITTED_AT, date(2025, 6, 20), "Simplon Lyon"),
        sections=sections, annexes=annexes)


def rs_livret() -> Livret2:
    cases = [
        Section(f"cas-{n}", f"Cas pratique {n}", f"cas-{n}", number=str(n + 1), new_page=n == 1,
                contents_label="Cas pratiques",
                blocks=[TextBlock("Réponse", f"Réponse argumentée au cas pratique {n}."),
                        FieldsBlock(rows=[("Preuve", f"Annexe {1 if n < 4 else 2}")])])
        for n in range(1, 7)
    ]
    return Livret2(
        certification=CertificationInfo("RS6776", "Utiliser l'intelligence artificielle générative", "RS",
                                        "SIMPLON.CO", document_name="Évaluation écrite",
                                        document_heading="Épreuve écrite : évaluation pratique composée de six "
                                                         "cas pratiques"),
        candidate=CandidateInfo("Nguyen", "Paul"),
        dossier=DossierInfo("VAE-2025-000456", 1, SUBMITTED_AT),
        sections=[
            Section("identite", "Identité", "identite", number="1", contents_label="Identité",
                    blocks=[FieldsBlock(rows=[("Nom de famille", "Nguyen"), ("Prénom(s)", "Paul")])]),
            *cases,
            Section("annexes", "Annexes", "annexes", number="8", contents_label="Annexes",
                    blocks=[AnnexesBlock()]),
            Section("declaration", "Déclaration sur l'honneur", "declaration", number="9",
                    contents_label="Déclaration sur l'honneur",
                    blocks=[DeclarationBlock([("attester de l'exactitude des réponses", True)],
                                             place="Paris", signed_on=date(2025, 3, 14), signer_name="NGUYEN Paul")]),
        ],
        annexes=[Annex(1, "Captures d'écran", "image/jpeg", 204_800, _sha("rs-1"), ["C1"]),
                 Annex(2, "Rapport", "application/pdf", 3_000_000, _sha("rs-2"), ["C2", "C3"])])


def receipt_for(livret: Livret2, livret_pdf: bytes) -> Receipt:
    return Receipt(certification=livret.certification, candidate=livret.candidate, dossier=livret.dossier,
                   annexes=livret.annexes, livret_sha256=hashlib.sha256(livret_pdf).hexdigest(),
                   livret_size=len(livret_pdf))
