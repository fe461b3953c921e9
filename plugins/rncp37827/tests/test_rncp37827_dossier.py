"""The RNCP37827 Livret 2 as a candidate fills it in the browser: sections, drafts, the plugin's rules.

Annex upload is built in another part of core; where a test needs annexes it
creates the ``Annex`` rows directly in the database (scan state clean, a
unique storage key ``annexes/<dossier>/<n>``), as the upload would once the
file is stored and scanned.
"""
from __future__ import annotations

import hashlib
import html
import re

import pytest

from livret_rncp37827.descriptor import CERTIFICATION
from livret_rncp37827.testing import activity, complete_sections, post_data, recap

ORDER = ["etat_civil", "situation", "financement", "engagement", "contenu", "lettre_motivation", "cv",
         "fiches_structure", "fiches_poste", "recapitulatif", "fiches_activite", "annexes", "entretien",
         "declaration_honneur"]
TITLES = ["État civil", "Situation actuelle", "Financement envisagé", "Engagement", "Contenu de ce livret",
          "Votre lettre de motivation", "Votre CV", "Fiche(s) descriptive(s) de la structure",
          "Fiche(s) descriptive(s) du poste occupé", "Récapitulatif des compétences",
          "Fiche(s) descriptive(s) d'activité", "Annexes", "L'entretien devant le jury de la VAE",
          "Déclaration sur l'honneur"]


def text_of(response) -> str:
    """What a reader sees: tags removed, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def markup_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def states(response) -> dict[str, str]:
    """Section key -> state shown in the overview's progress table."""
    return dict(re.findall(r'<tr id="section-([a-z_]+)">.*?class="badge state-([a-z_]+)"', response.get_data(as_text=True),
                           re.S))


SECTIONS = complete_sections()


@pytest.fixture
def candidate(create_user, login):
    user = create_user("candidate")
    login(user)
    return user


@pytest.fixture
def dossier_url(client, candidate, certifier_org):
    certifier_org("RNCP37827", name="Simplon.co")  # the organisation the dossier is opened with
    response = client.post("/dossiers/nouveau", data={"certification": "RNCP37827"})
    assert response.status_code == 302
    return response.headers["Location"]


