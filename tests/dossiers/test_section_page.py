"""A dossier section page as a browser uses it, with CSRF on: the token the page rendered is posted;
a section in error shows one error summary, one h1 and a title starting with « Erreur – »."""
import html
import re

import pytest

from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.testing import make_certification
from forms.sections import get

CODE = "SEC01"


class SectionPlugin:
    __name__ = "sectionpageplugin"

    @hookimpl
    def livret_certifications(self):
        return [make_certification(CODE, "Certification aux sections")]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code != CODE:
            return None
        return [SectionSpec("engagement", "Engagement (VAE)", form=get("engagement")),
                SectionSpec("lettre_motivation", "Votre lettre de motivation", form=get("lettre_motivation"))]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def plugin(register_plugin, certifier_org):
    certifier_org(CODE)  # the organisation the dossiers are opened with
    return register_plugin(SectionPlugin(), "sectionpageplugin")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def form_token(markup: str, action: str) -> str:
    """The csrf_token of the ``<form method="post">`` posting to ``action`` (as a browser would send it)."""
    for match in re.finditer(r'<form\b[^>]*>(.*?)</form>', markup, re.S):
        opening = match.group(0)[:match.group(0).index(">") + 1]
        if 'method="post"' in opening and f'action="{action}"' in opening:
            token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', match.group(1)) or \
                re.search(r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"', match.group(1))
            assert token, f"the form posting to {action} carries no csrf_token"
            return token.group(1)
    raise AssertionError(f"no POST form with action {action!r} on the page")


def sign_in(client, user):
    token = form_token(text(client.get("/connexion")), "/connexion")
    response = client.post("/connexion", data={"email": user.email, "password": user.plain_password,
                                               "csrf_token": token})
    assert response.status_code in (302, 303), text(response)


def open_dossier(client) -> int:
    token = form_token(text(client.get("/espace/")), "/dossiers/nouveau")
    response = client.post("/dossiers/nouveau", data={"certification": CODE, "csrf_token": token})
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_section_form_posts_the_token_its_page_rendered(app, client, plugin, create_user):
    user = create_user("candidate", first_name="Camille", last_name="Martin")
    sign_in(client, user)
    dossier_id = open_dossier(client)
    url = f"/dossiers/{dossier_id}/sections/lettre_motivation"
    page = text(client.get(url))
    token = form_token(page, url)  # the section form itself (built from the saved draft) has a token
    response = client.post(url, data={"action": "draft", "lettre": "Dix ans d'expérience.", "revision": "",
                                      "csrf_token": token})
    assert response.status_code == 302, text(response)
    again = text(client.get(url))
    assert "Dix ans d'expérience." in again
    # the page rebuilt from the saved draft still carries a token, and saving again works
    response = client.post(url, data={"action": "complete", "lettre": "Dix ans d'expérience en données.",
                                      "revision": re.search(r'name="revision" value="(\d+)"', again).group(1),
                                      "csrf_token": form_token(again, url)})
    assert response.status_code == 302, text(response)
    assert "Section « Votre lettre de motivation » complète" in text(client.get(response.headers["Location"]))


def test_section_in_error_shows_one_summary_one_title_and_says_so_in_the_page_title(app, client, plugin,
                                                                                      create_user):
    user = create_user("candidate")
    sign_in(client, user)
    dossier_id = open_dossier(client)
    url = f"/dossiers/{dossier_id}/sections/engagement"
    first = text(client.get(url))
    assert re.search(r"<title>Engagement \(VAE\) – ", first), "no « Erreur – » before a problem"
    assert first.count("<h1") == 1 and "error-summary" not in first

    response = client.post(url, data={"action": "complete", "fait_a": "Lyon", "revision": "",
                                      "csrf_token": form_token(first, url)})
    assert response.status_code == 422
    page = text(response)
    assert re.search(r"<title>Erreur – Engagement \(VAE\) – [^<]*</title>", page)
    assert page.count('id="error-summary"') == 1
    assert page.count('class="error-summary"') == 1
    assert len(re.findall(r'<div class="error-summary" role="alert"', page)) == 1
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S) == ["Engagement (VAE)"]
    assert 'id="section-engagement-title"' not in page  # the section's own heading is not repeated
    assert "<h2>Informations générales</h2>" in page  # its inner headings sit below the page's h1
    assert 'aria-invalid="true"' in page and 'value="Lyon"' in page  # what was typed is kept
    # the summary comes before the form, the token is still in the form
    assert page.index('id="error-summary"') < page.index('class="section-form"')
    form_token(page, url)


def test_a_save_from_an_older_tab_is_refused_and_keeps_what_was_typed(app, client, plugin, create_user):
    """Two tabs opened on the same section: the first saves, the second (its page of the previous revision)
    is refused with the reason, shows what it typed, and the page now carries the saved revision and date."""
    user = create_user("candidate")
    sign_in(client, user)
    dossier_id = open_dossier(client)
    url = f"/dossiers/{dossier_id}/sections/lettre_motivation"
    first = text(client.get(url))
    saved = client.post(url, data={"action": "draft", "lettre": "Première version.", "revision": "",
                                   "csrf_token": form_token(first, url)})
    assert saved.status_code == 302, text(saved)
    tab_one, tab_two = text(client.get(url)), text(client.get(url))
    revision = re.search(r'name="revision" value="(\d+)"', tab_one).group(1)
    assert client.post(url, data={"action": "draft", "lettre": "Version de l'onglet un.", "revision": revision,
                                  "csrf_token": form_token(tab_one, url)}).status_code == 302
    refused = client.post(url, data={"action": "draft", "lettre": "Version de l'onglet deux.", "revision": revision,
                                     "csrf_token": form_token(tab_two, url)})
    page = text(refused)
    assert refused.status_code == 409, page
    assert "Cette section a été modifiée ailleurs" in page
    assert "Version de l'onglet deux." in page  # what was typed is not lost
    assert re.search(r'name="revision" value="(\d+)"', page).group(1) == str(int(revision) + 1)
    assert "Dernier enregistrement" in page
    assert "Version de l'onglet un." in text(client.get(url))  # the first tab's save stands
