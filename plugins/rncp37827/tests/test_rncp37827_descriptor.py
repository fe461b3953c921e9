"""The RNCP37827 descriptor holds the règlement's data (counts checked against the seed by hand)."""
from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from core.certifications.descriptor import validate
from livret_rncp37827 import plugin
from livret_rncp37827.descriptor import CERTIFICATION as CERT

# Number of criteria of each competency in Annexe 3 « Grille d'évaluation individuelle ».
CRITERIA_PER_COMPETENCY = {
    "C1": 7, "C2": 3, "C3": 3, "C4": 10, "C5": 5,
    "C6": 6, "C7": 7, "C8": 5, "C9": 11, "C10": 9, "C11": 9, "C12": 7, "C13": 8,
    "C14": 5, "C15": 5, "C16": 4, "C17": 12, "C18": 7, "C19": 7, "C20": 7, "C21": 5,
}


def test_identity():
    assert validate(CERT) == []
    assert (CERT.code, CERT.registry, CERT.certifier) == ("RNCP37827", "RNCP", "Simplon.co")
    assert CERT.title == "Développeur en intelligence artificielle"
    assert CERT.access_routes[-1] == "À la suite d'une validation des acquis de l'expérience (VAE)"
    assert len(CERT.access_routes) == 4


def test_level_is_left_to_the_certifier():
    assert CERT.level == ""
    assert any("niveau" in note.lower() and "certificateur" in note for note in CERT.notes)


def test_three_blocks_with_their_references_and_evaluations():
    assert [b.code for b in CERT.blocks] == ["BC01", "BC02", "BC03"]
    assert [b.reference for b in CERT.blocks] == ["RNCP37827BC01", "RNCP37827BC02", "RNCP37827BC03"]
    assert [b.evaluations for b in CERT.blocks] == [("E1",), ("E2", "E3"), ("E4", "E5")]
    assert CERT.blocks[1].title == "Intégrer des modèles et des services d'intelligence artificielle"
    assert [[c.code for c in b.competencies] for b in CERT.blocks] == [
        [f"C{n}" for n in range(1, 6)], [f"C{n}" for n in range(6, 14)], [f"C{n}" for n in range(14, 22)]]


def test_twenty_one_competencies_with_full_titles():
    assert [c.code for c in CERT.competencies] == [f"C{n}" for n in range(1, 22)]
    c1 = CERT.competency("C1")
    assert c1.title == (
        "Automatiser l'extraction de données depuis un service web, une page web (scraping), un fichier de données, "
        "une base de données et un système big data en programmant le script adapté afin de pérenniser la collecte "
        "des données nécessaires au projet.")
    assert CERT.competency("C21").title == (
        "Résoudre les incidents techniques en apportant les modifications nécessaires au code de l'application et "
        "en documentant les solutions pour en garantir le fonctionnement opérationnel.")
    for comp in CERT.competencies:
        assert "*" not in comp.title and "`" not in comp.title, comp.code
        assert not comp.editable


def test_every_criterion_of_annexe_3():
    counts = {c.code: len(c.criteria) for c in CERT.competencies}
    assert counts == CRITERIA_PER_COMPETENCY
    assert sum(counts.values()) == 142
    for comp in CERT.competencies:
        assert [cr.code for cr in comp.criteria] == [f"{comp.code}.{i}" for i in range(1, len(comp.criteria) + 1)]
        for cr in comp.criteria:
            assert cr.text and "*" not in cr.text and "`" not in cr.text
    assert CERT.competency("C4").criteria[0].text == (
        "Les modélisations des données respectent la méthode et le formalisme Merise.")
    assert CERT.competency("C4").criteria[-1].text == (
        "Les procédures de tri détaillent les traitements de conformité (automatisés ou non) à appliquer ainsi que "
        "leur fréquence d'exécution.")
    assert CERT.competency("C21").criteria[-1].text == (
        "La solution est versionnée dans le dépôt Git du projet d'application (par exemple avec une merge request).")


@pytest.mark.parametrize("evaluation, numbers", [
    ("E1", range(1, 6)), ("E2", range(6, 9)), ("E3", range(9, 14)), ("E4", range(14, 20)), ("E5", range(20, 22))])
def test_competencies_name_their_evaluation_and_expected_context(evaluation, numbers):
    for n in numbers:
        comp = CERT.competency(f"C{n}")
        assert comp.evaluations == (evaluation,)
        assert comp.expected.startswith(f"{evaluation}. ")
        assert "L'évaluation doit se faire" in comp.expected


def test_evaluations_durations_and_deliverables():
    evals = {e.code: e for e in CERT.scheme.evaluations}
    assert list(evals) == ["E1", "E2", "E3", "E4", "E5"]
    assert {code: e.duration_minutes for code, e in evals.items()} == {"E1": 15, "E2": 15, "E3": 20, "E4": 20, "E5": 10}
    assert evals["E1"].kind == "Mise en situation professionnelle"
    assert evals["E2"].kind == evals["E5"].kind == "Cas pratique"
    assert evals["E1"].deliverable == "Rapport professionnel individuel (2-5p)"
    assert evals["E3"].deliverable == "Rapport professionnel individuel (15-20p)"
    assert evals["E5"].deliverable.startswith("Documentation technique du monitorage.")
    assert evals["E3"].assessment.endswith("Soutenance orale individuelle avec démonstration.")
    assert evals["E4"].competencies == ("C14", "C15", "C16", "C17", "C18", "C19")
    assert evals["E2"].candidate_tasks[0] == "Présenter son dispositif de veille."
    assert len(evals["E3"].candidate_tasks) == 5
    # 80 minutes of presentations + 10 minutes of questions = the 90-minute oral of the title.
    assert sum(e.duration_minutes for e in evals.values()) + 10 == CERT.scheme.total_minutes == 90


