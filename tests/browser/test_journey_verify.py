"""Journey of anyone (issue 11): the public verification page ``/verifier``, without an account.

A document sealed by the platform (a small PDF issued in set-up through ``core.sealing.services``) gives
the positive report; the same document changed after it was sealed (an incremental update drawing on
its page, then a byte changed inside the signed range) gives the negative report, explained in French.
The file is chosen with the keyboard: the file field is focused and opened with the space bar.
"""
from __future__ import annotations

import io
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from browser_support import off_the_loop

SEALING_MS = 60_000


def sealed_document(app) -> bytes:
    """A PDF sealed by the platform, recorded as issued (its hash is in the platform's register)."""
    from weasyprint import HTML

    from core.sealing.services import issue_document

    pdf = HTML(string='<html lang="fr"><head><title>Attestation de dépôt</title></head><body>'
                      '<h1>Attestation de dépôt</h1><p>Dossier RNCP37827 de démonstration : montant des frais '
                      '300,00 €.</p></body></html>').write_pdf()
    with app.test_request_context("/"):
        doc = issue_document(pdf, kind="attestation", title="Attestation de dépôt (vérification)",
                             filename="attestation-depot.pdf", reason="Attestation de dépôt")
        with app.extensions["livret"].storage.open(doc.storage_key) as stored:
            return stored.read()


def drawn_over(data: bytes) -> bytes:
    """An incremental update appended after the seals: a red box drawn over the first page."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 40 600 300 80 re f Q"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def byte_flipped(data: bytes) -> bytes:
    """One hexadecimal digit of the file identifier (inside every signed range) changed."""
    match = re.search(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>", data)
    assert match, "no /ID in the sealed PDF"
    position = match.start(1)
    flipped = b"0" if data[position:position + 1] != b"0" else b"1"
    return data[:position] + flipped + data[position + 1:]


def choose_file_with_keyboard(person, name: str, data: bytes) -> None:
    """Focus the file field, open the chooser with the space bar, pick the file, Tab to the button, Enter."""
    page = person.page
    field = page.get_by_label(re.compile(r"^Document PDF à vérifier"))
    # Chromium sometimes drops the space bar's activation of a file field when the machine is loaded
    # (CI saw no "filechooser" event once in a full run): the person presses the key again, as anyone would.
    for attempt in range(3):
        field.focus()
        assert page.evaluate("() => document.activeElement.type") == "file"
        try:
            with page.expect_file_chooser(timeout=8_000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    chooser.value.set_files({"name": name, "mimeType": "application/pdf", "buffer": data})
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Vérifier le document", f"Tab led to « {focused} »"
    with page.expect_navigation(timeout=SEALING_MS):
        page.keyboard.press("Enter")


def test_anyone_verifies_a_sealed_pdf_then_a_tampered_copy(people):
    sealed = off_the_loop(sealed_document, people.app)
    assert sealed.startswith(b"%PDF") and b"/ByteRange" in sealed

    visitor = people.anonymous()
    page = visitor.page
    visitor.goto("/", "accueil")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Vérifier un document")).first.click()
    visitor.check("page de vérification")
    assert page.url.endswith("/verifier")
    assert page.get_by_role("heading", level=1).inner_text() == "Vérifier un document signé"

    # -- the document as issued -----------------------------------------------------------------------------
    choose_file_with_keyboard(visitor, "attestation-depot.pdf", sealed)
    visitor.check("document scellé : rapport positif")
    verdict = page.get_by_role("status").filter(has_text="Document")
    assert "Document valide" in verdict.inner_text(), page.inner_text("main")
    report = page.locator(".verify-report").inner_text()
    assert re.search(r"Émis par cette plateforme\s+oui — le \d{2}/\d{2}/\d{4}", report), report
    assert re.search(r"Nom du fichier\s+attestation-depot\.pdf", report), report
    assert "contenu signé intact" in report
    assert "certificat issu d'une autorité de confiance" in report
    assert re.search(r"PAdES B-LTA|PAdES B-LT|PAdES B-T", report), report
    signature = page.locator("table.signature-report").first
    assert "— valide" in signature.locator("caption").inner_text()
    signer = signature.get_by_role("row", name=re.compile("^Signataire")).inner_text()
    assert signer.replace("Signataire", "").strip(), "the signer is named"

    # -- the same document with a drawing added after the seal ------------------------------------------------
    choose_file_with_keyboard(visitor, "attestation-depot-modifiee.pdf", drawn_over(sealed))
    visitor.check("document modifié après scellement : rapport négatif")
    verdict = page.get_by_role("status").filter(has_text="Document")
    assert "Document non valide" in verdict.inner_text(), page.inner_text("main")
    reasons = verdict.locator("li").all_inner_texts()
    assert reasons and all(re.search(r"[a-zà-ÿ]", r) for r in reasons), reasons
    report = page.locator(".verify-report").inner_text()
    assert "non : aucun document émis par cette plateforme n'a cette empreinte" in report, report
    assert re.search(r"Nom du fichier\s+attestation-depot-modifiee\.pdf", report), report

    # -- a byte changed inside the signed range -----------------------------------------------------------------
    choose_file_with_keyboard(visitor, "attestation-depot-alteree.pdf", byte_flipped(sealed))
    visitor.check("octet modifié : rapport négatif")
    verdict = page.get_by_role("status").filter(has_text="Document")
    assert "Document non valide" in verdict.inner_text(), page.inner_text("main")
    report = page.locator(".verify-report").inner_text()
    assert "contenu signé modifié ou signature invalide" in report, report
    assert "non : aucun document émis par cette plateforme n'a cette empreinte" in report
