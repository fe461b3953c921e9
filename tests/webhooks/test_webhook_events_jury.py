"""The jury's events as the certifier's system receives them: a session opened (API), then the PV signed and
sealed on the pages — one ``decision.sealed`` per decision, the ``certificate.issued`` of the successful RS6776
candidate, ``pv.sealed``. Signed, valid against the published schemas, to the session's organisation only;
a rolled-back opening or sealing sends nothing."""
from __future__ import annotations

import pytest

from tests.pv.conftest import clients, jury_session  # noqa: F401 - fixtures: the sealed-session world of tests/pv
from tests.webhooks.conftest import ALL, auth, check_delivery, events_of, register

PASSWORD = "motdepasse-solide"


@pytest.fixture
def subscribed(app, client, create_user, make_token, make_receiver, org_with_admin):
    """``subscribed(org)``: an admin of ``org`` registers an endpoint for every event; returns
    namespace(receiver, secret), plus the same for another organisation (``.other``)."""
    from types import SimpleNamespace

    def make(org):
        admin = create_user("certifier_admin", organisation=org)
        mine = SimpleNamespace(receiver=make_receiver())
        mine.secret = register(client, make_token(admin), mine.receiver.url, events=ALL).get_json()["secret"]
        other = org_with_admin(name="Autre certificateur")
        mine.other = make_receiver()
        assert register(client, other.token, mine.other.url, events=ALL).status_code == 201
        return mine

    return make


def _failing_on(monkeypatch, failing_event: str):
    """Make ``emit`` queue ``failing_event`` then fail, as a later step of the same transaction would."""
    from core.webhooks import services as webhooks

    real_emit = webhooks.emit

    def emit(event, organisation_id, payload):
        created = real_emit(event, organisation_id, payload)
        if event == failing_event:
            raise RuntimeError("a later step failed")
        return created

    monkeypatch.setattr(webhooks, "emit", emit)
    return lambda: monkeypatch.setattr(webhooks, "emit", real_emit)


def _deliveries(app) -> int:
    from core.extensions import db
    from core.webhooks.models import WebhookDelivery

    with app.app_context():
        return db.session.scalar(db.select(db.func.count(WebhookDelivery.id)))