def test_session_schedule_of_annexe_2():
    steps = [(s.title, s.duration_minutes, s.with_candidate) for s in CERT.scheme.schedule]
    assert [s[0].split(" (")[0] for s in steps] == [
        "Revue du dossier candidat", "Accueil Installation", "Épreuves E1, E3, E4, E2, E5",
        "Échanges et délibération", "Pause"]
    assert [s[1] for s in steps] == [10, 5, 90, 10, 5]
    assert [s[2] for s in steps] == [False, True, True, False, False]
    assert sum(s[1] for s in steps) == CERT.extra["session_total_minutes"] == 120


def test_block_orals():
    orals = {o.block: o for o in CERT.scheme.block_orals}
    assert {code: o.total_minutes for code, o in orals.items()} == {"BC01": 25, "BC02": 45, "BC03": 40}
    for oral in orals.values():
        assert sum(p.minutes for p in oral.parts) == oral.total_minutes
    assert [p.evaluations for p in orals["BC02"].parts] == [("E2",), ("E3",), ("E2", "E3")]
    assert CERT.scheme.block_oral("BC02").title == "Oral de passage du bloc 2"


def test_routes_vae_by_default_and_formation_with_the_deliverables_of_annexe_1():
    assert [(r.code, r.label) for r in CERT.routes] == [("vae", "VAE"), ("formation", "Formation")]
    assert CERT.default_route.code == "vae" and CERT.default_route.fee and not CERT.default_route.blocks_alone
    formation = CERT.route("formation")
    assert formation.fee is False and formation.blocks_alone is True
    assert {d.code: (d.min_pages, d.max_pages) for d in formation.deliverables} == {
        "E1": (2, 5), "E2": (15, 20), "E3": (15, 20), "E4": (15, 20), "E5": (2, 5)}
    assert formation.deliverable("E2").rule.endswith("Livrable: Rapport 15-20p")
    assert sum(p["minutes"] for p in CERT.extra["title_oral"]) == 90


def test_decision_rules_and_outcomes():
    rules = CERT.rules
    assert rules.block_validation is True
    assert "Chaque bloc de compétence peut être validé de façon autonome." in rules.summary
    assert "Pour obtenir le titre, le candidat doit valider les trois (3) blocs de compétences." in rules.summary
    assert "Le jury de VAE est souverain." in rules.summary
    assert [(o.code, o.label, o.comment_required) for o in rules.outcomes] == [
        ("admis", "Admis", False),
        ("admission_partielle", "Admission partielle", True),
        ("non_admis", "Non admis", True),
    ]
    vae = CERT.extra["vae_outcomes"]
    assert [o.code for o in vae] == [
        "validation_totale_titre", "validation_totale_blocs", "validation_partielle", "non_validation"]
    assert vae[2].description == "Le jury indique les compétences/expériences à acquérir."
    assert vae[3].description == "Le jury motive les raisons."
    assert [o.comment_required for o in vae] == [False, False, True, True]


def test_jury_rules():
    assert [r.key for r in CERT.jury_rules] == ["min_professionals", "external_ratio", "no_link", "deliverables_5_days"]
    assert "au moins 2 professionnels" in CERT.jury_rules[0].text
    assert "50%" in CERT.jury_rules[1].text
    assert CERT.extra["jury"] == {"min_professionals": 2, "min_experience_years": 2, "min_external_ratio": 0.5,
                                  "deliverables_days_before_session": 5, "regulation_days_before_session": 7}
    # section 2: « Aux jury de certification, au plus tard une semaine avant la session. »
    assert CERT.extra["regulation"]["jury_deadline"] in CERT.extra["regulation"]["shared_with"]
    assert CERT.extra["juror_field"] == "le développement et l'IA"
    assert f"dans {CERT.extra['juror_field']}" in CERT.jury_rules[0].text


def test_fee_and_deadline():
    assert CERT.fee.amount_cents == 30000 and CERT.fee.currency == "EUR"
    assert CERT.fee.refundable is False
    assert CERT.fee.label == "Frais administratifs de recevabilité"
    [deadline] = CERT.deadlines
    assert (deadline.key, deadline.days, deadline.after) == ("deliverables_before_session", 5, "avant la date de session")


def test_evidence_examples_per_block():
    assert CERT.blocks[0].evidence_examples[0] == "Un script de récupération des données"
    assert len(CERT.blocks[0].evidence_examples) == 6
    assert "dépôt Git projet intégration service IA" in CERT.blocks[1].evidence_examples
    assert "traces en ligne aide apportée (Stackoverflow, Github)" in CERT.blocks[2].evidence_examples


def test_registered_through_the_entry_point():
    [ep] = [ep for ep in entry_points(group="livret.plugins") if ep.name == "rncp37827"]
    assert ep.value == "livret_rncp37827.plugin"
    assert ep.load() is plugin
    assert plugin.livret_certifications() == [CERT]
    [templates] = plugin.livret_template_dirs()
    assert (templates / "rncp37827" / "certification_about.html").is_file()
