"""Erasing one's account (RGPD art. 17): told first what goes and what stays, then done at once after the
password, in one transaction, objects deleted after the commit; refused while a jury session holding a dossier
is not finished, and to staff accounts."""
from __future__ import annotations

import hashlib
import html

import pytest

from tests.privacy.rights_support import *  # noqa: F401,F403 - fixtures
from tests.privacy.rights_support import PASSWORD, Receiver, bearer, stored

ME = "/api/v1/me"


def _state(app, rights) -> dict:
    """What erasure changes, to compare before and after."""
    from sqlalchemy import func, select

    from core.auth.models import User
    from core.dossiers.models import Annex, Dossier, SectionDraft
    from core.extensions import db

    with app.app_context():
        user = db.session.get(User, rights.candidate.id)
        return {
            "email": user.email, "active": user.active, "erased_at": user.erased_at,
            "dossiers": sorted(db.session.scalars(select(Dossier.id).where(Dossier.candidate_id == user.id))),
            "annexes": db.session.scalar(select(func.count(Annex.id))),
            "sections": db.session.scalar(select(func.count(SectionDraft.id))),
            "objects": [stored(app, rights.annex.key) is not None, stored(app, rights.draft_annex.key) is not None],
        }


@pytest.fixture
def hooked(client, rights, token_of):
    """A webhook receiver of the organisation subscribed to ``erasure.done``."""
    with Receiver() as receiver:
        created = client.post("/api/v1/webhooks", headers=bearer(token_of(rights.admin)),
                              json={"url": receiver.url, "events": ["erasure.done"]})
        assert created.status_code == 201, created.get_json()
        receiver.secret = created.get_json()["secret"]
        yield receiver


def test_the_plan_says_what_goes_and_what_stays(client, rights):
    plan = client.get(f"{ME}/erasure", headers=bearer(rights.token)).get_json()
    assert plan["allowed"] is True and plan["reason"] is None and plan["blocking_sessions"] == []
    assert plan["draft_dossier_ids"] == [rights.draft_id]
    assert plan["erased_dossier_ids"] == plan["withdrawn_dossier_ids"] == [rights.dossier_id]
    assert plan["name_kept"] is True
    kept = {line["label"]: line for line in plan["kept"]}
    assert any(label.startswith("Documents scellés du dossier") and line["forever"] for label, line in kept.items())
    assert kept["Journal d'audit"]["forever"] is True and "identifiants" in kept["Journal d'audit"]["basis"]
    assert [line["label"] for line in plan["erased"]][0] == "Votre compte"

    page = client.get("/compte/supprimer")
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    for heading in ("Ce qui sera supprimé", "Ce qui sera conservé, pourquoi et jusqu'à quand",
                    "Ce qui change pour vous", "Supprimer définitivement mon compte"):
        assert heading in text, heading
    assert "Votre candidature est retirée" in text and "sans limite de durée" in text


