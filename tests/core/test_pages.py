"""The accessibility statement and the page shell (footer link, menu button, script)."""
import html
import re

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ACCESSIBILITY_CONTACT": "a11y@organisme.example"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_accessibility_statement_has_the_rgaa_parts(client):
    response = client.get("/accessibilite")
    assert response.status_code == 200
    page = text(response)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == ["Déclaration d'accessibilité"]
    assert "<title>Déclaration d'accessibilité · Livret</title>" in page
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert headings == ["État de conformité", "Résultats des tests", "Contenus non accessibles",
                        "Établissement de cette déclaration", "Retour d'information et contact", "Voies de recours"]
    assert "partiellement conforme" in page and "RGAA), version 4.1" in page
    assert "axe-core" in page and "Chromium" in page
    assert "documents PDF signés produits par des tiers" in page
    assert "établie le 6 décembre 2026" in page
    assert '<a href="mailto:a11y@organisme.example">a11y@organisme.example</a>' in page
    assert "Défenseur des droits" in page and "Libre réponse 71120" in page and "75342 Paris CEDEX 07" in page
    assert "https://formulaire.defenseurdesdroits.fr/" in page


@pytest.mark.parametrize("url", ["/", "/connexion", "/verifier", "/accessibilite"])
def test_every_page_links_to_the_statement_from_its_footer(client, url):
    page = text(client.get(url))
    footer = page[page.index('<footer'):page.index('</footer>')]
    assert re.search(r'<a href="/accessibilite"[^>]*>Accessibilité : partiellement conforme</a>', footer)


def test_the_header_menu_button_works_without_javascript(client):
    page = text(client.get("/"))
    header = page[page.index("<header"):page.index("</header>")]
    button = re.search(r'<button type="button" class="menu-button"([^>]*)>Menu</button>', header)
    assert button, "menu button"
    assert 'aria-expanded="false"' in button.group(1) and 'aria-controls="site-menu"' in button.group(1)
    assert " hidden" in button.group(1)  # shown by the script only: without it the navigation stays visible
    menu = header[header.index('id="site-menu"'):]
    assert '<nav aria-label="Menu principal">' in menu and 'class="lang-form"' in menu
    assert '<script src="/static/js/livret.js" defer></script>' in page
    script = client.get("/static/js/livret.js")
    assert script.status_code == 200
    body = script.get_data(as_text=True)
    script.close()
    assert "aria-expanded" in body and "Escape" in body and "error-summary" in body


def test_the_site_has_an_icon(client):
    page = client.get("/accessibilite").get_data(as_text=True)
    assert '<link rel="icon" href="/static/img/livret.svg" type="image/svg+xml">' in page
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer.headers["Location"].endswith("/static/img/livret.svg")
    icon = client.get("/static/img/livret.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
