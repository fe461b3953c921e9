"""Journey of the certifier's staff (issue 11): find a submitted RNCP37827 dossier in the back office,
record its fee, ask for two corrections, let the candidate fix them and submit again, see what changed,
declare it admissible, and export the list (CSV and XLSX).

The candidate's first submission is prepared through the services (another journey covers it in the
browser); everything after that happens in two browser contexts, the staff member's and the candidate's,
each signed in through the real form, with CSRF and rate limits on.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import urlsplit

from browser_support import off_the_loop
from livret_rncp37827.testing import complete_sections, post_data

STAFF = ("equipe@demo.livret.fr", "demo-equipe-2026")
CANDIDATE_EMAIL = "garance.vautrin@example.org"
CANDIDATE_PASSWORD = "vautrin-garance-2026"
SEALING_MS = 90_000  # signing + sealing + timestamping take seconds on a small machine

FIRST_LETTER = ("Depuis cinq ans, je conçois des chaînes de collecte de données et j'intègre des modèles "
                "d'apprentissage automatique dans les applications de la métropole.")
SECOND_LETTER = (FIRST_LETTER + " J'ai notamment mis en production un modèle de prévision de l'affluence "
                 "des parkings relais, suivi chaque semaine avec l'équipe mobilité.")


def _sections():
    """Garance's complete RNCP37827 sections (she pays the fee herself), as the browser posts them."""
    return complete_sections(last_name="Vautrin", first_names="Garance", email=CANDIDATE_EMAIL,
                             financing={"mode": "individuel"}, letter=FIRST_LETTER)


def _pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f'<html lang="fr"><head><title>{text}</title></head>'
                       f'<body><h1>{text}</h1><p>Pièce justificative.</p></body></html>').write_pdf()


def submitted_dossier(app) -> dict:
    """A candidate who can sign in, with a complete RNCP37827 dossier signed and submitted (version 1)."""
    from core.auth.models import Role
    from core.auth.services import create_user
    from core.certifications.services import get_certification
    from core.dossiers import services
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.dossiers.submission import submit_and_seal
    from core.extensions import db
    from storage import new_key

    with app.test_request_context("/"):
        user = create_user(email=CANDIDATE_EMAIL, password=CANDIDATE_PASSWORD, role=Role.CANDIDATE,
                           first_name="Garance", last_name="Vautrin", verified=True)
        dossier = services.create_dossier(user, "RNCP37827")
        db.session.commit()
        storage = app.extensions["livret"].storage
        for number, title, role, codes in [(1, "Curriculum vitae", "cv", []),
                                           (2, "Scripts d'extraction (dépôt Git)", "evidence", ["C1", "C3"]),
                                           (3, "Modèle de la base des comptages", "evidence", ["C4"])]:
            content = _pdf(title)
            stored = storage.put(new_key("annexes", dossier.id), io.BytesIO(content), content_type="application/pdf")
            db.session.add(Annex(
                dossier_id=dossier.id, number=number, title=title, role=role, filename=f"annexe-{number}.pdf",
                media_type="application/pdf", size=stored.size, sha256=stored.sha256, storage_key=stored.key,
                pages=1, scan_state=ScanState.CLEAN, uploaded_by_id=user.id,
                competencies=[AnnexCompetency(competency_code=c) for c in codes]))
        db.session.commit()
        cert = get_certification("RNCP37827")
        for key, values in _sections().items():
            spec = services.section_spec(cert, key)
            form = services.build_form(spec, cert, formdata=post_data(values))
            draft = services.save_section(dossier, spec, form, actor=user, cert=cert)
            assert draft.complete, (key, draft.problems)
        db.session.commit()
        version, documents = submit_and_seal(dossier, actor=user, password=CANDIDATE_PASSWORD)
        assert version.number == 1 and len(documents) == 2
        return {"id": dossier.id, "reference": dossier.reference}


def _open_filters(page) -> None:
    """The back office's filters may sit in a collapsible panel: open it with the keyboard if closed."""
    panel = page.locator("details.filters-panel")
    if panel.count() and not panel.evaluate("d => d.open"):
        panel.locator("summary").focus()
        page.keyboard.press("Enter")


def _subjects(people) -> list[str]:
    return [str(m["Subject"]) for m in people.emails()]


def _mail_to(people, address: str, subject_part: str):
    found = [m for m in people.emails() if m["To"] == address and subject_part in str(m["Subject"])]
    assert found, f"no e-mail « {subject_part} » to {address}: {_subjects(people)}"
    return found[-1]


def _body(message) -> str:
    part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else message
    return part.get_content() if part is not None else str(message)


def _record_decision(staff, label: str) -> str:
    """The staff member confirms the admissibility decision with their password (a sealed letter follows);
    returns the text of the page that answers."""
    page = staff.page
    page.get_by_role("group", name=re.compile("Confirmez votre identité")).get_by_label(
        re.compile(r"^Mot de passe")).fill(STAFF[1])
    with page.expect_navigation(timeout=SEALING_MS):
        page.get_by_role("button", name="Enregistrer la décision").click(timeout=SEALING_MS)
    staff.check(label)
    return page.inner_text("main")


