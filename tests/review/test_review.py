"""Admissibility review, as issue 7's "Done when" tells it (the list/search is another area's)."""
import hashlib
import re
import subprocess

import pytest

from tests.review.conftest import add_annex, page


def _status(app, dossier_id):
    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        return db.session.get(Dossier, dossier_id).status.value


def _letters(app, dossier_id):
    from core.dossiers.models import Document
    from core.extensions import db

    with app.app_context():
        return [(d.id, d.version_id) for d in db.session.query(Document).filter_by(
            dossier_id=dossier_id, kind="admissibility_letter").order_by(Document.id)]


def _token(app, user):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        secret, _token = issue_token(db.session.get(User, user.id), name="tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}


def test_corrections_new_version_diff_then_admissible(app, client, submitted, outbox):
    dossier_id, candidate, staff = submitted["dossier_id"], submitted["candidate"], submitted["staff"]
    staff_client = submitted["staff_client"]
    url = f"/certificateur/dossiers/{dossier_id}/recevabilite"

    review = page(staff_client.get(url))
    assert "dix ans d'expérience" in review and "Preuve 1" in review and "saine" in review
    assert f"/dossiers/{dossier_id}/annexes/1/contenu" in review
    assert "Premier dépôt." in review

    # two corrections, one on a section, one on an annex; a row without a target is refused first
    response = staff_client.post(url + "/decision", data={
        "kind": "corrections", "password": staff.plain_password,
        "items-0-message": "Précisez le contexte.", "items-0-section": "", "items-0-annex": ""})
    assert response.status_code == 422
    assert "Indiquez la section ou l'annexe concernée" in page(response)
    assert _status(app, dossier_id) == "submitted"
    response = staff_client.post(url + "/decision", data={
        "kind": "corrections", "password": staff.plain_password,
        "items-0-message": "Précisez le contexte de votre expérience.", "items-0-section": "lettre_motivation",
        "items-1-message": "La preuve n° 1 est illisible : déposez-en une autre.", "items-1-annex": "1"})
    assert response.status_code == 302, page(response)
    assert _status(app, dossier_id) == "corrections_requested"
    mails = [m for m in outbox() if "Corrections demandées" in m["Subject"]]
    assert len(mails) == 1 and "illisible" in mails[0].get_content()

    # the candidate fixes both and submits version 2
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "Précisez le contexte" in overview
    assert client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={
        "action": "complete", "lettre": "Dix ans d'expérience, dans une équipe de cinq personnes."}).status_code == 302
    sha2 = add_annex(app, dossier_id, candidate.id, 2, b"%PDF-1.4 preuve lisible", ["C1", "C2"])
    client.post(f"/dossiers/{dossier_id}/deposer", data={"password": candidate.plain_password})
    assert _status(app, dossier_id) == "submitted"

    # the staff member sees what changed
    review = page(staff_client.get(url))
    assert "Ce qui a changé depuis la version 1" in review
    assert "équipe de cinq personnes" in review and "modifié" in review
    assert "Annexe ajoutée : n° 2 « Preuve 2 »" in review
    older = page(staff_client.get(url + "?version=1"))
    assert "Je souhaite faire reconnaître dix ans" in older
    diff = staff_client.get(f"/api/v1/backoffice/dossiers/{dossier_id}/versions/diff?from=1&to=2",
                            headers=_token(app, staff))
    assert diff.status_code == 200, diff.json
    body = diff.json
    assert body["from"] == 1 and body["to"] == 2
    assert body["sections"][0]["key"] == "lettre_motivation"
    assert body["sections"][0]["changes"][0]["change"] == "changed"
    assert [a["sha256"] for a in body["annexes_added"]] == [sha2] and body["annexes_removed"] == []

    # inadmissible without reasons: refused in French, nothing changes
    response = staff_client.post(url + "/decision", data={"kind": "inadmissible", "reasons": "  ",
                                                           "password": staff.plain_password})
    assert response.status_code == 422
    assert "Indiquez les motifs de l'irrecevabilité" in page(response)
    # wrong password: nothing changes
    letters_before = _letters(app, dossier_id)
    response = staff_client.post(url + "/decision", data={"kind": "admissible", "password": "pas le bon"})
    assert response.status_code == 422
    assert "Mot de passe incorrect" in page(response)
    assert _status(app, dossier_id) == "submitted" and _letters(app, dossier_id) == letters_before

    # admissible, with the password
    response = staff_client.post(url + "/decision", data={"kind": "admissible", "password": staff.plain_password})
    assert response.status_code == 302, page(response)
    assert _status(app, dossier_id) == "admissible"
    mails = [m for m in outbox() if "est recevable" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["To"] == candidate.email
    assert "votre dossier est recevable" in mails[0].get_content()

    # the candidate downloads the sealed letter from their dossier
    overview = page(client.get(f"/dossiers/{dossier_id}"))
    assert "Recevable" in overview and "Décision de recevabilité" in overview
    letter_id, _version = _letters(app, dossier_id)[-1]
    letter = client.get(f"/dossiers/{dossier_id}/documents/{letter_id}")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=letter.data, capture_output=True, check=True).stdout.decode()
    assert "recevable" in text and "Camille Martin" in text
    assert f"/documents/{letter_id}" in mails[0].get_content()
    report = client.post("/api/v1/verify", data={"file": (__import__("io").BytesIO(letter.data), "l.pdf")},
                         content_type="multipart/form-data").json
    assert report["valid"] is True and report["platform"]["issued"] is True

    # an already decided dossier: refused, the state named (page and API)
    response = staff_client.post(url + "/decision", data={"kind": "inadmissible", "reasons": "x",
                                                           "password": staff.plain_password})
    assert response.status_code == 409 and "« Recevable »" in page(response)
    response = staff_client.post(f"/api/v1/backoffice/dossiers/{dossier_id}/decision", headers=_token(app, staff),
                                 json={"kind": "inadmissible", "reasons": "x", "password": staff.plain_password})
    assert response.status_code == 409 and response.json["error"]["code"] == "wrong_state"
    assert "Recevable" in response.json["error"]["message"]

    # the audit trail has the decisions
    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert "dossier.corrections_requested" in actions and "dossier.admissible" in actions


