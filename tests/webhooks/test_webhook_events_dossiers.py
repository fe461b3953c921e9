"""The dossier's events as a centre's system receives them: submission (API), corrections requested,
resubmission, admissibility decision; fee waived. Signed, valid against the published schemas, sent to the
organisation the dossier belongs to and to nobody else; a rolled-back change sends nothing."""
from __future__ import annotations

import pytest

from core.testing import organisation_id_for
from tests.webhooks.conftest import ALL, FEE_CODE, REVIEW_CODE, auth, check_delivery, events_of, register


@pytest.fixture
def centre_and_certifier(app, client, plugin, org_with_admin, make_receiver):
    """The certifier of REVIEW_CODE and a habilitated centre delivering it, each with an endpoint subscribed
    to every event and its own receiver."""
    from core.auth.models import DeliveryRole, OrganisationCertification
    from core.extensions import db

    certifier = org_with_admin(REVIEW_CODE, name="Certificateur WHK")
    centre = org_with_admin(name="Centre habilité WHK")
    with app.app_context():
        db.session.add(OrganisationCertification(organisation_id=centre.org.id, certification_code=REVIEW_CODE,
                                                 role=DeliveryRole.CENTRE))
        db.session.commit()
    for ctx in (certifier, centre):
        ctx.receiver = make_receiver()
        created = register(client, ctx.token, ctx.receiver.url, events=ALL)
        assert created.status_code == 201, created.get_json()
        ctx.secret = created.get_json()["secret"]
    return certifier, centre


def _open_and_fill(client, token: str, organisation_id: int, candidate) -> int:
    response = client.post("/api/v1/dossiers", json={"certification": REVIEW_CODE, "organisation_id": organisation_id},
                           headers=auth(token))
    assert response.status_code == 201, response.get_json()
    dossier_id = response.get_json()["id"]
    _fill(client, token, dossier_id, candidate, "Je souhaite faire reconnaître dix ans d'expérience.")
    return dossier_id


def _fill(client, token: str, dossier_id: int, candidate, letter: str) -> None:
    sections = {"lettre_motivation": {"lettre": letter},
                "declaration_honneur": {"connaissance_fraudes": True, "exactitude": True, "fait_a": "Lyon",
                                        "date": "2026-11-20", "nom_prenom": candidate.full_name}}
    for key, data in sections.items():
        response = client.put(f"/api/v1/dossiers/{dossier_id}/sections/{key}", json=data, headers=auth(token))
        assert response.status_code == 200 and response.get_json()["complete"], response.get_json()


def _submit(client, token: str, dossier_id: int, candidate):
    return client.post(f"/api/v1/dossiers/{dossier_id}/submit", json={"password": candidate.plain_password},
                       headers=auth(token))


def test_dossier_events_reach_the_dossiers_organisation_signed_and_valid(
        app, client, centre_and_certifier, create_user, make_token, spec):
    from core.auth.models import User
    from core.dossiers.models import Document, Dossier
    from core.extensions import db
    from core.review import services as review

    certifier, centre = centre_and_certifier
    candidate = create_user("candidate", first_name="Camille", last_name="Martin")
    token = make_token(candidate)
    dossier_id = _open_and_fill(client, token, centre.org.id, candidate)
    assert centre.receiver.requests == []  # opening and filling a dossier is no event

    response = _submit(client, token, dossier_id, candidate)
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.organisation_id == centre.org.id
        reference = dossier.reference
        documents = {d.kind: d.id for d in db.session.scalars(db.select(Document).where(
            Document.dossier_id == dossier_id))}
    assert events_of(centre.receiver) == ["dossier.submitted"]
    submitted = check_delivery(centre.receiver.requests[0], centre.secret, spec)["data"]
    assert submitted == {"dossier_id": dossier_id, "reference": reference, "certification": REVIEW_CODE,
                         "version": 1, "submitted_at": submitted["submitted_at"],
                         "livret2_document_id": documents["livret2"], "receipt_document_id": documents["receipt"]}

    # the centre's staff asks for corrections: the decision, then what is to correct (keys, never the text)
    with app.app_context():
        staff = db.session.get(User, centre.staff.id)
        review.ask_for_corrections(db.session.get(Dossier, dossier_id), actor=staff,
                                   password=centre.staff.plain_password,
                                   items=[{"message": "Précisez vos missions chez Camille & Fils.",
                                           "section": "lettre_motivation"},
                                          {"message": "Datez la déclaration.", "section": "declaration_honneur"}])
    assert events_of(centre.receiver)[1:] == ["dossier.admissibility_decided", "dossier.corrections_requested"]
    decided, corrections = (check_delivery(r, centre.secret, spec)["data"] for r in centre.receiver.requests[1:])
    assert decided == {"dossier_id": dossier_id, "reference": reference, "certification": REVIEW_CODE,
                       "decision": "corrections", "status": "corrections_requested", "version": 1,
                       "letter_document_id": decided["letter_document_id"]}
    assert corrections == {"dossier_id": dossier_id, "reference": reference, "certification": REVIEW_CODE,
                           "version": 1, "letter_document_id": decided["letter_document_id"],
                           "requested_at": corrections["requested_at"], "items": 2,
                           "sections": ["declaration_honneur", "lettre_motivation"], "annexes": []}

    # the candidate corrects and submits again: version 2
    _fill(client, token, dossier_id, candidate, "Missions précisées : dix ans de développement.")
    assert _submit(client, token, dossier_id, candidate).status_code == 201
    resubmitted = check_delivery(centre.receiver.requests[3], centre.secret, spec)["data"]
    assert resubmitted["version"] == 2 and resubmitted["dossier_id"] == dossier_id
    assert resubmitted["livret2_document_id"] != submitted["livret2_document_id"]

    with app.app_context():
        review.declare_admissible(db.session.get(Dossier, dossier_id), actor=db.session.get(User, centre.staff.id),
                                  password=centre.staff.plain_password)
    final = check_delivery(centre.receiver.requests[4], centre.secret, spec)
    assert final["event"] == "dossier.admissibility_decided"
    assert (final["data"]["decision"], final["data"]["status"], final["data"]["version"]) == (
        "admissible", "admissible", 2)

    # ids and codes only; the certifier of the certification is not the dossier's organisation: nothing
    bodies = b" ".join(r["body"] for r in centre.receiver.requests).decode()
    assert "Camille" not in bodies and candidate.email not in bodies and "missions" not in bodies.lower()
    assert len(centre.receiver.requests) == 5 and certifier.receiver.requests == []
    delivered = client.get("/api/v1/webhooks", headers=auth(centre.token)).get_json()["items"][0]
    statuses = client.get(delivered["links"]["deliveries"], headers=auth(centre.token)).get_json()["items"]
    assert {d["status"] for d in statuses} == {"delivered"}


