"""The « Livrables des épreuves » page, as a candidate uses it: one row per deliverable (title, rule, page
range, current file), one upload form per row posted with the token it rendered; a refusal comes back beside
its row with the rule quoted and the other rows as they were; other people get 404."""
from __future__ import annotations

import io
import re

from tests.deliverables.conftest import E2_REFUSAL, pdf_pages, text


def _post(client, dossier_id, code, pages, filename="rapport.pdf"):
    # PageClient loads the page, finds the form whose action is this URL and sends its CSRF token
    return client.post(f"/dossiers/{dossier_id}/livrables/{code}", page=f"/dossiers/{dossier_id}/livrables",
                       data={"file": (io.BytesIO(pdf_pages(pages, mark=f"{code}-{pages}")), filename)},
                       content_type="multipart/form-data")


def test_the_page_lists_each_deliverable_and_takes_uploads(app, open_dossier, browser, annex_rows, stored_keys):
    candidate = open_dossier()
    client = browser(candidate.user)
    overview = text(client.get(f"/dossiers/{candidate.dossier_id}"))
    assert f'href="/dossiers/{candidate.dossier_id}/livrables">Livrables des épreuves</a>' in overview
    assert "Couverture des compétences par les preuves" not in overview  # no evidence annexes on this route
    assert "Déposez le livrable E3 : Rapport professionnel individuel (E3)" in overview
    # the problem's link goes to the section, which leads to the page
    section = client.get(f"/dossiers/{candidate.dossier_id}/sections/livrables")
    assert section.status_code == 302 and section.headers["Location"].endswith(
        f"/dossiers/{candidate.dossier_id}/livrables")

    listing = text(client.get(f"/dossiers/{candidate.dossier_id}/livrables"))
    assert "Livrables des épreuves du dossier" in listing
    for code in ("E1", "E2", "E3", "E4", "E5"):
        assert f'id="livrable-{code}"' in listing
        assert f'action="/dossiers/{candidate.dossier_id}/livrables/{code}"' in listing
    assert "Rapport professionnel individuel (E2)" in listing and "De 15 à 20 pages" in listing
    assert "Règle : E2 : Présentation orale (15 min) - Livrable: Rapport 15-20p" in listing
    assert listing.count("Aucun fichier déposé") == 5

    response = _post(client, candidate.dossier_id, "E1", 3, filename="Rapport E1.pdf")
    assert response.status_code == 302, text(response)
    after = text(client.get(response.headers["Location"]))
    assert "Livrable E1 déposé : « Rapport E1.pdf », 3 pages." in after
    assert f"/dossiers/{candidate.dossier_id}/annexes/1/contenu" in after and "Remplacer le livrable E1" in after
    keys = stored_keys()

    refused = _post(client, candidate.dossier_id, "E2", 9)
    assert refused.status_code == 422
    html = text(refused)
    assert E2_REFUSAL in html
    assert re.search(r'<p class="error" id="file-E2-error">.*Le rapport E2 doit compter de 15 à 20 pages', html)
    assert 'aria-describedby="file-E2-hint file-E2-error" aria-invalid="true"' in html
    assert "Rapport E1.pdf" in html and html.count("Aucun fichier déposé") == 4  # the other rows as they were
    assert annex_rows(candidate.dossier_id) == [(1, "deliverable", "E1", 3, False)]
    assert stored_keys() == keys

    missing = client.post(f"/dossiers/{candidate.dossier_id}/livrables/E3",
                          page=f"/dossiers/{candidate.dossier_id}/livrables", data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choisissez le fichier PDF du livrable E3." in text(missing)
    assert client.post(f"/dossiers/{candidate.dossier_id}/livrables/E9",
                       data={"file": (io.BytesIO(pdf_pages(3)), "x.pdf")},
                       content_type="multipart/form-data").status_code == 404


def test_a_vae_dossier_has_no_deliverables_section(open_dossier, browser):
    candidate = open_dossier(route=None)
    client = browser(candidate.user)
    overview = text(client.get(f"/dossiers/{candidate.dossier_id}"))
    assert "Livrables des épreuves" not in overview and "/livrables" not in overview
    back = client.get(f"/dossiers/{candidate.dossier_id}/livrables")  # nothing to hand in: back to the dossier
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/dossiers/{candidate.dossier_id}")
    assert client.get(f"/dossiers/{candidate.dossier_id}/sections/livrables").status_code == 404


def test_other_people_get_404(open_dossier, browser, create_user, organisation,
                                                               annex_rows):
    candidate = open_dossier()
    other = browser(open_dossier().user)
    assert other.get(f"/dossiers/{candidate.dossier_id}/livrables").status_code == 404
    assert _post(other, candidate.dossier_id, "E1", 3).status_code == 404
    outsider = browser(create_user("certifier_staff"))  # another organisation
    assert outsider.get(f"/dossiers/{candidate.dossier_id}/livrables").status_code == 404
    assert _post(outsider, candidate.dossier_id, "E1", 3).status_code == 404
    # the dossier's own organisation does not see a draft, nor upload for its candidate
    staff = browser(create_user("certifier_staff", organisation=organisation))
    assert staff.get(f"/dossiers/{candidate.dossier_id}/livrables").status_code == 404
    assert _post(staff, candidate.dossier_id, "E1", 3).status_code == 404
    assert annex_rows(candidate.dossier_id) == []