def test_inadmissible_through_the_api(app, client, submitted, outbox):
    dossier_id, staff = submitted["dossier_id"], submitted["staff"]
    endpoint = f"/api/v1/backoffice/dossiers/{dossier_id}/decision"
    headers = _token(app, staff)
    response = client.post(endpoint, headers=headers, json={"kind": "inadmissible", "password": staff.plain_password})
    assert response.status_code == 422
    assert "motifs" in response.json["error"]["details"]["reasons"][0]
    response = client.post(endpoint, headers=headers, json={"kind": "admissible", "password": "faux"})
    assert response.status_code == 422 and response.json["error"]["code"] == "reauthentication_failed"
    assert _status(app, dossier_id) == "submitted"
    response = client.post(endpoint, headers=headers, json={
        "kind": "inadmissible", "reasons": "L'expérience déclarée est inférieure à un an.",
        "password": staff.plain_password})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "inadmissible" and response.json["letter"]["kind"] == "admissibility_letter"
    assert _status(app, dossier_id) == "inadmissible"
    mail = [m for m in outbox() if "n'est pas recevable" in m["Subject"]]
    assert len(mail) == 1 and "inférieure à un an" in mail[0].get_content()
    letter = response.json["letter"]
    content = client.get(letter["links"]["content"], headers=headers)
    # issue 13 §1: the digest and size the decision lists are those of the bytes its link serves
    assert content.status_code == 200
    assert hashlib.sha256(content.data).hexdigest() == letter["sha256"] and len(content.data) == letter["size"]
    assert content.headers["ETag"] == f'"{letter["sha256"]}"'
    assert content.headers["Content-Digest"].startswith("sha-256=:")
    text = subprocess.run(["pdftotext", "-", "-"], input=content.data, capture_output=True).stdout.decode()
    assert "non recevable" in text and "inférieure à un an" in text


def test_decision_on_a_draft_is_refused_naming_the_state(app, client, plugin, create_user, login):
    from core.auth.models import Organisation, OrganisationCertification, User
    from core.dossiers.models import Dossier
    from core.errors import NotFound
    from core.extensions import db
    from core.review import services
    from tests.review.conftest import CODE

    staff = create_user("certifier_staff")
    with app.app_context():
        org = db.session.get(Organisation, staff.organisation_id)
        org.certifications.append(OrganisationCertification(certification_code=CODE))
        db.session.commit()
    candidate = create_user("candidate")
    login(candidate)
    response = client.post("/dossiers/nouveau", data={"certification": CODE})
    dossier_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        dossier, actor = db.session.get(Dossier, dossier_id), db.session.get(User, staff.id)
        with app.test_request_context():  # staff never reach a draft, not even through the service
            with pytest.raises(NotFound) as refused:
                services.declare_admissible(dossier, actor=actor, password=staff.plain_password)
        assert refused.value.code == "dossier_not_found"
    # staff never see a draft: 404 on the review page
    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    assert staff_client.get(f"/certificateur/dossiers/{dossier_id}/recevabilite").status_code == 404


