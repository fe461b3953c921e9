"""What RNCP37827's règlement says in its own words, where the user meets it (Annexe 5, Livret 2 VAE):

- the VAE interview (section 7): shown to the VAE candidate on their dossier and to the jury on the
  reading and grading pages; not to another certification's candidates or jury;
- the adviser's phone and e-mail, both asked (« Coordonnées téléphoniques et mail du conseiller »);
- the engagement's rights of access and rectification « auprès de la direction Qualité et RSE de SIMPLON »;
- none of RS6776's commitment to sit the exam or its CPF rule.
"""
from __future__ import annotations

import html
import re

import pytest

from livret_rncp37827.testing import post_data

INTERVIEW = [
    "L'entretien devant le jury de la VAE",
    "Le candidat expose son projet, motivations, bilan des compétences.",
    "Le jury vérifie l'adéquation des acquis avec les exigences du titre.",
    "Peut poser des questions, soumettre un mini cas pratique.",
    "Le jury de VAE est souverain.",
]


def text_of(response, status: int = 200) -> str:
    """What a reader sees (tags removed, white space collapsed) of a page answered with ``status``."""
    assert response.status_code == status, response.status_code
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def dossier_url(client, create_user, login, certifier_org):
    certifier_org("RNCP37827", name="Simplon.co")
    login(create_user("candidate"))
    response = client.post("/dossiers/nouveau", data={"certification": "RNCP37827"})
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_vae_candidate_sees_how_the_interview_goes_on_their_dossier(client, dossier_url):
    page = text_of(client.get(dossier_url))
    for line in INTERVIEW:
        assert line in page
    assert ("Validation partielle : Le jury indique les compétences/expériences à acquérir.") in page
    # RS6776's section 2 is not RNCP37827's
    assert "s'engagent à passer l'examen" not in page and "CPF" not in page


def test_a_candidate_on_the_training_route_has_no_vae_interview(client, create_user, login, certifier_org):
    certifier_org("RNCP37827", name="Simplon.co")
    login(create_user("candidate"))
    response = client.post("/dossiers/nouveau", data={"certification": "RNCP37827", "route": "formation"},
                           page="/espace/")
    assert response.status_code == 302
    assert "L'entretien devant le jury de la VAE" not in text_of(client.get(response.headers["Location"]))


def test_the_certification_page_describes_the_interview(client):
    page = text_of(client.get("/certifications/RNCP37827"))
    assert all(line in page for line in INTERVIEW)


@pytest.fixture
def juror_pages(app, create_user, create_admissible_dossier, create_jury_session, login):
    """``juror_pages(code)``: the reading and grading pages of an open session's candidate, as a juror sees them."""

    def pages(code: str) -> list[str]:
        from core.extensions import db
        from core.jury.models import JurySession

        jurors = [create_user("juror"), create_user("juror")]
        dossier = create_admissible_dossier(code)
        session_id = create_jury_session(code, jurors=jurors, dossiers=[dossier], status="open")
        with app.app_context():
            candidate_id = db.session.get(JurySession, session_id).candidates[0].id
        juror = app.test_client()
        login(jurors[0], test_client=juror)
        base = f"/jury/sessions/{session_id}/candidats/{candidate_id}"
        return [text_of(juror.get(base + "/dossier")), text_of(juror.get(base + "/grille"))]

    return pages


def test_the_jury_reads_the_interview_when_reading_and_grading_the_candidate(juror_pages):
    for page in juror_pages("RNCP37827"):
        for line in INTERVIEW:
            assert line in page
    for page in juror_pages("RS6776"):
        assert "L'entretien devant le jury de la VAE" not in page


def test_the_advisers_phone_and_email_are_both_asked(client, dossier_url):
    url = f"{dossier_url}/sections/financement"
    form = text_of(client.get(url))
    assert "Coordonnées téléphoniques et mail du conseiller" in form
    agency = {"mode": "france_travail", "agence_adresse": "3 rue de la Gare, 69003 Lyon",
              "conseiller_nom": "M. Petit"}
    refused = client.post(url, data=post_data(dict(agency, conseiller_email="petit@example.org")))
    assert "Indiquez le téléphone de votre conseiller." in text_of(refused, 422)
    refused = client.post(url, data=post_data(dict(agency, conseiller_telephone="04 72 00 00 00")))
    assert "Indiquez l'adresse électronique de votre conseiller." in text_of(refused, 422)
    saved = client.post(url, data=post_data(dict(agency, conseiller_telephone="04 72 00 00 00",
                                                 conseiller_email="petit@example.org")))
    assert saved.status_code == 302


def test_the_engagement_names_la_direction_qualite_et_rse_de_simplon(client, dossier_url):
    page = text_of(client.get(f"{dossier_url}/sections/engagement"))
    assert ("Conforme loi « Informatique et Libertés », droit d'accès et rectification auprès de la direction "
            "Qualité et RSE de SIMPLON.") in page