def test_a_wrong_password_keeps_everything(app, client, rights):
    before = _state(app, rights)
    refused = client.delete(ME, headers=bearer(rights.token), json={"password": "pas-le-bon-mot-de-passe"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "reauthentication_failed"
    assert "password" in refused.get_json()["error"]["details"]
    assert _state(app, rights) == before
    assert client.get(ME, headers=bearer(rights.token)).status_code == 200  # the token still works


def test_the_right_password_erases_at_once(app, client, rights, hooked, outbox):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.audit.services import verify_chain
    from core.auth.models import User
    from core.dossiers.models import Dossier, DossierStatus, DossierVersion
    from core.extensions import db
    from core.privacy.models import PrivacyRequest
    from tests.webhooks.conftest import check_delivery

    email = rights.candidate.email
    documents = {d.key: stored(app, d.key) for d in rights.documents}
    response = client.delete(ME, headers=bearer(rights.token), json={"password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "erased" and body["drafts_deleted"] == 1 and body["dossiers_erased"] == 1
    assert body["dossiers_withdrawn"] == 1 and body["annexes_deleted"] == 2 and body["name_kept"] is True
    assert body["kept"]

    # the draft is gone; the submitted dossier is emptied and withdrawn; the files are gone from storage
    assert stored(app, rights.annex.key) is None and stored(app, rights.draft_annex.key) is None
    with app.app_context():
        assert db.session.get(Dossier, rights.draft_id) is None
        dossier = db.session.get(Dossier, rights.dossier_id)
        assert dossier.status is DossierStatus.CLOSED and dossier.purged_at is not None
        version = db.session.scalar(select(DossierVersion).where(DossierVersion.dossier_id == dossier.id))
        assert version.content == {} and version.manifest == [{"number": 1, "sha256": rights.annex.sha256,
                                                               "size": rights.annex.size}]
        user = db.session.get(User, rights.candidate.id)
        assert user.erased_at is not None and not user.active and user.email.endswith("@efface.invalid")
        assert (user.first_name, user.last_name) == ("Camille", "Martin")  # the sealed Livret 2 carries it
        rows = db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.subject_id == user.id)).all()
        assert [(r.kind.value, r.status.value, r.organisation_id) for r in rows] == [
            ("erasure", "done", rights.org.id)]
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert {"dossier.draft_deleted", "dossier.contents_erased", "dossier.withdrawn",
                "account.erased"} <= set(actions)
        erased = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.erased"))
        assert email not in str(erased.payload) and "Camille" not in str(erased.payload)
        assert verify_chain().ok

    # the sealed documents' bytes are untouched
    for key, data in documents.items():
        assert stored(app, key) == data
        assert hashlib.sha256(data).hexdigest() in {d.sha256 for d in rights.documents}

    # signing in is refused, the token is revoked, the browser session is gone
    assert client.get(ME, headers=bearer(rights.token)).status_code == 401
    assert client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD,
                                               "name": "script"}).status_code == 401
    assert client.get("/compte").status_code == 302

    # the organisation is told, with ids only
    spec = client.get("/api/v1/openapi.json").get_json()
    [delivery] = hooked.requests
    event = check_delivery(delivery, hooked.secret, spec)
    assert event["event"] == "erasure.done"
    assert event["data"]["account_id"] == rights.candidate.id
    assert event["data"]["dossier_ids"] == event["data"]["withdrawn_dossier_ids"] == [rights.dossier_id]
    assert email not in delivery["body"].decode() and "Camille" not in delivery["body"].decode()

    # the confirmation went to the address before it was erased
    last = outbox()[-1]
    assert last["To"] == email and "supprimé" in last["Subject"]
    text = last.get_body(preferencelist=("plain",)).get_content()
    assert "Ce qui est conservé" in text and "Journal d'audit" in text


def test_through_the_pages_with_a_wrong_then_the_right_password(app, client, rights, outbox):
    page = client.post("/compte/supprimer", data={"understood": "y", "password": "mauvais-mot-de-passe"})
    assert page.status_code == 422
    assert "Mot de passe incorrect : votre compte n'a pas été supprimé." in html.unescape(page.get_data(as_text=True))
    assert stored(app, rights.annex.key) is not None

    unticked = client.post("/compte/supprimer", data={"password": PASSWORD})
    assert unticked.status_code == 422 and stored(app, rights.annex.key) is not None

    done = client.post("/compte/supprimer", data={"understood": "y", "password": PASSWORD})
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    assert "Votre compte est supprimé" in done.get_data(as_text=True)
    assert stored(app, rights.annex.key) is None
    assert client.get("/compte").status_code == 302  # signed out
    refused = client.post("/connexion", data={"email": rights.candidate.email, "password": PASSWORD})
    assert refused.status_code != 302


def test_refused_while_a_jury_session_holding_the_dossier_is_open(app, client, rights, create_jury_session):
    from types import SimpleNamespace

    session_id = create_jury_session("RGT01", dossiers=[SimpleNamespace(id=rights.dossier_id)], status="open",
                                     title="Session de juin")
    before = _state(app, rights)
    refused = client.delete(ME, headers=bearer(rights.token), json={"password": PASSWORD})
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "erasure_refused" and "Session de juin" in error["message"]
    assert "à partir du" in error["message"]
    assert error["details"]["sessions"][0]["session_id"] == session_id
    assert error["details"]["possible_from"] > error["details"]["sessions"][0]["ends_on"]
    assert _state(app, rights) == before

    plan = client.get(f"{ME}/erasure", headers=bearer(rights.token)).get_json()
    assert plan["allowed"] is False and plan["possible_from"] == error["details"]["possible_from"]
    page = html.unescape(client.get("/compte/supprimer").get_data(as_text=True))
    assert "Suppression impossible pour l'instant" in page and "Supprimer définitivement" not in page
    posted = client.post("/compte/supprimer", data={"understood": "y", "password": PASSWORD})  # a stale form
    assert posted.status_code == 409 and _state(app, rights) == before