def test_staff_of_another_organisation_get_404_everywhere(app, client, submitted, create_user, login):
    dossier_id = submitted["dossier_id"]
    outsider = create_user("certifier_staff")
    other = app.test_client()
    login(outsider, test_client=other)
    base = f"/certificateur/dossiers/{dossier_id}/recevabilite"
    assert other.get(base).status_code == 404
    assert other.get(base + "?version=1").status_code == 404
    assert other.post(base + "/notes", data={"text": "intrus"}).status_code == 404
    assert other.post(base + "/decision", data={"kind": "admissible",
                                                "password": outsider.plain_password}).status_code == 404
    headers = _token(app, outsider)
    assert other.post(f"/api/v1/backoffice/dossiers/{dossier_id}/decision", headers=headers, json={
        "kind": "admissible", "password": outsider.plain_password}).status_code == 404
    assert other.get(f"/api/v1/backoffice/dossiers/{dossier_id}/versions/diff?from=1&to=1",
                     headers=headers).status_code == 404
    # a candidate (even the owner) gets 404 on the review URLs
    assert client.get(base).status_code == 404
    assert client.post(base + "/decision", data={"kind": "admissible", "password": "x"}).status_code == 404
    assert _status(app, dossier_id) == "submitted"


def test_notes_are_never_shown_to_the_candidate(app, client, submitted):
    dossier_id, staff_client = submitted["dossier_id"], submitted["staff_client"]
    base = f"/certificateur/dossiers/{dossier_id}/recevabilite"
    response = staff_client.post(base + "/notes", data={"text": ""})
    assert response.status_code == 422 and "Saisissez le texte de la note." in page(response)
    response = staff_client.post(base + "/notes", data={"text": "NOTE-INTERNE-4242 : appeler l'employeur."})
    assert response.status_code == 302
    assert "NOTE-INTERNE-4242" in page(staff_client.get(base))

    candidate_pages = [f"/dossiers/{dossier_id}", f"/dossiers/{dossier_id}/sections/lettre_motivation",
                       f"/dossiers/{dossier_id}/annexes"]
    for url in candidate_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "NOTE-INTERNE-4242" not in page(response), url
    headers = _token(app, submitted["candidate"])
    for url in (f"/api/v1/dossiers/{dossier_id}", f"/api/v1/dossiers/{dossier_id}/documents"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert "NOTE-INTERNE-4242" not in response.get_data(as_text=True)
    assert client.get(base).status_code == 404


def test_openapi_documents_the_review_endpoints(app, client):
    spec = client.get("/api/v1/openapi.json").json
    decision = spec["paths"]["/api/v1/backoffice/dossiers/{dossier_id}/decision"]["post"]
    assert "DecisionRequest" in str(decision["requestBody"]) and "Decision" in str(decision["responses"]["201"])
    assert "/api/v1/backoffice/dossiers/{dossier_id}/versions/diff" in spec["paths"]
    for name in ("DecisionRequest", "Decision", "VersionDiff", "SectionDiff", "FieldChange"):
        assert name in spec["components"]["schemas"], name


def test_diff_of_nested_content():
    from core.review.services import diff_sections

    old = {"a": {"nom": "Martin", "fiches": [{"x": "1"}, {"x": "2"}], "vide": ""}}
    new = {"a": {"nom": "Martin", "fiches": [{"x": "1"}, {"x": "3"}, {"x": "4"}], "neuf": "oui"}, "b": {"k": 1}}
    result = {s.key: [(c.path, c.change) for c in s.changes] for s in diff_sections(old, new, {"a": "A", "b": "B"})}
    assert result == {"a": [("fiches.1.x", "changed"), ("fiches.2.x", "added"), ("neuf", "added")],
                      "b": [("k", "added")]}


@pytest.mark.parametrize("code", ["REV02"])
def test_admissible_refused_while_the_fee_is_not_settled(app, client, submitted, code):
    fees = pytest.importorskip("core.fees.services")
    if not hasattr(fees, "fee_settled"):
        pytest.skip("the fees area has no fee_settled yet")
    dossier_id, staff = submitted["dossier_id"], submitted["staff"]
    response = client.post(f"/api/v1/backoffice/dossiers/{dossier_id}/decision", headers=_token(app, staff),
                           json={"kind": "admissible", "password": staff.plain_password})
    assert response.status_code == 409 and response.json["error"]["code"] == "fee_not_settled"
    assert "frais" in response.json["error"]["message"]
    assert _status(app, dossier_id) == "submitted"