def add_annexes(app, dossier_url, user, *annexes):
    """Annex rows as the upload creates them once a file is stored and scanned (see the module docstring).

    ``annexes``: ``(number, title, role, competency codes)``.
    """
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db

    dossier_id = int(dossier_url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        for number, title, role, codes in annexes:
            content = f"{dossier_id}-{number}".encode()
            annex = Annex(dossier_id=dossier_id, number=number, title=title, role=role,
                          filename=f"annexe-{number}.pdf", media_type="application/pdf", size=len(content),
                          sha256=hashlib.sha256(content).hexdigest(), storage_key=f"annexes/{dossier_id}/{number}",
                          pages=2, scan_state=ScanState.CLEAN, uploaded_by_id=user.id)
            annex.competencies = [AnnexCompetency(competency_code=code) for code in codes]
            db.session.add(annex)
        db.session.commit()


def fill(client, dossier_url, key, values, action="complete"):
    return client.post(f"{dossier_url}/sections/{key}", data=post_data(values, action))


def test_the_overview_lists_every_section_in_the_order_of_the_livret(client, dossier_url):
    response = client.get(dossier_url)
    assert response.status_code == 200
    assert list(states(response)) == ORDER
    text = text_of(response)
    start = text.index(TITLES[0])  # the table of sections (the interview is also described above it)
    positions = [text.index(title, start) for title in TITLES]
    assert positions == sorted(positions)
    assert states(response)["contenu"] == "complete"  # computed, never to fill
    assert "La section « Votre CV » n'est pas remplie." in text


def test_a_candidate_fills_every_section_and_each_is_marked_complete(app, client, candidate, dossier_url):
    add_annexes(app, dossier_url, candidate,
                (1, "Curriculum vitae", "cv", []),
                (2, "Scripts d'extraction (dépôt Git)", "evidence", ["C1", "C3"]),
                (3, "Modèle physique et script d'import", "evidence", ["C4"]))
    for key, values in SECTIONS.items():
        response = fill(client, dossier_url, key, values)
        assert response.status_code == 302, (key, text_of(response)[:2000])
        assert response.headers["Location"].endswith(dossier_url)
    overview = client.get(dossier_url)
    shown = states(overview)
    assert all(shown[key] == "complete" for key in SECTIONS), shown
    assert shown["annexes"] == "complete"
    text = text_of(overview)
    assert "Toutes les sections obligatoires sont complètes" in text
    # What was typed is kept as the candidate wrote it (SIRET normalised, phone shown the French way).
    page = markup_of(client.get(f"{dossier_url}/sections/financement"))
    assert 'value="73282932000074"' in page
    page = markup_of(client.get(f"{dossier_url}/sections/etat_civil"))
    assert 'value="06 12 34 56 78"' in page
    # Competencies claimed but named by no activity sheet are a mere remark (C3 is named, C1 too).
    assert "n'est visée par aucune fiche d'activité" not in text


def test_a_draft_missing_required_fields_is_kept_with_the_errors_next_to_them(client, dossier_url):
    typed = {"parcours": [{"nature": "experience", "periode": "depuis mars 2022",
                           "organisme": "Métropole de Lyon", "intitule": "", "descriptif": "Flux de données.",
                           "rapport_direct": False}], "annexe_cv": ""}
    response = fill(client, dossier_url, "cv", typed, action="complete")
    assert response.status_code == 422
    page = markup_of(response)
    assert re.search(r'id="annexe_cv-error">.*?Ce champ est obligatoire\.', page, re.S)
    assert re.search(r'id="parcours-0-intitule-error">.*?Ce champ est obligatoire\.', page, re.S)
    assert ("Soulignez au moins une expérience ou formation en rapport direct avec le diplôme visé (cochez la case "
            "correspondante).") in page
    # The draft is saved: the page shows what was typed, and the section is "in progress".
    again = markup_of(client.get(f"{dossier_url}/sections/cv"))
    assert 'value="Métropole de Lyon"' in again
    assert "Flux de données." in again
    assert states(client.get(dossier_url))["cv"] == "in_progress"


def test_a_wrong_siret_is_refused_in_french_and_kept_as_typed(client, dossier_url):
    values = dict(SECTIONS["financement"], entreprise_siret="732 829 320 00075")
    response = fill(client, dossier_url, "financement", values, action="draft")
    assert response.status_code == 422
    page = markup_of(response)
    assert re.search(r'id="entreprise_siret-error">.*?la clé de contrôle ne correspond pas', page, re.S)
    assert 'value="73282932000075"' in markup_of(client.get(f"{dossier_url}/sections/financement"))
    assert states(client.get(dossier_url))["financement"] == "in_progress"


def test_the_recapitulatif_lists_c1_to_c21_by_block_with_titles_and_expected_evidence(client, dossier_url):
    response = client.get(f"{dossier_url}/sections/recapitulatif")
    assert response.status_code == 200
    page = markup_of(response)
    for comp in CERTIFICATION.competencies:
        assert f"<legend>{comp.code} – {comp.title}" in page
        assert f'name="{comp.code.lower()}_niveau"' in page
    assert [c.code for c in CERTIFICATION.competencies] == [f"C{n}" for n in range(1, 22)]
    text = text_of(response)
    for label in ("Je maîtrise cette compétence", "Je la maîtrise en partie", "Je ne la maîtrise pas encore"):
        assert text.count(label) == 21
    for number, block in enumerate(CERTIFICATION.blocks, start=1):
        assert f"Bloc de compétences {number} : {block.title}" in text
    assert ("Exemples d'éléments de preuves attendus : Résultat benchmark solutions IA, état de l'art thématique IA"
            in text)
    # Claiming a competency without saying where it is shown is refused when validating the section.
    response = fill(client, dossier_url, "recapitulatif", recap({"C7": ("maitrise", "", "")}))
    assert response.status_code == 422
    assert re.search(r'id="c7_fiches-error">.*?Indiquez au moins une fiche d\'activité ou une annexe où vous '
                     r'démontrez la compétence C7\.', markup_of(response), re.S)


def test_the_plugin_rules_appear_in_the_overview_with_a_link(app, client, candidate, dossier_url):
    add_annexes(app, dossier_url, candidate,
                (1, "Scripts d'extraction", "evidence", ["C1"]),
                (2, "Curriculum vitae", "cv", []))
    fill(client, dossier_url, "cv", SECTIONS["cv"])  # points at annex 1, which is not the CV
    fill(client, dossier_url, "fiches_activite", {"activites": [activity(preuves="1, 7")]})
    fill(client, dossier_url, "recapitulatif",
         recap({"C1": ("maitrise", "1", "1"), "C7": ("partielle", "3", "9")}))
    response = client.get(dossier_url)
    text = text_of(response)
    page = markup_of(response)
    assert ("Fiche activité 1 (« Collecte automatisée des données de trafic ») : l'élément de preuve n° 7 ne "
            "correspond à aucune annexe déposée.") in text
    assert (f'href="{dossier_url}/sections/fiches_activite#activites-0-preuves">Fiche activité 1 '
            f"(« Collecte automatisée des données de trafic ») : l'élément de preuve n° 7") in page
    assert "n° 1 ne correspond" not in text
    assert ("Votre CV : l'annexe n° 1 (« Scripts d'extraction ») n'est pas déposée comme CV.") in text
    assert f'href="{dossier_url}/sections/cv#annexe_cv"' in page
    assert ("Récapitulatif des compétences, C7 : la fiche d'activité n° 3 n'existe pas (vous avez rédigé 1 "
            "fiche(s)).") in text
    assert "Récapitulatif des compétences, C7 : l'annexe n° 9 n'a pas été déposée." in text
    assert ("Vous déclarez maîtriser, au moins en partie, des compétences du bloc 2 (« Intégrer des modèles et des "
            "services d'intelligence artificielle ») : rédigez au moins une fiche d'activité pour ce bloc.") in text
    # Advisory: C7 is claimed but no sheet names it (submission stays possible for that one).
    assert "La compétence C7, que vous déclarez maîtriser, n'est visée par aucune fiche d'activité." in text

    # Fixing the sheet's evidence makes its problem disappear.
    fill(client, dossier_url, "fiches_activite", {"activites": [activity(preuves="1")]})
    assert "ne correspond à aucune annexe déposée" not in text_of(client.get(dossier_url))


def test_another_candidate_cannot_see_the_dossier(client, dossier_url, create_user, login):
    other = create_user("candidate")
    login(other)
    assert client.get(dossier_url).status_code == 404
    for key in ("etat_civil", "cv", "recapitulatif", "fiches_activite"):
        assert client.get(f"{dossier_url}/sections/{key}").status_code == 404
        assert client.post(f"{dossier_url}/sections/{key}", data={"action": "draft"}).status_code == 404


def test_the_livret_2_follows_the_sommaire_and_the_contents_of_annexe_5(client, dossier_url):
    """Annexe 5: 8 parts, part 5 « Votre projet VAE » with its 6 sub-parts, part 7 the interview; the
    « Contenu de ce livret » table has the seed's 8 rows, « Vous soulignez… » included, the CV counted 1."""
    import subprocess

    response = client.get(f"{dossier_url}/apercu.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    sommaire = flat[flat.index("Sommaire"):flat.index("1. État civil", flat.index("Sommaire") + 10)]
    parts = ["1. État civil", "2. Situation actuelle", "3. Financement envisagé", "Engagement",
             "4. Contenu de ce livret", "5. Votre projet VAE", "Votre lettre de motivation", "Votre CV",
             "Fiche(s) descriptive(s) de la structure", "Fiche(s) descriptive(s) du poste occupé",
             "Récapitulatif des compétences", "Fiche(s) descriptive(s) d'activité", "6. Annexes",
             "7. L'entretien devant le jury de la VAE", "8. Déclaration sur l'honneur"]
    positions = [sommaire.index(p) if p != "1. État civil" else 0 for p in parts]
    assert positions == sorted(positions), sommaire
    assert "9." not in sommaire
    rows = ["Votre lettre de motivation", "Votre CV 1",
            "Vous soulignez les expériences en rapport direct avec le diplôme visé",
            "Fiche(s) descriptive(s) de votre (vos) structure(s)",
            "Fiche(s) descriptive(s) de votre (vos) poste(s) occupé(s)",
            "Fiche(s) descriptive(s) de votre (vos) activité(s) et compétences",
            "Si besoin Annexes (Modèles de documents, tableaux, photos, schémas ...)",
            "Déclaration sur l'honneur 1"]
    table = flat[flat.index("Numéro de page"):]
    found = [table.index(r) for r in rows]
    assert found == sorted(found), (found, table[:2500])
    assert "Le jury vérifie l'adéquation des acquis avec les exigences du titre." in flat
    assert re.search(r"CENTRE DE CERTIFICATION : \S", flat), flat[:1500]  # the organisation, known at once
    assert "Décision finale (4 issues possibles)" in flat and "Le jury de VAE est souverain." in flat
