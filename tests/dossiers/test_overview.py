"""The candidate's dossier overview before submission: problems naming the section and the field,
the sign button disabled while problems remain, the Livret 2 preview, unique ids, Paris times.

Written for CSRF on: every POST sends the token the page rendered, as a browser does.
"""
import html
import io
import re
import subprocess
from collections import Counter
from datetime import datetime, timezone

import pikepdf
import pytest

from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.testing import make_certification
from forms.sections import get

CODE = "OVW01"


class OverviewPlugin:
    __name__ = "overviewplugin"

    @hookimpl
    def livret_certifications(self):
        return [make_certification(CODE, "Certification à aperçu")]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code != CODE:
            return None
        return [SectionSpec("etat_civil", "État civil", form=get("etat_civil")),
                SectionSpec("lettre_motivation", "Votre lettre de motivation", form=get("lettre_motivation")),
                SectionSpec("annexes", "Annexes", kind="annexes", required=False),
                # the RNCP37827 key: its overview row must not take the id of <main id="contenu">
                SectionSpec("contenu", "Contenu de ce livret", kind="contents", required=False)]


@pytest.fixture
def plugin(register_plugin, certifier_org):
    certifier_org(CODE)  # the organisation the dossiers are opened with
    return register_plugin(OverviewPlugin(), "overviewplugin")


def page(response):
    return html.unescape(response.get_data(as_text=True))


