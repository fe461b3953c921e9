"""The RS6776 dossier as a candidate fills it: identity, training, the 6 practical cases, the deadline.

Annex upload is built in another part of core; where a test needs annexes it
creates the ``Annex`` rows directly in the database (scan state clean, a
unique storage key ``annexes/<dossier>/<n>``), as the upload would once the
file is stored and scanned.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import pytest

from livret_rs6776.descriptor import CERTIFICATION
from livret_rs6776.rules import today

ORDER = ["etat_civil", "formation", "epreuve_ecrite", "annexes", "declaration_honneur"]


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def markup_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def states(response) -> dict[str, str]:
    return dict(re.findall(r'<tr id="section-([a-z_]+)">.*?class="badge state-([a-z_]+)"', response.get_data(as_text=True),
                           re.S))


def days_ago(days: int) -> str:
    """A date typed the French way, counted from today in Paris (the rule's clock)."""
    return (today() - dt.timedelta(days=days)).strftime("%d/%m/%Y")


IDENTITE = {
    "civilite": "monsieur", "nom_famille": "Nguyen", "prenoms": "Thomas", "date_naissance": "03/02/1985",
    "lieu_naissance": "Nantes (44)", "nationalite": "Française", "adresse": "5 allée des Tilleuls",
    "code_postal": "44000", "commune": "Nantes", "pays": "France", "email": "thomas.nguyen@example.org",
    "telephone_portable": "07 89 12 34 56",
}


def formation(end_days_ago: int) -> dict:
    return {"organisme": "Atelier Plume & Pixel", "intitule": "Créer des contenus avec l'IA générative",
            "date_debut": days_ago(end_days_ago + 5), "date_fin": days_ago(end_days_ago),
            "numero_cpf": "", "action": "complete"}


def cases(evidence: dict[int, str] | None = None) -> dict:
    evidence = evidence or {}
    data = {"action": "complete"}
    for number, comp in enumerate(CERTIFICATION.competencies, start=1):
        code = comp.code.lower()
        data[f"{code}_reponse"] = (f"Cas {number} : j'ai rédigé le prompt, relu et corrigé le texte produit, vérifié "
                                   f"les sources et signalé l'usage de l'IA au client.")
        data[f"{code}_preuves"] = evidence.get(number, "1")
    return data


@pytest.fixture
def candidate(create_user, login):
    user = create_user("candidate")
    login(user)
    return user


@pytest.fixture
def dossier_url(client, candidate, certifier_org):
    certifier_org("RS6776", name="Inkréa")  # the organisation the dossier is opened with
    response = client.post("/dossiers/nouveau", data={"certification": "RS6776"})
    assert response.status_code == 302
    return response.headers["Location"]


def add_annexes(app, dossier_url, user, *numbers):
    """Clean evidence annexes created directly (see the module docstring), each linked to C1..C6."""
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db

    dossier_id = int(dossier_url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        for number in numbers:
            content = f"{dossier_id}-{number}".encode()
            annex = Annex(dossier_id=dossier_id, number=number, title=f"Production du cas {number}",
                          role="evidence", filename=f"cas-{number}.pdf", media_type="application/pdf",
                          size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                          storage_key=f"annexes/{dossier_id}/{number}", scan_state=ScanState.CLEAN,
                          uploaded_by_id=user.id)
            annex.competencies = [AnnexCompetency(competency_code=c.code) for c in CERTIFICATION.competencies]
            db.session.add(annex)
        db.session.commit()


def test_the_overview_lists_the_sections_of_the_rs6776_dossier(client, dossier_url):
    response = client.get(dossier_url)
    assert list(states(response)) == ORDER
    text = text_of(response)
    titles = ["Identité", "Formation suivie", "Épreuve écrite : les 6 cas pratiques", "Annexes",
              "Déclaration sur l'honneur"]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)


def test_the_written_test_shows_six_cases_titled_from_the_descriptor(client, dossier_url):
    response = client.get(f"{dossier_url}/sections/epreuve_ecrite")
    assert response.status_code == 200
    text = text_of(response)
    assert len(CERTIFICATION.competencies) == 6
    for number, comp in enumerate(CERTIFICATION.competencies, start=1):
        assert f"Cas pratique {number} – {comp.code} : {comp.title} intitulé à confirmer" in text
        assert f"Votre réponse au cas pratique {number}" in text
        assert f"Éléments de preuve du cas pratique {number} (numéros d'annexes)" in text
    assert text.count('Cas pratique 7') == 0
    # Each case must be answered and evidenced.
    data = cases()
    data["c4_reponse"] = ""
    data["c5_preuves"] = ""
    response = client.post(f"{dossier_url}/sections/epreuve_ecrite", data=data)
    assert response.status_code == 422
    page = markup_of(response)
    assert re.search(r'id="c4_reponse-error">.*?Ce champ est obligatoire\.', page, re.S)
    assert re.search(r'id="c5_preuves-error">.*?Indiquez au moins une annexe qui prouve votre réponse au cas '
                     r'pratique 5\.', page, re.S)
    # The draft kept the five other answers.
    assert "Cas 3 : j'ai rédigé le prompt" in markup_of(client.get(f"{dossier_url}/sections/epreuve_ecrite"))


def test_a_candidate_completes_the_dossier_in_time(app, client, candidate, dossier_url):
    add_annexes(app, dossier_url, candidate, 1, 2)
    identite = dict(IDENTITE, action="complete")
    declaration = {"connaissance_fraudes": "y", "exactitude": "y", "fait_a": "Nantes", "date": days_ago(1),
                   "nom_prenom": "Nguyen Thomas", "action": "complete"}
    page = text_of(client.get(f"{dossier_url}/sections/declaration_honneur"))
    assert "avoir pris connaissance des informations relatives à la fraude aux épreuves de certification" in page
    assert "en VAE" not in page
    for key, data in (("etat_civil", identite), ("formation", formation(2)),
                      ("epreuve_ecrite", cases({2: "1, 2"})), ("declaration_honneur", declaration)):
        response = client.post(f"{dossier_url}/sections/{key}", data=data)
        assert response.status_code == 302, (key, text_of(response)[:1500])
    overview = client.get(dossier_url)
    assert set(states(overview).values()) == {"complete"}
    text = text_of(overview)
    assert "délai de rendu" not in text and "au plus tard le" not in text
    assert "Toutes les sections obligatoires sont complètes" in text


def test_training_ended_twenty_days_ago_blocks_with_the_deadline(client, dossier_url):
    client.post(f"{dossier_url}/sections/formation", data=formation(20))
    limit = (today() - dt.timedelta(days=20) + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    response = client.get(dossier_url)
    text = text_of(response)
    assert (f"Le délai de rendu de l'épreuve écrite est dépassé : la date limite était le {limit} (10 jours après "
            f"la fin de la formation).") in text
    assert f'href="{dossier_url}/sections/formation#date_fin"' in markup_of(response)


def test_training_ended_two_days_ago_has_no_deadline_problem(client, dossier_url):
    client.post(f"{dossier_url}/sections/formation", data=formation(2))
    text = text_of(client.get(dossier_url))
    assert "délai de rendu" not in text
    assert "au plus tard le" not in text


def test_close_to_the_deadline_a_warning_gives_the_date(client, dossier_url):
    client.post(f"{dossier_url}/sections/formation", data=formation(8))
    limit = (today() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    text = text_of(client.get(dossier_url))
    assert (f"Pensez à déposer votre dossier : l'épreuve écrite doit être rendue au plus tard le {limit} (10 jours "
            f"après la fin de la formation).") in text
    assert "délai de rendu de l'épreuve écrite est dépassé" not in text


def test_the_training_dates_are_checked(client, dossier_url):
    data = formation(2)
    data["date_debut"], data["date_fin"] = days_ago(1), days_ago(3)
    response = client.post(f"{dossier_url}/sections/formation", data=data)
    assert response.status_code == 422
    assert re.search(r'id="date_fin-error">.*?La date de fin ne peut pas être antérieure à la date de début\.',
                     markup_of(response), re.S)
    data["date_debut"], data["date_fin"] = days_ago(3), (today() + dt.timedelta(days=4)).strftime("%d/%m/%Y")
    response = client.post(f"{dossier_url}/sections/formation", data=data)
    assert re.search(r'id="date_fin-error">.*?La date de fin de la formation ne peut pas être dans le futur',
                     markup_of(response), re.S)


def test_evidence_numbers_must_be_annexes_of_the_dossier(app, client, candidate, dossier_url):
    add_annexes(app, dossier_url, candidate, 1)
    client.post(f"{dossier_url}/sections/epreuve_ecrite", data=cases({3: "1, 4"}))
    response = client.get(dossier_url)
    text = text_of(response)
    assert "Cas pratique 3 : l'annexe n° 4 indiquée comme élément de preuve n'a pas été déposée." in text
    assert f'href="{dossier_url}/sections/epreuve_ecrite#c3_preuves"' in markup_of(response)
    assert "Cas pratique 1 : l'annexe" not in text


def test_another_candidate_gets_404(client, dossier_url, create_user, login):
    login(create_user("candidate"))
    assert client.get(dossier_url).status_code == 404
    for key in ORDER:
        assert client.get(f"{dossier_url}/sections/{key}").status_code == 404
    assert client.post(f"{dossier_url}/sections/formation", data=formation(2)).status_code == 404


def coverage_rows(response) -> dict[str, str]:
    """Competency code -> text of its cell in the overview's coverage table."""
    table = markup_of(response).split('id="couverture"', 1)[1].split("</table>", 1)[0]
    return {code: " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for code, cell in re.findall(r'<tr><th scope="row"[^>]*>(C\d+)<.*?<td>(.*?)</td></tr>', table, re.S)}


def test_annexes_cited_by_a_case_count_as_evidence_of_its_competency(app, client, candidate, dossier_url):
    """An annex linked to no competency on the annexes page, but cited as the evidence of cases 1
    and 2, covers C1 and C2; the cases that cite nothing stay without evidence."""
    from core.dossiers.models import Annex
    from core.extensions import db

    add_annexes(app, dossier_url, candidate, 1, 2)
    with app.app_context():  # the candidate did not link them on the annexes page
        dossier_id = int(dossier_url.rstrip("/").rsplit("/", 1)[1])
        for annex in db.session.query(Annex).filter_by(dossier_id=dossier_id):
            annex.competencies = []
        db.session.commit()
    before = coverage_rows(client.get(dossier_url))
    assert set(before.values()) == {"Aucune preuve"} and len(before) == 6

    data = cases({1: "1", 2: "1, 2", 3: "", 4: "", 5: "", 6: ""})
    data["action"] = "draft"
    form_page = client.get(f"{dossier_url}/sections/epreuve_ecrite").get_data(as_text=True)
    data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', form_page).group(1)  # as a browser does
    client.post(f"{dossier_url}/sections/epreuve_ecrite", data=data)
    response = client.get(dossier_url)
    rows = coverage_rows(response)
    assert rows["C1"] == "n° 1" and rows["C2"] == "n° 1, n° 2"
    assert all(rows[c] == "Aucune preuve" for c in ("C3", "C4", "C5", "C6"))
    text = text_of(response)
    assert "Aucune pièce justificative n'est associée à la compétence C1." not in text
    assert "Aucune pièce justificative n'est associée à la compétence C3." in text