def test_a_submission_rolled_back_after_its_event_sends_nothing(
        app, client, centre_and_certifier, create_user, make_token, monkeypatch):
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db
    from core.webhooks import services as webhooks
    from core.webhooks.models import WebhookDelivery

    _certifier, centre = centre_and_certifier
    candidate = create_user("candidate")
    token = make_token(candidate)
    dossier_id = _open_and_fill(client, token, centre.org.id, candidate)
    real_emit = webhooks.emit

    def emit_then_fail(event, organisation_id, payload):
        created = real_emit(event, organisation_id, payload)
        assert created  # the delivery was queued in the transaction…
        raise RuntimeError("storage unavailable")  # …which then fails

    monkeypatch.setattr(webhooks, "emit", emit_then_fail)
    assert _submit(client, token, dossier_id, candidate).status_code == 500  # answered as an unexpected error
    monkeypatch.setattr(webhooks, "emit", real_emit)
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status is DossierStatus.DRAFT
        assert db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 0
    assert centre.receiver.requests == []

    assert _submit(client, token, dossier_id, candidate).status_code == 201  # the retry notifies, once
    assert events_of(centre.receiver) == ["dossier.submitted"]


def test_fee_waived_and_paid_go_to_the_dossiers_organisation(app, client, plugin, org_with_admin, create_user,
                                                             make_receiver, spec):
    from core.auth.models import User
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db
    from core.fees import services as fees

    mine = org_with_admin(FEE_CODE)
    other = org_with_admin(name="Autre certificateur")
    for ctx in (mine, other):
        ctx.receiver = make_receiver()
        ctx.secret = register(client, ctx.token, ctx.receiver.url, events=ALL).get_json()["secret"]

    ids, candidates = [], [create_user("candidate"), create_user("candidate")]
    with app.app_context():
        for candidate in candidates:
            dossier = Dossier(candidate_id=candidate.id, certification_code=FEE_CODE, status=DossierStatus.SUBMITTED,
                              organisation_id=organisation_id_for(FEE_CODE))
            db.session.add(dossier)
            db.session.flush()
            dossier.reference = f"{FEE_CODE}-2026-{dossier.id:06d}"
            ids.append((dossier.id, fees.ensure_request(dossier, actor=None).id))
        db.session.commit()
        staff = db.session.get(User, mine.staff.id)
        fees.waive(fees.fee_of(db.session.get(Dossier, ids[0][0])), actor=staff, reason="Demandeur d'emploi")
        db.session.commit()
        fees.record_payment(fees.fee_of(db.session.get(Dossier, ids[1][0])), actor=staff, amount_cents=30000)
        db.session.commit()

    assert events_of(mine.receiver) == ["fee.waived", "fee.paid"]
    waived, paid = (check_delivery(r, mine.secret, spec)["data"] for r in mine.receiver.requests)
    assert waived == {"fee_id": ids[0][1], "dossier_id": ids[0][0], "reference": f"{FEE_CODE}-2026-{ids[0][0]:06d}",
                      "certification": FEE_CODE, "amount_cents": 30000, "currency": "EUR",
                      "waived_at": waived["waived_at"]}
    assert "Demandeur" not in mine.receiver.requests[0]["body"].decode()  # the reason is free text: not sent
    assert (paid["fee_id"], paid["dossier_id"], paid["amount_cents"]) == (ids[1][1], ids[1][0], 30000)
    assert other.receiver.requests == []