def csrf_from(text: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post_form(client, page_url: str, url: str, data: dict):
    """GET the page, then POST ``data`` to ``url`` with the token the page rendered."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def open_dossier(client) -> int:
    response = post_form(client, f"/certifications/{CODE}", "/dossiers/nouveau", {"certification": CODE})
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def save(client, dossier_id: int, key: str, data: dict, action: str = "draft"):
    url = f"/dossiers/{dossier_id}/sections/{key}"
    return post_form(client, url, url, {**data, "action": action})


def ids_of(text: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', text))


def test_problems_name_section_and_field_and_the_button_waits(app, client, plugin, create_user, login):
    user = create_user("candidate", first_name="Camille", last_name="Martin")
    login(user)
    dossier_id = open_dossier(client)
    save(client, dossier_id, "etat_civil", {"nom_naissance": "Martin"})

    overview = page(client.get(f"/dossiers/{dossier_id}"))
    # each problem names its section and its field, and links to the field
    assert "État civil › Date de naissance : ce champ est obligatoire" in overview
    assert re.search(rf'href="/dossiers/{dossier_id}/sections/etat_civil#date_naissance">'
                     r"État civil › Date de naissance : ce champ est obligatoire</a>", overview)
    assert "« État civil » : Ce champ est obligatoire." not in overview
    assert "La section « Votre lettre de motivation » n'est pas remplie." in overview
    blocking = len(re.findall(r"<li><a href=\"/dossiers/\d+/sections/", overview.split('id="verification"')[1]
                              .split("</ul>")[0]))
    assert blocking >= 3

    # the sign button is disabled and says why; the explanation is its description
    button = re.search(r"<button type=\"submit\"([^>]*)>Signer et déposer mon dossier</button>", overview)
    assert button and "disabled" in button.group(1) and 'aria-describedby="submit-help"' in button.group(1)
    help_text = re.search(r'<p class="hint" id="submit-help">([^<]+)</p>', overview).group(1)
    assert help_text == f"Le dépôt sera possible quand les {blocking} points bloquants ci-dessus seront réglés."

    # the server still refuses a submission forced past the disabled button
    response = post_form(client, f"/dossiers/{dossier_id}", f"/dossiers/{dossier_id}/deposer",
                         {"password": user.plain_password})
    assert response.status_code == 409  # the page comes back with the reason at the password field
    assert "Le dossier est incomplet" in page(response)
    assert 'aria-describedby="submit-password-error submit-help"' in page(response)

    # ids are unique: the "contenu" row no longer takes the id of <main id="contenu">
    counts = ids_of(overview)
    assert counts["contenu"] == 1 and 'id="section-contenu"' in overview
    assert not [i for i, n in counts.items() if n > 1]
    # a non-form section redirects to its row
    response = client.get(f"/dossiers/{dossier_id}/sections/contenu")
    assert response.headers["Location"].endswith("#section-contenu")


def test_the_api_problems_carry_the_same_names(app, client, plugin, create_user, login):
    user = create_user("candidate")
    login(user)
    dossier_id = open_dossier(client)
    save(client, dossier_id, "etat_civil", {"nom_naissance": "Martin"})
    with app.test_request_context():
        from core.certifications.services import get_certification
        from core.dossiers import services
        from core.dossiers.models import Dossier
        from core.extensions import db

        dossier = db.session.get(Dossier, dossier_id)
        found = services.problems(dossier, get_certification(CODE))
        birth = next(p for p in found if p.field == "date_naissance")
        assert str(birth.message) == "État civil › Date de naissance : ce champ est obligatoire"
        assert birth.section == "etat_civil" and birth.code == "section_invalid" and birth.blocking


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_preview_shows_the_livret_before_signing(app, client, plugin, create_user, login):
    user = create_user("candidate", first_name="Camille", last_name="Martin")
    login(user)
    dossier_id = open_dossier(client)
    save(client, dossier_id, "lettre_motivation", {"lettre": "Dix ans d'expérience en analyse de données."})

    overview = page(client.get(f"/dossiers/{dossier_id}"))
    link = re.search(r'<a href="([^"]+)" type="application/pdf">Prévisualiser le document « Dossier de certification » \(PDF\)</a>', overview)
    assert link and link.group(1) == f"/dossiers/{dossier_id}/apercu.pdf"

    response = client.get(link.group(1))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "MARTIN" in text and "Camille" in text
    assert "Aperçu – non signé" in text
    assert "Dix ans d'expérience en analyse de données." in text
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "Aperçu – non signé" in str(pdf.open_metadata().get("dc:title", "")) or \
            "Aperçu" in str(pdf.docinfo.get("/Title", ""))
        assert "/AcroForm" not in pdf.Root  # no signature field: not signed

    # nothing was submitted, stored or signed
    with app.app_context():
        from core.dossiers.models import Document, Dossier, DossierStatus
        from core.extensions import db

        assert db.session.get(Dossier, dossier_id).status is DossierStatus.DRAFT
        assert db.session.query(Document).filter_by(dossier_id=dossier_id).count() == 0


def test_preview_is_the_owners_only(app, client, plugin, create_user, login):
    owner = create_user("candidate")
    login(owner)
    dossier_id = open_dossier(client)
    other = app.test_client()
    login(create_user("candidate"), test_client=other)
    assert other.get(f"/dossiers/{dossier_id}/apercu.pdf").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/dossiers/{dossier_id}/apercu.pdf").status_code in (302, 401)


@pytest.mark.parametrize("instant, shown", [
    (datetime(2026, 12, 6, 3, 29, tzinfo=timezone.utc), "06/12/2026 à 04:29 (heure de Paris)"),  # UTC+1
    (datetime(2026, 7, 1, 22, 15), "02/07/2026 à 00:15 (heure de Paris)"),  # naive = UTC; UTC+2, next day
])
def test_pages_show_paris_time_with_the_zone(app, client, plugin, create_user, login, instant, shown):
    user = create_user("candidate")
    login(user)
    dossier_id = open_dossier(client)
    save(client, dossier_id, "lettre_motivation", {"lettre": "Une lettre."})
    with app.app_context():
        from core.dossiers.models import Dossier, DossierVersion
        from core.extensions import db

        dossier = db.session.get(Dossier, dossier_id)
        dossier.sections[0].updated_at = instant
        db.session.add(DossierVersion(dossier=dossier, number=1, content={}, manifest=[],
                                      submitted_by_id=user.id, submitted_at=instant))
        db.session.commit()
    section = page(client.get(f"/dossiers/{dossier_id}/sections/lettre_motivation"))
    assert f"Dernier enregistrement : {shown}" in section and "(UTC)" not in section
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert f"version 1 du {shown}" in overview
    assert f"Version 1, déposée le {shown}" in overview


def test_time_filters(app):
    from core.templating import local_date, local_datetime, utc_iso

    with app.test_request_context():
        winter = datetime(2026, 12, 6, 3, 29, tzinfo=timezone.utc)
        assert local_datetime(winter) == "06/12/2026 à 04:29 (heure de Paris)"
        assert local_datetime(winter, zone=False) == "06/12/2026 à 04:29"
        assert local_datetime(datetime(2026, 6, 30, 23, 30, 5), seconds=True) == \
            "01/07/2026 à 01:30:05 (heure de Paris)"
        assert local_date(datetime(2026, 6, 30, 23, 30)) == "01/07/2026"
        assert local_datetime(None) == "" and local_date(None) == ""
        assert utc_iso(datetime(2026, 12, 6, 3, 29, 10, 5)) == "2026-12-06T03:29:10Z"
