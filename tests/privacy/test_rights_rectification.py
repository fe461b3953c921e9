"""Rectification (RGPD art. 16): the names and language on the account page and ``PATCH /api/v1/me``; a request
about sealed data to the dossier's organisation, due within a month, the sealed version left as it is; an
objection (art. 21)."""
from __future__ import annotations

import html

from tests.privacy.rights_support import *  # noqa: F401,F403 - fixtures
from tests.privacy.rights_support import LETTER, bearer

ME = "/api/v1/me"
REQUESTS = "/api/v1/me/requests"


def test_names_and_language_through_the_api(app, client, rights):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    changed = client.patch(ME, headers=bearer(rights.token),
                           json={"first_name": "  Camille  Rose ", "last_name": "Martin-Durand", "language": "en"})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["first_name"], body["last_name"], body["language"]) == ("Camille Rose", "Martin-Durand", "en")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.updated"))
        assert event.payload == {"fields": ["first_name", "language", "last_name"]}  # names, never values

    for bad in ({"first_name": ""}, {"last_name": "x" * 101}, {"language": "de"}, {"first_name": 3},
                {"email": "autre@example.org"}):
        refused = client.patch(ME, headers=bearer(rights.token), json=bad)
        assert refused.status_code == 422, bad
    assert client.get(ME, headers=bearer(rights.token)).get_json()["first_name"] == "Camille Rose"


def test_names_on_the_account_page(client, rights):
    page = html.unescape(client.get("/compte").get_data(as_text=True))
    assert "Corriger mon nom ou changer de langue" in page and "Demander une rectification" in page

    refused = client.post("/compte/profil", data={"first_name": "", "last_name": "Martin", "language": "fr"})
    assert refused.status_code == 422
    assert "Saisissez votre prénom." in html.unescape(refused.get_data(as_text=True))

    saved = client.post("/compte/profil", data={"first_name": "Camille", "last_name": "Martin-Durand",
                                                "language": "fr"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/compte#profil")
    assert client.get(ME, headers=bearer(rights.token)).get_json()["last_name"] == "Martin-Durand"


def test_a_rectification_of_sealed_data_goes_to_the_organisation(app, client, rights):
    from datetime import timedelta

    from core.dossiers.models import DossierVersion
    from core.extensions import db
    from core.privacy.models import PrivacyRequest

    created = client.post(REQUESTS, headers=bearer(rights.token), json={
        "kind": "rectification", "dossier_id": rights.dossier_id,
        "details": "Ma date de naissance est le 12/03/1985, et non le 12/03/1958."})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["kind"] == "rectification" and body["status"] == "open" and body["handled_at"] is None
    assert body["organisation"] == {"id": rights.org.id, "name": "Certificateur des droits"}
    assert "12/03/1985" in body["details"]
    with app.app_context():
        row = db.session.get(PrivacyRequest, body["id"])
        assert row.organisation_id == rights.org.id and row.subject_id == rights.candidate.id
        assert timedelta(days=27) < row.due_at - row.received_at < timedelta(days=32)
        version = db.session.query(DossierVersion).filter_by(dossier_id=rights.dossier_id).one()
        assert version.content["lettre_motivation"]["lettre"] == LETTER  # the sealed version stays as it is
    listed = client.get(REQUESTS, headers=bearer(rights.token)).get_json()["items"]
    assert [r["id"] for r in listed] == [body["id"]]

    objection = client.post(REQUESTS, headers=bearer(rights.token), json={
        "kind": "objection", "details": "Je m'oppose à l'envoi de mes résultats par courriel."})
    assert objection.status_code == 201 and objection.get_json()["organisation"]["id"] == rights.org.id


def test_bad_requests_are_refused_in_french(app, client, rights, create_user, token_of):
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    other = create_user("candidate")
    with app.app_context():
        theirs = Dossier(candidate_id=other.id, certification_code="RGT01", status=DossierStatus.SUBMITTED,
                         organisation_id=rights.org.id)
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    cases = [
        {"kind": "rectification", "details": "Sans dossier"},  # a dossier must be named
        {"kind": "rectification", "details": "Le dossier d'un autre", "dossier_id": theirs_id},
        {"kind": "rectification", "details": "Hors limites", "dossier_id": 2**63},
        {"kind": "erasure", "details": "Effacez tout", "dossier_id": rights.dossier_id},  # not a request kind
        {"kind": "rectification", "details": "", "dossier_id": rights.dossier_id},
        {"kind": "rectification", "details": "x" * 5001, "dossier_id": rights.dossier_id},
    ]
    for case in cases:
        refused = client.post(REQUESTS, headers=bearer(rights.token), json=case)
        assert refused.status_code == 422, (case, refused.get_json())
        assert refused.get_json()["error"]["message"]
    assert client.get(REQUESTS, headers=bearer(rights.token)).get_json()["items"] == []
    assert client.post(REQUESTS, json=cases[0]).status_code == 401

    # a staff member has no dossier: the request goes to their own organisation
    staff = client.post(REQUESTS, headers=bearer(token_of(rights.admin)),
                        json={"kind": "rectification", "details": "Mon poste est mal indiqué."})
    assert staff.status_code == 201 and staff.get_json()["organisation"]["id"] == rights.org.id


def test_the_rectification_page(app, client, rights):
    from sqlalchemy import select

    from core.extensions import db
    from core.privacy.models import PrivacyRequest

    page = html.unescape(client.get("/compte/donnees/rectification").get_data(as_text=True))
    assert "Une version déposée reste telle qu'elle a été signée et scellée" in page
    assert "ouvrir le dossier" in page  # the draft, editable by the person

    missing = client.post("/compte/donnees/rectification", data={"kind": "rectification", "dossier": "",
                                                                 "details": "Sans dossier"})
    assert missing.status_code == 422
    assert "Choisissez le dossier" in html.unescape(missing.get_data(as_text=True))
    other = client.post("/compte/donnees/rectification", data={"kind": "rectification", "dossier": "99999",
                                                               "details": "Un dossier inconnu"})
    assert other.status_code == 422

    sent = client.post("/compte/donnees/rectification", data={
        "kind": "rectification", "dossier": str(rights.dossier_id), "details": "Mon adresse a changé."})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#demandes")
    listing = html.unescape(client.get("/compte/donnees/rectification").get_data(as_text=True))
    assert "Mon adresse a changé." in listing and "À traiter" in listing
    with app.app_context():
        rows = db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.subject_id == rights.candidate.id)).all()
        assert [(r.kind.value, r.status.value, r.organisation_id) for r in rows] == [
            ("rectification", "open", rights.org.id)]
