"""Journey of a candidate to RS6776 « Création de contenus rédactionnels et visuels par l'usage responsable
de l'IA générative » (issue 11), in Chromium with CSRF on: the written test of six practical cases,
returned within 10 days after the end of the training (règlement, sections 2 and 3).

From « Mon espace » he opens his dossier, fills his identity, the training (an end date before the start
date first, then a wrong end date past the 10-day limit: the overview says the deadline has passed; the
right date: the overview gives the last day), answers the six cases citing annexes (validated with the
evidence of a case left empty first: error summary, focus, error tied to the field, answers kept), uploads
those annexes watching the progress bars (the cited annexes count as evidence of each case's competency),
signs the declaration, sees no blocking point left, previews the PDF, signs with his password inside the
deadline — the day the timestamping authority is slow: his version is recorded at once and the page follows
the sealing of his documents until they are issued (issue 15) — and reads his receipt (sealed PDF, e-mail).
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

from browser_support import off_the_loop

from candidate_steps import (SEALING_MS, TODAY, annex_rows, assert_error_on, back_from_annexes, blocking_problems,
                             date, declare_on_honour, download, fill, fill_identity, flash, is_pdf, make_pdf,
                             make_png, open_annexes, open_section, press, preview_is_a_pdf, remarks, section_state,
                             sign_and_submit, status, type_text, upload_annexes, validate_section, write)

EMAIL, PASSWORD = "candidate2@demo.livret.fr", "demo-candidate2-2026"


@contextmanager
def slow_timestamps(app, delays: list[float]):
    """The live platform's TSA behind a relay that answers late (:mod:`tests.dossiers.slow_tsa`), with a
    person waiting 1 s for it and a job 2 s; everything as it was afterwards."""
    from core.sealing.services import signing_config
    from tests.dossiers.slow_tsa import SlowTsa

    original, wait = signing_config(app), app.config["SUBMISSION_TSA_WAIT_SECONDS"]
    with SlowTsa(original.effective_tsa_url(), delays) as relay:
        app.extensions["livret_signing_config"] = original.replace(tsa_url=relay.url, tsa_timeout=2)
        app.config["SUBMISSION_TSA_WAIT_SECONDS"] = 1
        try:
            yield relay
        finally:
            app.extensions["livret_signing_config"] = original
            app.config["SUBMISSION_TSA_WAIT_SECONDS"] = wait


def issue_waiting_documents(app, dossier_id: int) -> bool:
    """What the scheduler's ``submission-resume`` queues: the job issuing the documents of the last version."""
    from core.dossiers.models import Dossier
    from core.dossiers.submission_queue import issue_pending
    from core.extensions import db

    with app.test_request_context("/"):
        version = db.session.get(Dossier, dossier_id).latest_version
        assert version.documents_pending and version.seal_error
        return issue_pending(version.id)
TRAINING_START = TODAY - dt.timedelta(days=40)
TRAINING_END = TODAY - dt.timedelta(days=8)  # the written test is due within 10 days: two days left
DEADLINE = TRAINING_END + dt.timedelta(days=10)
CITED = {1: "1", 2: "1", 3: "2", 4: "2", 5: "3", 6: "1, 3"}  # case -> annexes cited as its evidence

ANSWERS = {
    1: "Pour la newsletter de l'office de tourisme, j'ai rédigé un prompt précisant le public, le ton et les "
       "contraintes de longueur, puis j'ai relu et corrigé chaque proposition avant publication.",
    2: "J'ai vérifié les faits cités par l'outil (dates, horaires, tarifs) auprès des sources officielles et "
       "supprimé deux affirmations inventées ; la version finale mentionne l'usage de l'IA.",
    3: "Pour l'affiche de la fête de quartier, j'ai généré trois visuels avec un outil d'images en décrivant la "
       "charte graphique, retenu le plus lisible et retouché le texte pour qu'il soit accessible.",
    4: "J'ai contrôlé les droits d'utilisation des images générées et écarté celles qui imitaient le style d'un "
       "illustrateur identifiable, conformément aux conditions de l'outil et au droit d'auteur.",
    5: "Aucune donnée personnelle des adhérents n'a été transmise à l'outil : j'ai anonymisé les témoignages "
       "avant de demander un résumé, et documenté la démarche dans le registre de l'association.",
    6: "J'ai mesuré l'intérêt de l'IA : deux heures gagnées par newsletter, un taux d'ouverture stable ; j'ai "
       "présenté à l'équipe une charte d'usage responsable et les limites constatées.",
}


