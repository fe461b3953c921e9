"""Webhooks: signed deliveries to a real local HTTP server on payment and on admissibility decisions,
retries with back-off then failure, refused addresses, organisation isolation, OpenAPI."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.testing import organisation_id_for
from tests.webhooks.conftest import FEE_CODE, REVIEW_CODE, auth, register, verify


def paid_fee(app, ctx, create_user) -> int:
    """A submitted dossier of FEE_CODE whose fee the staff records as paid; returns the dossier id."""
    from core.auth.models import User
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db
    from core.fees import services

    candidate = create_user("candidate")
    with app.app_context():
        dossier = Dossier(candidate_id=candidate.id, certification_code=FEE_CODE, status=DossierStatus.SUBMITTED,
                          organisation_id=organisation_id_for(FEE_CODE))
        db.session.add(dossier)
        db.session.flush()
        dossier.reference = f"{FEE_CODE}-2026-{dossier.id:06d}"
        fee = services.ensure_request(dossier, actor=None)
        db.session.commit()
        services.record_payment(fee, actor=db.session.get(User, ctx.staff.id), amount_cents=30000)
        db.session.commit()
        return dossier.id


def test_fee_payment_is_delivered_signed(app, client, plugin, org_with_admin, create_user, receiver):
    ctx = org_with_admin(FEE_CODE)
    response = register(client, ctx.token, receiver.url, events=["fee.paid"])
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    secret = created["secret"]
    assert secret.startswith("whsec_") and created["events"] == ["fee.paid"]
    listed = client.get("/api/v1/webhooks", headers=auth(ctx.token)).get_json()["items"]
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]  # shown once

    dossier_id = paid_fee(app, ctx, create_user)

    assert len(receiver.requests) == 1
    req = receiver.requests[0]
    verify(req, secret)
    assert req["headers"]["X-Livret-Event"] == "fee.paid"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["headers"]["X-Livret-Timestamp"].isdigit()
    body = req["json"]
    assert body["event"] == "fee.paid" and str(body["id"]) == req["headers"]["X-Livret-Delivery"]
    assert body["timestamp"] == int(req["headers"]["X-Livret-Timestamp"])
    data = body["data"]
    assert data["dossier_id"] == dossier_id and data["certification"] == FEE_CODE
    assert data["amount_cents"] == 30000 and data["reference"] == f"{FEE_CODE}-2026-{dossier_id:06d}"
    assert data["invoice_number"]
    # a tampered body does not verify
    forged = dict(req, body=req["body"].replace(b"30000", b"1"))
    with pytest.raises(AssertionError):
        verify(forged, secret)

    deliveries = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth(ctx.token)).get_json()
    assert [(d["event"], d["status"], d["attempts"]) for d in deliveries["items"]] == [("fee.paid", "delivered", 1)]
    assert deliveries["items"][0]["delivered_at"] and deliveries["items"][0]["last_status_code"] == 200


def test_rolled_back_payment_notifies_nobody(app, client, plugin, org_with_admin, create_user, receiver):
    from core.auth.models import User
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db
    from core.fees import services
    from core.webhooks.models import WebhookDelivery

    ctx = org_with_admin(FEE_CODE)
    assert register(client, ctx.token, receiver.url).status_code == 201
    candidate = create_user("candidate")
    with app.app_context():
        dossier = Dossier(candidate_id=candidate.id, certification_code=FEE_CODE, status=DossierStatus.SUBMITTED,
                          reference="WHK01-2026-000999", organisation_id=organisation_id_for(FEE_CODE))
        db.session.add(dossier)
        fee = services.ensure_request(dossier, actor=None)
        db.session.commit()
        services.record_payment(fee, actor=db.session.get(User, ctx.staff.id), amount_cents=30000)
        db.session.rollback()
        db.session.commit()  # an empty later commit does not send the forgotten event
        assert db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 0
    assert receiver.requests == []


def test_admissibility_decision_is_delivered_signed(app, client, plugin, org_with_admin, create_user, login,
                                                    receiver):
    from core.auth.models import User
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.review import services

    ctx = org_with_admin(REVIEW_CODE)
    created = register(client, ctx.token, receiver.url, events=["dossier.admissibility_decided"]).get_json()

    candidate = create_user("candidate", first_name="Camille", last_name="Martin")
    login(candidate)
    response = client.post("/dossiers/nouveau", data={"certification": REVIEW_CODE})
    dossier_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert client.post(f"/dossiers/{dossier_id}/sections/lettre_motivation", data={
        "action": "complete", "lettre": "Je souhaite faire reconnaître dix ans d'expérience."}).status_code == 302
    assert client.post(f"/dossiers/{dossier_id}/sections/declaration_honneur", data={
        "action": "complete", "connaissance_fraudes": "y", "exactitude": "y", "fait_a": "Lyon",
        "date": "2026-11-20", "nom_prenom": candidate.full_name}).status_code == 302
    client.post(f"/dossiers/{dossier_id}/deposer", data={"password": candidate.plain_password})

    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status.value == "submitted", dossier.status
        services.declare_admissible(dossier, actor=db.session.get(User, ctx.staff.id),
                                    password=ctx.staff.plain_password)
        reference = dossier.reference

    assert len(receiver.requests) == 1
    req = receiver.requests[0]
    verify(req, created["secret"])
    assert req["headers"]["X-Livret-Event"] == "dossier.admissibility_decided"
    data = req["json"]["data"]
    assert data == {**data, "dossier_id": dossier_id, "reference": reference, "certification": REVIEW_CODE,
                    "decision": "admissible", "status": "admissible"}
    assert "Camille" not in req["body"].decode() and candidate.email not in req["body"].decode()  # ids only


def test_failing_endpoint_is_retried_with_backoff_then_failed(app, client, plugin, org_with_admin, create_user,
                                                              receiver):
    from core.extensions import db
    from core.webhooks import services
    from core.webhooks.models import DeliveryStatus, WebhookDelivery

    receiver.status = 500
    ctx = org_with_admin(FEE_CODE)
    created = register(client, ctx.token, receiver.url).get_json()
    paid_fee(app, ctx, create_user)
    assert len(receiver.requests) == 1

    with app.app_context():
        delivery = db.session.scalar(db.select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.PENDING, 1, "HTTP 500")
        assert services.retry_due() == 0  # not due before its back-off
        assert services.deliver(delivery.id) is None
        delays = []
        for attempt in range(2, 6):
            delivery = db.session.get(WebhookDelivery, delivery.id)
            delays.append(services._aware(delivery.next_attempt_at) - services._aware(delivery.created_at))
            delivery.next_attempt_at = delivery.next_attempt_at - timedelta(days=1)  # time passes
            db.session.commit()
            assert services.retry_due() == 1  # the scheduler task enqueues it (inline: runs it)
            assert len(receiver.requests) == attempt
        delivery = db.session.get(WebhookDelivery, delivery.id)
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 5, None)
        assert delays == sorted(delays) and delays[0] >= timedelta(seconds=59)  # growing back-off
        assert services.retry_due() == 0 and services.deliver(delivery.id) is None
    assert len(receiver.requests) == 5
    assert len({r["headers"]["X-Livret-Delivery"] for r in receiver.requests}) == 1
    items = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=auth(ctx.token)).get_json()["items"]
    assert (items[0]["status"], items[0]["attempts"], items[0]["last_status_code"]) == ("failed", 5, 500)


def test_scheduler_lists_the_retry_task():
    from core.scheduler import TASKS

    assert "core.webhooks.services.retry_due" in {t.job for t in TASKS}


@pytest.mark.parametrize("url", ["https://10.0.0.5/hook", "https://192.168.1.10/hook", "http://169.254.169.254/",
                                 "https://[fd00::1]/hook", "https://0.0.0.0/", "ftp://127.0.0.1/hook",
                                 "https://user:pw@127.0.0.1/"])
def test_private_and_reserved_addresses_are_refused(client, org_with_admin, url):
    ctx = org_with_admin()
    response = register(client, ctx.token, url)
    assert response.status_code == 422, (url, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and error["details"]["url"]
    assert client.get("/api/v1/webhooks", headers=auth(ctx.token)).get_json()["items"] == []


def test_loopback_is_refused_unless_allowed(app, client, org_with_admin, receiver):
    ctx = org_with_admin()
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = False
    response = register(client, ctx.token, receiver.url)
    assert response.status_code == 422 and "127.0.0.1" in response.get_json()["error"]["message"]
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = True
    assert register(client, ctx.token, receiver.url).status_code == 201
    bad = register(client, ctx.token, receiver.url, events=["dossier.deleted"])
    assert bad.status_code == 422 and "events" in bad.get_json()["error"]["details"]


def test_other_organisation_gets_404_and_staff_403(app, client, org_with_admin, make_token, receiver):
    mine = org_with_admin()
    other = org_with_admin(name="Autre certificateur")
    created = register(client, mine.token, receiver.url).get_json()
    wid = created["id"]
    for method, url in (("get", f"/api/v1/webhooks/{wid}"), ("get", f"/api/v1/webhooks/{wid}/deliveries"),
                        ("delete", f"/api/v1/webhooks/{wid}")):
        response = getattr(client, method)(url, headers=auth(other.token))
        assert response.status_code == 404, (method, url)
        assert response.get_json()["error"]["code"] == "webhook_not_found"
    assert client.get("/api/v1/webhooks", headers=auth(other.token)).get_json()["items"] == []
    staff_token = make_token(mine.staff)
    assert client.get("/api/v1/webhooks", headers=auth(staff_token)).status_code == 403
    assert register(client, staff_token, receiver.url).status_code == 403
    # the owner deletes it
    assert client.delete(f"/api/v1/webhooks/{wid}", headers=auth(mine.token)).status_code == 204
    assert client.get(f"/api/v1/webhooks/{wid}", headers=auth(mine.token)).status_code == 404


def test_openapi_documents_the_webhook_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/webhooks", "/api/v1/webhooks/{endpoint_id}",
            "/api/v1/webhooks/{endpoint_id}/deliveries"} <= set(spec["paths"])
    assert {"WebhookCreate", "WebhookEndpointCreated", "WebhookDeliveryList"} <= set(spec["components"]["schemas"])
