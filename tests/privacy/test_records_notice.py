"""Each certification's privacy notice, « Informations sur vos données », generated from the declarations."""
from __future__ import annotations

import html
import re

from core.hookspecs import hookimpl
from core.testing import CertificationPlugin, make_certification
from tests.privacy.register_support import people  # noqa: F401 - fixtures


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _words(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_rncp37827_notice_says_who_why_what_how_long_and_the_rights(app, client, people):
    from core.extensions import db
    from core.privacy.models import RetentionSetting

    with app.app_context():
        db.session.add(RetentionSetting(organisation_id=people.org_s.id, certification_code="RNCP37827",
                                        kind="dossier_after_decision", months=24))
        db.session.commit()
    answer = client.get("/certifications/RNCP37827/donnees")
    assert answer.status_code == 200
    page = _text(answer)
    words = _words(page)
    assert page.count("<h1>") == 1 and "<h1>Informations sur vos données</h1>" in page
    # who: the organisations granted the certification, the operator
    assert "Simplon Registre (certificateur), dpo@simplon.example.org" in words
    assert "Inkréa Registre (centre habilité)" in words
    assert "l'exploitant de la plateforme Livret" in words
    # why, what, who receives it: the certification's activity and the platform's
    for text in ("Candidatures à la certification RNCP37827", "Instruire la candidature",
                 "État civil (nom, prénom, date et lieu de naissance, nationalité)",
                 "Le jury de la session (pièces du dossier, grilles)", "Comptes des utilisateurs",
                 "Frais de certification", "Journal d'audit"):
        assert text in words, text
    # how long, in words, with the organisation's own period
    assert "Supprimés 1 an après la décision finale du jury" in words
    assert "Durée choisie par l'organisme : Simplon Registre : 2 ans" in words
    assert "Rappel par courriel 6 mois après la dernière modification du brouillon" in words
    assert "Pseudonymisés 10 ans après la clôture de l'exercice du paiement" in words
    assert "Conservés sans limite de durée" in words
    # the rights, and who answers them: the seed's words (Annexe 5, « Informations générales »)
    for right in ("Accès", "Rectification", "Effacement", "Opposition et limitation", "Portabilité"):
        assert f"<dt>{right}</dt>" in page, right
    assert "À qui adresser vos demandes : la direction Qualité et RSE de SIMPLON." in words
    assert "CNIL" in words


def test_the_notice_is_linked_from_the_certification_and_the_dossier(app, client, login, people):
    assert 'href="/certifications/RS6776/donnees"' in client.get("/certifications/RS6776").get_data(as_text=True)
    from core.extensions import db
    from core.dossiers.models import Dossier
    from sqlalchemy import select

    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.candidate_id == people.candidate.id))
    login(people.candidate)
    overview = client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert 'href="/certifications/RNCP37827/donnees"' in overview
    notice = _text(client.get("/certifications/rncp37827/donnees"))
    assert 'href="/compte' in notice or "Votre compte : télécharger ou effacer vos données" in notice


def test_an_unknown_certification_has_no_notice(client):
    assert client.get("/certifications/NOPE42/donnees").status_code == 404
    answer = client.get("/api/v1/certifications/NOPE42/privacy")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "certification_not_found"


def test_the_api_gives_the_same_notice(app, client, people):
    answer = client.get("/api/v1/certifications/RNCP37827/privacy")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["certification"] == "RNCP37827" and body["contact"] == "la direction Qualité et RSE de SIMPLON"
    assert {"name": "Simplon Registre", "role": "Certificateur", "contact": "dpo@simplon.example.org"} in \
        body["controllers"]
    activity = next(a for a in body["activities"] if a["key"] == "certification:RNCP37827")
    assert activity["certification"] == "RNCP37827"
    draft = next(r for r in activity["retention"] if r["kind"] == "draft")
    assert draft["months"] == 12 and draft["action"] == "delete" and draft["text"].startswith("Supprimés 1 an")
    assert [r["right"] for r in body["rights"]][:3] == ["Accès", "Rectification", "Effacement"]
    assert body["links"]["page"] == "/certifications/RNCP37827/donnees"
    page = _words(_text(client.get("/certifications/RNCP37827/donnees")))
    for a in body["activities"]:
        assert a["name"] in page and all(p in page for p in a["purposes"])


class ProctoringPlugin(CertificationPlugin):
    """A certification whose referential declares [privacy] (contact, recipients, periods), and which adds an
    activity of its own (an online proctoring service)."""

    @hookimpl
    def livret_processing_activities(self):
        from core.privacy.declarations import ProcessingActivity

        return [ProcessingActivity(
            key="prv01:proctoring", name="Surveillance en ligne de l'épreuve écrite",
            purposes=("Vérifier que le candidat compose seul",), legal_basis="Intérêt légitime (art. 6-1-f)",
            data_subjects=("Candidats et candidates",), categories=("Images de la webcam pendant l'épreuve",),
            recipients=("Le prestataire de surveillance",), retention=("draft",), certification="PRV01")]


def test_a_plugins_privacy_declarations_reach_the_notice(app, client, register_plugin):
    from core.certifications.descriptor import Privacy

    cert = make_certification("PRV01", "Certification déclarant ses données", privacy=Privacy(
        contact="le délégué à la protection des données d'Exemple (dpo@exemple.fr)",
        recipients=("Le financeur de la formation",), retention=(("draft", 3), ("dossier_after_decision", 18))))
    register_plugin(ProctoringPlugin(cert), "prv01")
    words = _words(_text(client.get("/certifications/PRV01/donnees")))
    assert "À qui adresser vos demandes : le délégué à la protection des données d'Exemple (dpo@exemple.fr)." in words
    assert "Le financeur de la formation" in words
    assert "Supprimés 3 mois après la dernière modification du brouillon" in words
    assert "Supprimés 18 mois après la décision finale du jury" in words
    assert "Surveillance en ligne de l'épreuve écrite" in words and "Images de la webcam" in words
    # the certifier of the descriptor, while no organisation is granted the certification
    assert "Organisme de test (certificateur)" in words
    # another certification's notice does not list this plugin's activity
    assert "Surveillance en ligne" not in _words(_text(client.get("/certifications/RS6776/donnees")))
