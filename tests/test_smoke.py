import html


def test_home_page_is_french_and_accessible_landmarks(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html


def test_unknown_certification_is_a_french_404(client):
    response = client.get("/certifications/NOPE")
    assert response.status_code == 404
    assert "n'existe pas" in html.unescape(response.get_data(as_text=True))
