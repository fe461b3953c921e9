"""Section 2 of the règlement where the candidate opens a dossier and on the dossier's page: every learner
commits to sit the exam, and the exam is compulsory for a candidate funded by the CPF (RS6776 only)."""
from __future__ import annotations

import html
import re

import pytest

COMMITMENT = ("En fin de parcours, les apprenants s'engagent à passer l'examen en vue de l'obtention de la "
              "certification « Création de contenus rédactionnels et visuels par l'usage responsable de "
              "l'intelligence artificielle générative », enregistrée auprès de France Compétences par Inkréa "
              "Certifications sous le numéro RS6776.")
CPF = ("Le passage de l'évaluation est obligatoire pour tout candidat utilisant ses droits CPF pour financer la "
       "formation.")
REFUSAL = "En cas de refus de passer l'examen, un remboursement de la formation pourra lui être demandé."


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def cards(markup: str) -> dict[str, str]:
    """The candidate dashboard's « Commencer un dossier » cards by certification code (their visible text)."""
    found = {}
    for card in markup.split('<li class="card">')[1:]:
        card = card.split("</ul>")[0]  # the last card ends with the list
        found[re.search(r"/certifications/([A-Z0-9]+)", card).group(1)] = text_of(card)
    return found


@pytest.fixture
def candidate(create_user, login, certifier_org):
    certifier_org("RS6776", name="Inkréa")
    certifier_org("RNCP37827", name="Simplon.co")
    user = create_user("candidate")
    login(user)
    return user


def test_the_candidate_reads_the_commitment_and_the_cpf_rule_where_they_open_a_dossier(client, candidate):
    by_code = cards(client.get("/espace/").get_data(as_text=True))
    assert COMMITMENT in by_code["RS6776"]
    assert CPF in by_code["RS6776"] and REFUSAL in by_code["RS6776"]
    assert "Ouvrir mon dossier" in by_code["RS6776"]
    # RNCP37827's règlement says nothing of the kind
    assert "s'engagent à passer l'examen" not in by_code["RNCP37827"]
    assert "CPF" not in by_code["RNCP37827"]


def test_the_dossier_page_repeats_them(client, candidate):
    response = client.post("/dossiers/nouveau", data={"certification": "RS6776"}, page="/espace/")
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert COMMITMENT in page and CPF in page and REFUSAL in page
    assert "L'entretien devant le jury de la VAE" not in page  # RNCP37827's Annexe 5 only