def test_a_staff_account_is_told_whom_to_ask(app, client, rights, token_of, login):
    refused = client.delete(ME, headers=bearer(token_of(rights.admin)), json={"password": PASSWORD})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "erasure_not_self_service"
    assert "administration de la plateforme" in refused.get_json()["error"]["message"]
    plan = client.get(f"{ME}/erasure", headers=bearer(token_of(rights.admin))).get_json()
    assert plan["allowed"] is False and plan["erased"] == []
    staff_client = app.test_client()
    login(rights.admin, test_client=staff_client)
    page = html.unescape(staff_client.get("/compte/supprimer").get_data(as_text=True))
    assert "administration de la plateforme" in page and "Supprimer définitivement" not in page


def test_nothing_is_half_done_when_a_step_fails(app, rights, monkeypatch):
    from core.auth.models import User
    from core.extensions import db
    from core.privacy import erasure

    before = _state(app, rights)

    def broken(user, *, keep_name):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(erasure, "pseudonymise_account", broken)
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError):
            erasure.erase(db.session.get(User, rights.candidate.id), PASSWORD)
    assert _state(app, rights) == before  # the draft, the annexes, the objects, the account: all there


def test_a_candidate_with_drafts_only_leaves_no_name(app, client, plugin, create_user, token_of):
    from core.auth.models import User
    from core.extensions import db

    candidate = create_user("candidate", first_name="Lou", last_name="Petit", password=PASSWORD)
    response = client.delete(ME, headers=bearer(token_of(candidate)), json={"password": PASSWORD})
    assert response.status_code == 200 and response.get_json()["name_kept"] is False
    with app.app_context():
        user = db.session.get(User, candidate.id)
        assert (user.first_name, user.last_name) == ("", "")


def test_hostile_bodies(client, rights):
    assert client.delete(ME, headers=bearer(rights.token)).status_code == 400
    assert client.delete(ME, headers=bearer(rights.token), json={}).status_code == 422
    assert client.delete(ME, headers=bearer(rights.token), json={"password": 12}).status_code == 422
    assert client.delete(ME, headers=bearer(rights.token), json={"password": "x" * 5000}).status_code == 422
    assert client.delete(ME).status_code == 401


def test_after_a_decision_the_records_stay_until_their_date(app, client, rights, create_jury_session):
    """A decided dossier with a paid fee: the plan names the decision records (for good) and the fee records
    (until the end of the paid year + 10 years), and the lost retake; erasure keeps them as they were."""
    from datetime import date, datetime, timedelta, timezone
    from types import SimpleNamespace

    from sqlalchemy import select

    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db
    from core.fees.models import FeeRequest, FeeState
    from core.jury.models import JuryDecision, SessionCandidate

    session_id = create_jury_session("RGT01", dossiers=[SimpleNamespace(id=rights.dossier_id)], status="closed")
    retake = date.today() + timedelta(days=200)
    with app.app_context():
        sitting = db.session.scalar(select(SessionCandidate.id).where(SessionCandidate.session_id == session_id))
        db.session.add(JuryDecision(candidate_id=sitting, outcome="ok", recorded_by_id=rights.admin.id,
                                    sealed_at=datetime.now(timezone.utc), retake_until=retake))
        db.session.get(Dossier, rights.dossier_id).status = DossierStatus.DECIDED
        db.session.add(FeeRequest(dossier_id=rights.dossier_id, amount_cents=30000, label="Frais de recevabilité",
                                  state=FeeState.PAID, transfer_reference="RF18RGT01DROITS", paid_on=date(2026, 3, 2),
                                  paid_amount_cents=30000, invoice_number="2026-000001", seller_id=rights.org.id))
        db.session.commit()

    plan = client.get(f"{ME}/erasure", headers=bearer(rights.token)).get_json()
    assert plan["allowed"] is True and plan["withdrawn_dossier_ids"] == []  # decided: nothing to withdraw
    kept = {line["label"]: line for line in plan["kept"]}
    assert kept["Décisions, grilles, procès-verbaux et certificats"]["forever"] is True
    fee = kept["Frais : coordonnées du payeur (la facture scellée reste)"]
    assert fee["until"] == "2036-12-31" and "L123-22" in fee["basis"]
    assert any("repasser l'épreuve" in text for text in plan["consequences"])
    page = html.unescape(client.get("/compte/supprimer").get_data(as_text=True))
    assert "jusqu'au 31/12/2036" in page

    assert client.delete(ME, headers=bearer(rights.token), json={"password": PASSWORD}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(JuryDecision).where(JuryDecision.candidate_id == sitting)).outcome == "ok"
        fee_row = db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == rights.dossier_id))
        assert fee_row.state is FeeState.PAID and fee_row.invoice_number == "2026-000001"
        assert db.session.get(Dossier, rights.dossier_id).status is DossierStatus.DECIDED