def test_candidate_rs6776_returns_the_written_test_within_ten_days(people, tmp_path):
    files = [
        {"path": make_pdf(tmp_path / "newsletter-mai.pdf", "Newsletter de mai – versions successives",
                          ["Prompt utilisé, première proposition de l'outil, version corrigée et publiée.",
                           "Sources vérifiées pour chaque information pratique."]),
         "title": "Newsletter : prompt, versions et sources", "competencies": ["C1"]},
        {"path": make_png(tmp_path / "affiche-fete.png", "Affiche de la fete de quartier"),
         "title": "Affiche générée puis retouchée"},
        {"path": make_pdf(tmp_path / "charte-usage.pdf", "Charte d'usage responsable de l'IA générative",
                          ["Règles de l'association : données personnelles, vérification, mention de l'IA.",
                           "Bilan chiffré des trois mois d'usage."]),
         "title": "Charte d'usage responsable et bilan"},
    ]

    noah = people.open_as(EMAIL, PASSWORD, "noah")
    page = noah.page

    # -- « Mon espace »: open the RS6776 dossier ------------------------------------------------------
    press(noah, re.compile(r"^Ouvrir mon dossier\s+RS6776$"), "dossier ouvert", expect_url=r"/dossiers/\d+$")
    overview_url = page.url
    flash(noah, re.compile(r"Votre dossier \S+ est ouvert"))
    assert status(noah) == "Brouillon"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dossier RS6776-")

    # -- Identité -------------------------------------------------------------------------------------
    open_section(noah, "Identité")
    fill_identity(noah, civilite=1, last_name="Bernard", first_names="Noah", birth_date=dt.date(1996, 5, 21),
                  birth_place="Nantes (Loire-Atlantique)", address="4 allée des Tilleuls", postal_code="44000",
                  town="Nantes", email=EMAIL, mobile="07 98 76 54 32")
    validate_section(noah, "Identité")

    # -- Formation suivie: the end date before the start date -----------------------------------------
    open_section(noah, "Formation suivie")
    assert page.get_by_text("au plus tard 10 jours après la fin de la formation").is_visible()
    fill(noah, {"#organisme": "Inkréa Formation",
                "#intitule": "Créer des contenus avec l'IA générative de façon responsable",
                "#date_debut": TRAINING_START, "#date_fin": TRAINING_START - dt.timedelta(days=3)})
    response = press(noah, "Valider la section", "formation en erreur")
    assert response.status == 422
    assert_error_on(noah, "date_fin", "La date de fin ne peut pas être antérieure à la date de début.",
                    "Date de fin de la formation")
    assert page.locator("#organisme").input_value() == "Inkréa Formation"
    assert page.locator("#date_debut").input_value() == TRAINING_START.isoformat()
    # a slip: the training ended twelve days ago according to what he types now
    date(noah, "#date_fin", TODAY - dt.timedelta(days=12))
    validate_section(noah, "Formation suivie")
    late = [p for p in blocking_problems(noah) if "délai de rendu" in p]
    limit = (TODAY - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    assert late and f"la date limite était le {limit}" in late[0], blocking_problems(noah)
    # the right date: eight days ago; the overview reminds him of the last day
    open_section(noah, "Formation suivie", "formation : la bonne date de fin")
    date(noah, "#date_fin", TRAINING_END)
    validate_section(noah, "Formation suivie")
    assert not [p for p in blocking_problems(noah) if "délai" in p]
    reminder = [r for r in remarks(noah) if "au plus tard le" in r]
    assert reminder and DEADLINE.strftime("%d/%m/%Y") in reminder[0], remarks(noah)
    summary = page.locator("#verification ~ details > summary").first
    summary.focus()
    page.keyboard.press("Enter")  # he unfolds the remarks: the last day is there
    assert page.get_by_text(f"au plus tard le {DEADLINE.strftime('%d/%m/%Y')}").is_visible()

    # -- Épreuve écrite: the evidence of case 6 left empty first --------------------------------------
    open_section(noah, re.compile(r"^Épreuve écrite"), "épreuve écrite")
    for case, answer in ANSWERS.items():
        write(noah, f"#c{case}_reponse", answer)
        if case != 6:
            type_text(noah, f"#c{case}_preuves", CITED[case])
    response = press(noah, "Valider la section", "épreuve écrite en erreur")
    assert response.status == 422
    assert_error_on(noah, "c6_preuves", "Indiquez au moins une annexe qui prouve votre réponse au cas pratique 6.",
                    "Éléments de preuve du cas pratique 6")
    assert page.locator("#c6_reponse").input_value() == ANSWERS[6]
    assert page.locator("#c5_preuves").input_value() == CITED[5]
    type_text(noah, "#c6_preuves", CITED[6])
    validate_section(noah, "Épreuve écrite : les 6 cas pratiques")
    missing = [p for p in blocking_problems(noah) if "n'a pas été déposée" in p]
    assert len(missing) == 7, blocking_problems(noah)  # every annex cited is still to be deposited

    # -- Annexes: three files, progress bars; the cases' citations count as evidence ------------------
    open_annexes(noah)
    upload_annexes(noah, files)
    flash(noah, "Annexes n° 1, 2, 3 ajoutées.")
    rows = annex_rows(noah)
    assert sorted(rows) == [1, 2, 3]
    assert "C1" in rows[1]["competencies"]
    coverage = back_from_annexes(noah)
    c4 = coverage.locator("tbody tr").nth(3)
    assert "n° 2" in c4.inner_text()

    # -- Déclaration sur l'honneur --------------------------------------------------------------------
    declare_on_honour(noah, "Nantes", "Bernard Noah")

    # -- Nothing blocking left; the last day is given -------------------------------------------------
    for key in ("etat_civil", "formation", "epreuve_ecrite", "annexes", "declaration_honneur"):
        assert section_state(noah, key) == "Complète", key
    assert blocking_problems(noah) == []
    assert [r for r in remarks(noah) if "au plus tard le" not in r] == []
    assert page.get_by_role("button", name="Signer et déposer mon dossier").is_enabled()

    # -- Preview ----------------------------------------------------------------------------------------
    preview_is_a_pdf(noah)

    # -- Sign and submit inside the deadline, the day the timestamping authority is slow ----------------
    # The TSA answers after 3 s: the request gives up after SUBMISSION_TSA_WAIT_SECONDS (1 s here) and records
    # the version; the job (inline) meets the same slow TSA (2 s timeout here) and fails: the page shows the
    # version recorded, its documents waiting, the reason. Then the TSA is quick again and the scheduler's job
    # issues them: the page's script sees it and reloads with the documents.
    with slow_timestamps(people.app, delays=[3, 3]) as tsa:
        sign_and_submit(noah, PASSWORD, "dossier déposé, scellement en attente")
        flash(noah, "Votre dossier est déposé (version 1). Son scellement se termine")
        waiting = page.get_by_role("region", name="Scellement de votre dépôt en cours")
        assert "est bien déposé (version 1) et ne peut plus être perdu" in waiting.inner_text()
        assert waiting.get_by_role("status").inner_text() == "0 document(s) scellé(s) sur 2."
        assert "ne répond pas assez vite" in waiting.get_by_role("alert").inner_text()
        assert status(noah) == "Recevable"  # recorded: RS6776 has no recevabilité, the test goes to the jury
        tsa.delays = []
        with page.expect_navigation(timeout=SEALING_MS):  # the progress script reloads the page once done
            assert off_the_loop(issue_waiting_documents, people.app, int(overview_url.rsplit("/", 1)[1]))
    noah.check("dossier déposé, documents émis")
    assert not page.get_by_role("region", name="Scellement de votre dépôt en cours").count()
    assert page.get_by_role("heading", name="Mes documents").is_visible()
    assert status(noah) == "Recevable"
    with people.app.app_context():
        from core.dossiers.models import Dossier
        from core.extensions import db

        dossier = db.session.get(Dossier, int(overview_url.rsplit("/", 1)[1]))
        reference = dossier.reference
        submitted = dossier.latest_version.submitted_at
        assert len(dossier.versions) == 1
    from zoneinfo import ZoneInfo

    assert submitted.replace(tzinfo=submitted.tzinfo or dt.timezone.utc).astimezone(
        ZoneInfo("Europe/Paris")).date() <= DEADLINE

    # -- The receipt -----------------------------------------------------------------------------------
    name, data = download(noah, f"Accusé de réception – {reference} – version 1")
    assert name.lower() == f"accuse-reception-{reference}-v1.pdf".lower() and is_pdf(data)
    receipts = [m for m in people.emails() if m["To"] == EMAIL and reference in m["Subject"]]
    assert len(receipts) == 1
    body = receipts[0].get_body(preferencelist=("plain",)).get_content()
    assert "Version déposée : 1" in body and "Pièces justificatives : 3" in body
