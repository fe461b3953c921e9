"""Journey of personal data (issue 18): Simplon's certifier admin records a request received by letter in the
register, sees its one-month deadline and closes it with the answer given; a visitor reads the privacy notice of
RNCP37827 from the certification's page.

Every page is checked (axe-core, ids, names, CSRF) and photographed, the form's error state included.
"""
from __future__ import annotations

import re

CERTIFIER_ADMIN = ("certificateur@demo.livret.fr", "demo-certificateur-2026")
DEMO_CANDIDATE = "manon.01@candidats.demo.livret.fr"  # a fictitious candidate with a dossier at Simplon.co


def test_the_admin_records_and_closes_a_request(people):
    admin = people.open_as(*CERTIFIER_ADMIN, name="admin-simplon")
    admin.goto("/espace/", "espace certificateur")
    admin.follow(re.compile(r"^Demandes relatives aux données personnelles"), "registre des demandes",
                 exact=False)
    page = admin.page
    assert page.get_by_role("heading", level=1).inner_text() == "Demandes relatives aux données personnelles"

    # nothing chosen: each mistake is named next to its field and in the summary, which takes the focus
    admin.submit("Enregistrer la demande", "formulaire avec erreurs")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient des erreurs")
    assert summary.is_visible()
    assert page.get_by_label(re.compile("^Type de demande")).get_attribute("aria-invalid") == "true"

    page.get_by_label(re.compile("^Type de demande")).select_option(label="Accès")
    page.get_by_label("Adresse électronique du candidat").fill(DEMO_CANDIDATE)
    page.get_by_label(re.compile("^Reçue par")).select_option(label="Courrier postal")
    page.get_by_label("Ce que demande la personne").fill("Une copie de son dossier et des pièces jointes.")
    admin.submit("Enregistrer la demande", "demande enregistrée", expect_url=r"/donnees-personnelles/demandes/\d+$")
    assert "réponse attendue au plus tard le" in page.get_by_role("status").first.inner_text()
    facts = page.locator("dl.facts").inner_text()
    assert "Manon Lefèvre" in facts and "courrier postal" in facts and "À traiter" in facts

    # closing without an answer is refused; with one, the request is closed and stays in the register
    page.get_by_label("Demande traitée").check()
    admin.submit("Clore la demande", "réponse manquante")
    assert "obligatoire" in page.locator("#response-error").inner_text()
    page.get_by_label("Demande traitée").check()
    page.get_by_label(re.compile("^Réponse apportée à la personne")).fill(
        "Archive envoyée par courrier recommandé.")
    admin.submit("Clore la demande", "demande close", expect_url=r"/donnees-personnelles/demandes$")
    row = page.get_by_role("row", name=re.compile("Accès"))
    assert "Manon Lefèvre" in row.first.inner_text() and "Traitée" in row.first.inner_text()
    page.get_by_label("Afficher").select_option("done")
    admin.submit("Filtrer", "demandes traitées")
    assert "status=done" in page.url


def test_a_visitor_reads_the_privacy_notice(people):
    visitor = people.anonymous("visiteur")
    visitor.goto("/certifications/RNCP37827", "page de la certification")
    visitor.follow("Informations sur vos données", "informations sur vos données")
    page = visitor.page
    assert page.url.endswith("/certifications/RNCP37827/donnees")
    assert page.get_by_role("heading", name="Vos droits").is_visible()
    assert "la direction Qualité et RSE de SIMPLON" in page.content()
    assert page.get_by_role("table").count() >= 3  # the periods of each activity, in a table
