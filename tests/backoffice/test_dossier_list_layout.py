"""The staff dossier list: a labelled search field with its button, the six filters in a collapsible
panel (open when one is set, with their count), unique ids."""
from __future__ import annotations

import html
import re
from collections import Counter


def _page(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return html.unescape(response.get_data(as_text=True))


def _panel(markup: str) -> str:
    return re.search(r'<details class="filters-panel"[^>]*>', markup).group(0)


def _summary(markup: str) -> str:
    return re.search(r"<summary>(.*?)</summary>", markup, re.S).group(1).strip()


def _unique(markup: str) -> None:
    counts = Counter(re.findall(r'\sid="([^"]+)"', markup))
    assert not [i for i, n in counts.items() if n > 1]


def test_search_field_and_closed_filter_panel(client, login, staff, make_dossiers):
    make_dossiers([{"code": "RNCP37827"}, {"code": "RS6776"}])
    login(staff)
    markup = _page(client.get("/certificateur/dossiers"))
    _unique(markup)
    assert '<label for="q">Rechercher un dossier</label>' in markup
    assert re.search(r'<input type="search" id="q" name="q"[^>]*aria-describedby="q-hint"', markup)
    form = re.search(r'<form method="get" action="/certificateur/dossiers" role="search".*?</form>', markup, re.S).group(0)
    # the search button comes first: Enter in the search field searches
    buttons = re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', form)
    assert buttons == ["Rechercher", "Appliquer les filtres"]
    assert _panel(markup) == '<details class="filters-panel">' and _summary(markup) == "Filtres"
    for name in ("certification", "status", "session", "fee", "submitted_from", "submitted_to"):
        assert f'<label for="{name}">' in form and f'id="{name}"' in form
    assert "/certificateur/_backoffice/static/backoffice/backoffice.css" in markup
    # the results follow the form directly
    assert markup.index('id="results-title"') > markup.index("</form>")
    assert "2 dossiers correspondent." in markup


def test_active_filters_open_the_panel_and_are_counted(client, login, staff, make_dossiers):
    make_dossiers([{"code": "RNCP37827"}, {"code": "RS6776", "status": "admissible"}])
    login(staff)
    one = _page(client.get("/certificateur/dossiers?status=admissible"))
    assert _panel(one) == '<details class="filters-panel" open>' and _summary(one) == "Filtres (1 actif)"
    assert "1 dossier correspond." in one
    two = _page(client.get("/certificateur/dossiers?status=admissible&certification=RS6776&q="))
    assert _summary(two) == "Filtres (2 actifs)"
    # the search alone does not open the panel
    search = _page(client.get("/certificateur/dossiers?q=nom"))
    assert _panel(search) == '<details class="filters-panel">' and 'value="nom"' in search


def test_a_filter_in_error_opens_the_panel(client, login, staff):
    login(staff)
    response = client.get("/certificateur/dossiers?submitted_from=demain")
    markup = _page(response)
    _unique(markup)
    assert response.status_code == 400
    assert '<a href="#submitted_from">' in markup
    assert _panel(markup) == '<details class="filters-panel" open>'