def test_staff_reviews_asks_two_corrections_then_declares_admissible(people):
    app = people.app
    dossier = off_the_loop(submitted_dossier, app)
    ref, dossier_id = dossier["reference"], dossier["id"]
    assert _mail_to(people, CANDIDATE_EMAIL, "Accusé de réception")

    # -- staff finds the dossier in the back office: by name, then by reference with filters ----------------
    staff = people.open_as(*STAFF, name="equipe")
    page = staff.page
    staff.goto("/certificateur/dossiers", "liste des dossiers")
    page.get_by_role("searchbox").fill("vautrin")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    staff.check("recherche par nom")
    results = page.locator("table tbody tr")
    assert results.count() == 1, page.locator("main").inner_text()
    assert ref in results.first.inner_text() and "Garance" in results.first.inner_text()
    assert "Déposé" in results.first.inner_text()

    page.get_by_role("searchbox").fill(ref)
    _open_filters(page)
    page.get_by_label("Certification", exact=True).select_option("RNCP37827")
    page.get_by_label("Statut", exact=True).select_option(label="Déposé")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Appliquer")).click()
    staff.check("recherche par référence et filtres")
    assert "status=submitted" in page.url and "certification=RNCP37827" in page.url
    assert page.locator("table tbody tr").count() == 1
    assert page.locator("#results-count").inner_text().strip().startswith("1 dossier")

    with page.expect_navigation():
        page.get_by_role("link", name=ref, exact=True).click()
    staff.check("dossier vu par l'équipe")
    with page.expect_navigation():
        page.get_by_role("link", name="Étudier la recevabilité").click()
    staff.check("recevabilité : frais non réglés")
    assert "/recevabilite" in page.url
    main = page.inner_text("main")
    assert "L'étude de recevabilité ne peut pas commencer : les frais ne sont pas réglés." in main
    assert "le virement du candidat ou de la candidate" in main and "votre virement" not in main, main
    assert page.get_by_role("button", name="Enregistrer la décision").count() == 0

    # -- the fee: the candidate's transfer is recorded ----------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Voir les frais du dossier").click()
    staff.check("frais du dossier")
    main = page.inner_text("main")
    assert "300,00" in main and "virement" in main, main
    page.get_by_label(re.compile(r"^Date de réception")).fill(dt.date.today().isoformat())
    page.get_by_label(re.compile(r"^Note")).fill(f"VIR SEPA VAUTRIN {ref}")
    with page.expect_navigation(timeout=SEALING_MS):
        page.get_by_role("button", name="Enregistrer le paiement").click(timeout=SEALING_MS)
    staff.check("paiement enregistré")
    main = page.inner_text("main")
    assert re.search(r"Paiement enregistré : facture n° \d{4}-\d{6}", main), main
    assert "Les frais sont réglés" in main
    assert page.get_by_role("button", name="Enregistrer le paiement").count() == 0

    # -- two corrections --------------------------------------------------------------------------------------
    staff.goto(f"/certificateur/dossiers/{dossier_id}/recevabilite", "recevabilité : décision possible")
    assert "les frais ne sont pas réglés" not in page.inner_text("main")
    assert "Premier dépôt." in page.inner_text("#historique ~ section")
    page.get_by_label("Corrections demandées au candidat").check()
    first = page.get_by_role("group", name="Correction n° 1")
    first.get_by_label(re.compile(r"^Correction attendue")).fill(
        "Décrivez un projet d'intelligence artificielle que vous avez mené jusqu'à la mise en production.")
    first.get_by_label(re.compile(r"^Section concernée")).select_option(label="Votre lettre de motivation")
    second = page.get_by_role("group", name="Correction n° 2")
    second.get_by_label(re.compile(r"^Correction attendue")).fill(
        "Votre numéro de téléphone portable ne répond pas : indiquez un numéro à jour.")
    second.get_by_label(re.compile(r"^Section concernée")).select_option(label="État civil")
    page.locator("#decision").scroll_into_view_if_needed()
    main = _record_decision(staff, "corrections demandées")
    assert f"Les corrections ont été demandées au candidat pour le dossier {ref}." in main, main
    assert "Corrections demandées" in page.locator("dl.facts").inner_text()
    mail = _mail_to(people, CANDIDATE_EMAIL, "Corrections demandées")
    text = _body(mail)
    assert "[Votre lettre de motivation]" in text and "[État civil]" in text
    link = re.search(r"https?://\S+/dossiers/\d+", text).group(0)

    # -- the candidate reads the request, fixes both points, signs and submits again ------------------------
    candidate = people.open_as(CANDIDATE_EMAIL, CANDIDATE_PASSWORD, name="candidate")
    cpage = candidate.page
    candidate.goto(urlsplit(link).path, "courriel : lien vers le dossier")
    request = cpage.get_by_role("region", name="Corrections demandées par le certificateur")
    asked = request.get_by_role("listitem").all_inner_texts()
    assert len(asked) == 2 and asked[0].startswith("Votre lettre de motivation : Décrivez un projet"), asked
    assert asked[1].startswith("État civil : Votre numéro de téléphone"), asked
    assert "Corrections demandées" in cpage.locator("dl.facts").inner_text()

    with cpage.expect_navigation():
        request.get_by_role("link", name=re.compile("^Décrivez un projet")).click()
    candidate.check("section lettre de motivation")
    letter = cpage.get_by_label(re.compile(r"^Lettre de motivation|^Votre lettre"))
    letter.fill(SECOND_LETTER)
    candidate.submit("Valider la section", "lettre corrigée", expect_url=rf"/dossiers/{dossier_id}$")
    assert "Section « Votre lettre de motivation » complète et enregistrée." in cpage.inner_text("main")

    with cpage.expect_navigation():
        cpage.get_by_role("region", name="Corrections demandées par le certificateur").get_by_role(
            "link", name=re.compile("^Votre numéro de téléphone")).click()
    candidate.check("section état civil")
    phone = cpage.get_by_label(re.compile(r"^Téléphone portable"))
    phone.fill("07 98 76 54 32")
    candidate.submit("Valider la section", "état civil corrigé", expect_url=rf"/dossiers/{dossier_id}$")
    assert "Toutes les sections obligatoires sont complètes" in cpage.inner_text("main")

    cpage.get_by_label(re.compile(r"^Mot de passe")).fill(CANDIDATE_PASSWORD)
    with cpage.expect_navigation(timeout=SEALING_MS):
        cpage.get_by_role("button", name="Signer et déposer mon dossier").click(timeout=SEALING_MS)
    candidate.check("deuxième dépôt")
    main = cpage.inner_text("main")
    assert "Votre dossier est déposé (version 2)" in main, main
    assert "Déposé" in cpage.locator("dl.facts").inner_text()
    assert cpage.get_by_role("region", name="Corrections demandées par le certificateur").count() == 0

    # -- staff sees what changed and declares the dossier admissible -----------------------------------------
    staff.goto(f"/certificateur/dossiers/{dossier_id}/recevabilite", "recevabilité : version 2")
    history = page.locator("#historique ~ section").first
    assert "Ce qui a changé depuis la version 1" in history.inner_text()
    changes = history.locator("table.diff")
    captions = " | ".join(changes.locator("caption").all_inner_texts())
    assert "Votre lettre de motivation" in captions and "État civil" in captions, captions
    diff_text = history.inner_text()
    assert "parkings relais" in diff_text
    assert re.search(r"\+33798765432|07 98 76 54 32", diff_text) and re.search(r"\+33612345678|06 12 34 56 78", diff_text)
    assert "modifié" in diff_text
    fields = [t.strip() for t in history.locator("table.diff tbody th").all_inner_texts()]
    assert sorted(fields) == ["Lettre de motivation", "Téléphone portable"], fields  # labels, not data paths
    older = page.locator("#historique ~ section").nth(1)
    assert "Décrivez un projet d'intelligence artificielle" in older.inner_text()

    page.get_by_label("Recevable", exact=True).check()
    main = _record_decision(staff, "dossier déclaré recevable")
    assert f"Le dossier {ref} est déclaré recevable." in main, main
    assert "Recevable" in page.locator("dl.facts").inner_text()
    mail = _mail_to(people, CANDIDATE_EMAIL, "est recevable")
    assert ref in str(mail["Subject"])

    # the candidate finds the sealed letter among their documents
    candidate.goto(f"/dossiers/{dossier_id}", "dossier recevable")
    assert "Recevable" in cpage.locator("dl.facts").inner_text()
    letters = cpage.get_by_role("link", name=re.compile("^Décision de recevabilité"))
    assert letters.count() == 2  # the request for corrections on version 1, the admissibility of version 2
    letter_link = cpage.get_by_role("link", name=re.compile("^Décision de recevabilité.*version 2"))
    with cpage.expect_download() as download_info:
        letter_link.click()
    letter_pdf = download_info.value.path().read_bytes()
    assert letter_pdf.startswith(b"%PDF") and b"/ByteRange" in letter_pdf

    # -- the export of the list, CSV and XLSX ----------------------------------------------------------------
    staff.goto("/certificateur/dossiers", "liste avant export")
    _open_filters(page)
    page.get_by_label("Statut", exact=True).select_option(label="Recevable")
    page.get_by_role("searchbox").fill("vautrin")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    staff.check("liste filtrée des dossiers recevables")
    assert "status=admissible" in page.url
    row = page.locator("table tbody tr")
    assert row.count() == 1 and "Recevable" in row.first.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^CSV")).click()
    csv_download = download_info.value
    assert csv_download.suggested_filename.endswith(".csv")
    text = csv_download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2, rows
    assert ref in rows[1] and "Vautrin".upper() in " ".join(rows[1]).upper()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^XLSX")).click()
    xlsx_download = download_info.value
    assert xlsx_download.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx_download.path().read_bytes()), read_only=True).active
    values = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    assert len(values) == 2 and ref in values[1], values
