"""Journey of a training-route candidate to RNCP37827 (issue 14), in Chromium with CSRF on: from « Mon espace »
Noah chooses the « Formation » access route and the oral of block 2 only, opens his dossier, finds the
« Livrables des épreuves » of Annexe 1 (E2 and E3 for block 2), hands in an E2 report of 9 pages (refused with
the rule quoted, tied to the field), then one of 16 pages, and sees the file listed with its page count.
Every page is checked with axe and screenshotted."""
from __future__ import annotations

import re

from playwright.sync_api import expect

EMAIL, PASSWORD = "candidate2@demo.livret.fr", "demo-candidate2-2026"


def _report(path, pages: int):
    """A report of exactly ``pages`` pages (one section a page)."""
    from weasyprint import HTML

    body = "".join(f"<section style='page-break-after: always'><h2>Partie {n}</h2><p>Veille, inventaire des "
                   f"services d'IA et préconisation.</p></section>" for n in range(1, pages))
    HTML(string=f"<html lang='fr'><head><meta charset='utf-8'><title>Rapport E2</title></head><body>{body}"
                f"<section><h2>Partie {pages}</h2><p>Conclusion.</p></section></body></html>").write_pdf(str(path))
    return path


def test_a_training_route_candidate_hands_in_the_deliverables_of_block_2(people, tmp_path):
    noah = people.open_as(EMAIL, PASSWORD, "noah")
    page = noah.page
    noah.goto("/espace/", "mon espace")
    card = page.locator("li.card", has=page.get_by_role("heading", name=re.compile("^RNCP37827")))
    card.get_by_role("radio", name="Formation").check()
    card.get_by_label("Vous vous présentez pour").select_option("BC02")
    noah.submit("Ouvrir mon dossier RNCP37827", "dossier ouvert voie formation", expect_url=r"/dossiers/\d+$")
    expect(page.get_by_role("link", name="Livrables des épreuves", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Votre CV")).to_have_count(0)  # the Livret 2 is the VAE route's
    expect(page.locator("dl")).to_contain_text("Formation – Oral de passage du bloc 2 (BC02, 45 minutes)")
    expect(page.get_by_role("link", name=re.compile("^Frais de recevabilité"))).to_have_count(0)  # no fee
    noah.follow("Livrables des épreuves", "livrables")
    rows = page.locator("table.deliverable-table tbody tr")
    expect(rows).to_have_count(2)  # block 2: E2 and E3
    expect(rows.nth(0)).to_contain_text("De 15 à 20 pages")

    page.set_input_files("#file-E2", str(_report(tmp_path / "e2-court.pdf", 9)))
    noah.submit("Déposer le livrable E2", "livrable E2 refusé")
    error = page.locator("#file-E2-error")
    expect(error).to_contain_text("Le rapport E2 doit compter de 15 à 20 pages ; le vôtre en compte 9")
    expect(error).to_contain_text("Livrable: Rapport 15-20p")
    expect(page.locator("#file-E2")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Livrable E2")

    page.set_input_files("#file-E2", str(_report(tmp_path / "e2.pdf", 16)))
    noah.submit("Déposer le livrable E2", "livrable E2 déposé")
    expect(rows.nth(0)).to_contain_text("e2.pdf")
    expect(rows.nth(0)).to_contain_text("16 pages")
    expect(page.get_by_role("button", name="Remplacer le livrable E2")).to_be_visible()