def test_session_opened_reaches_the_sessions_organisation(app, client, certifier_org, create_user, make_token,
                                                          create_admissible_dossier, create_jury_session,
                                                          subscribed, spec, monkeypatch):
    from core.extensions import db
    from core.jury.models import JurorDeclaration, JurySession, SessionStatus

    org = certifier_org("RNCP37827", name="Certificateur jury WHK")
    hooks = subscribed(org)
    manager = create_user("session_manager", organisation=org)
    jurors = [create_user("juror"), create_user("juror")]
    dossiers = [create_admissible_dossier("RNCP37827"), create_admissible_dossier("RNCP37827")]
    sid = create_jury_session("RNCP37827", manager=manager, jurors=jurors, dossiers=dossiers)
    with app.app_context():
        session = db.session.get(JurySession, sid)
        for candidate in session.candidates:
            for juror in jurors:
                db.session.add(JurorDeclaration(candidate_id=candidate.id, juror_id=juror.id, no_link=True,
                                                no_training=True))
        db.session.commit()
    headers = auth(make_token(manager))

    restore = _failing_on(monkeypatch, "session.opened")
    assert client.post(f"/api/v1/sessions/{sid}/open", headers=headers).status_code == 500
    restore()
    with app.app_context():
        assert db.session.get(JurySession, sid).status is SessionStatus.DRAFT
    assert _deliveries(app) == 0 and hooks.receiver.requests == []

    response = client.post(f"/api/v1/sessions/{sid}/open", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert events_of(hooks.receiver) == ["session.opened"]
    data = check_delivery(hooks.receiver.requests[0], hooks.secret, spec)["data"]
    opened = response.get_json()
    assert data == {"session_id": sid, "certification": "RNCP37827", "date": data["date"],
                    "ends_on": data["ends_on"], "starts_at": opened["starts_at"], "opened_at": data["opened_at"],
                    "candidates": 2, "dossier_ids": [d.id for d in dossiers]}
    assert data["date"] == data["ends_on"] and opened["starts_at"].startswith(data["date"])
    assert hooks.other.requests == []


def test_pv_sealing_sends_decisions_certificate_and_pv(app, jury_session, clients, subscribed,  # noqa: F811
                                                       spec, monkeypatch, outbox):
    from core.dossiers.models import Document
    from core.extensions import db
    from core.jury.models import JuryDecision, SignedDocument

    s = jury_session("RS6776", [
        {"name": ("Leroy", "Inès"), "outcome": "acquise", "grid": {"marks": 4.0, "oral": 15.0},
         "marks": {f"C{n}": 4.0 for n in range(1, 7)}, "scores": {"ORAL": 15.0},
         "acquired": [f"C{n}" for n in range(1, 7)]},
        {"name": ("Morel", "Hugo"), "outcome": "non_acquise", "grid": {"marks": 3.0, "oral": 8.0},
         "marks": {f"C{n}": 3.0 for n in range(1, 7)}, "scores": {"ORAL": 8.0}, "retake": True},
    ])
    sid = s["session_id"]
    hooks = subscribed(s["org"])
    manager = clients(s["manager"])
    assert manager.post(f"/sessions/{sid}/pv").status_code == 302
    for juror in s["jurors"]:
        assert clients(juror).post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302

    # the manager's signature queues the PV's seal; a failure of the seal after the events were queued undoes
    # the whole seal (the signature stays, the PV waits for its seal), and the manager relaunches it
    restore = _failing_on(monkeypatch, "pv.sealed")
    assert manager.post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302
    restore()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(JuryDecision.id)).where(
            JuryDecision.sealed_at.is_not(None))) == 0
        assert db.session.scalar(db.select(db.func.count(Document.id)).where(Document.kind == "certificate")) == 0
    assert _deliveries(app) == 0 and hooks.receiver.requests == [] and outbox() == []

    assert manager.post(f"/sessions/{sid}/pv/scellement", data={}).status_code == 302
    events = events_of(hooks.receiver)
    assert sorted(events) == ["certificate.issued", "decision.sealed", "decision.sealed", "pv.sealed"]
    bodies = {}
    for request in hooks.receiver.requests:
        body = check_delivery(request, hooks.secret, spec)
        bodies.setdefault(body["event"], []).append(body["data"])
    success, failure = s["dossiers"]
    with app.app_context():
        pv = db.session.scalar(db.select(SignedDocument).where(SignedDocument.session_id == sid,
                                                                SignedDocument.kind == "pv"))
        certificate = db.session.scalar(db.select(Document).where(Document.kind == "certificate"))
        decisions = {d.candidate.dossier_id: d for d in db.session.scalars(db.select(JuryDecision))}
        expected_certificate = {
            "dossier_id": success.id, "reference": success.reference, "certification": "RS6776",
            "session_id": sid, "decision_id": decisions[success.id].id, "document_id": certificate.id,
            "sha256": certificate.sha256, "validated_blocks": list(decisions[success.id].validated_blocks or [])}
        pv_id, pv_document_id = pv.id, pv.document_id
    assert certificate.dossier_id == success.id
    assert bodies["certificate.issued"] == [expected_certificate]
    sealed = {d["dossier_id"]: d for d in bodies["decision.sealed"]}
    assert set(sealed) == {success.id, failure.id}
    assert (sealed[success.id]["outcome"], sealed[success.id]["category"]) == ("acquise", "total")
    assert (sealed[failure.id]["outcome"], sealed[failure.id]["category"]) == ("non_acquise", "refused")
    assert sealed[failure.id]["retake_until"] and sealed[success.id]["retake_until"] is None
    assert all(d["session_id"] == sid and d["pv_id"] == pv_id for d in sealed.values())
    assert bodies["pv.sealed"] == [{"session_id": sid, "pv_id": pv_id, "number": 1, "replaces_id": None,
                                    "document_id": pv_document_id, "certification": "RS6776",
                                    "counts": {"present": 2, "absent": 0, "admitted_totally": 1,
                                               "admitted_partially": 0, "refused": 1}}]
    text = b" ".join(r["body"] for r in hooks.receiver.requests).decode()
    assert "Leroy" not in text and "Inès" not in text and s["candidates"][0].email not in text
    assert hooks.other.requests == []
