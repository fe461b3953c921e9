"""The RS6776 certification as a visitor sees it, served by core from the installed plugin."""
from __future__ import annotations

import html
import re

from livret_rs6776.descriptor import UNCONFIRMED_NOTE


def page_text(response) -> str:
    """The page's HTML with entities decoded (markup kept)."""
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def visible_text(response) -> str:
    """What a reader sees: tags removed, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def test_loaded_by_core_from_the_plugin(app):
    assert app.extensions["livret"].certifications["RS6776"].plugin == "rs6776"


def test_detail_page_says_the_competency_titles_are_to_be_confirmed(client):
    text = page_text(client.get("/certifications/RS6776"))
    assert "Inkréa Certifications" in text
    assert UNCONFIRMED_NOTE in text
    assert text.count("intitulé à confirmer") == 6
    assert "Compétence 1 du référentiel (évaluée par le cas pratique 1)" in text


def test_detail_page_explains_written_oral_and_retake(client):
    assert 'aria-labelledby="rs6776-about"' in page_text(client.get("/certifications/RS6776"))
    text = visible_text(client.get("/certifications/RS6776"))
    assert "dix jours après la fin de la formation" in text
    assert "d'une durée de 20 minutes" in text
    assert "Une note inférieure à 10/20 est éliminatoire." in text
    assert "3,5 / 5" in text
    assert "Il n'est pas appliqué de moyenne globale entre les compétences." in text
    assert "sans moyenne globale entre les compétences" in text
    assert "reçoit un courriel de réussite de la part du certificateur, incluant son certificat nominatif" in text
    assert "Un seul rattrapage est autorisé." in text
    assert "ne sont pas facturés par Inkréa Certifications pour ce second passage" in text
    assert "En cas d'échec : aucun courrier n'est adressé directement au candidat" in text
    # No fee is declared: the page shows no amount.
    assert "<dt>Frais</dt>" not in page_text(client.get("/certifications/RS6776"))
