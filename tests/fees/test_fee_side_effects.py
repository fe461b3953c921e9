"""Reading a fee changes nothing; its request is created where the fee becomes due (the submission,
or the first action that needs it), once, even when two requests create it at the same time."""
from __future__ import annotations

import html
import io
import threading

import pytest

from fees_data import CODE  # tests/fees/fees_data.py


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def counts(app) -> dict[str, int]:
    """Rows of the fee tables and of the audit trail."""
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.extensions import db
    from core.fees.models import FeeInvoiceCounter, FeeRequest

    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (FeeRequest, FeeInvoiceCounter, AuditEvent)}


def actions(app, action: str) -> list[dict]:
    """The payloads of the audit events ``action``, oldest first."""
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [e.payload for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                      .order_by(AuditEvent.id))]


def reference_of(app, dossier_id: int) -> str:
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.fees.services import transfer_reference

    with app.app_context():
        return transfer_reference(db.session.get(Dossier, dossier_id))


def as_draft(app, dossier_id: int) -> int:
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        dossier.status, dossier.submitted_at = DossierStatus.DRAFT, None
        db.session.commit()
    return dossier_id


def test_reading_a_fee_changes_nothing(app, client, plugin, staff, create_user, login, make_dossier, make_token):
    candidate = create_user("candidate")
    # submitted before requests were created at submission: nothing stored yet
    dossier_id = make_dossier(candidate, {"mode": "individuel"}, requested=False)
    drafter = create_user("candidate")
    draft_id = as_draft(app, make_dossier(drafter, {"mode": "opco"}, requested=False))
    stored_id = make_dossier(create_user("candidate"), {"mode": "opco"})  # submitted: its request exists
    reference = reference_of(app, dossier_id)
    login(candidate)
    candidate_api = {"Authorization": f"Bearer {make_token(candidate)}"}
    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    staff_api = {"Authorization": f"Bearer {make_token(staff)}"}
    drafter_client = app.test_client()
    login(drafter, test_client=drafter_client)
    before = counts(app)

    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "300,00" in text and reference in text and "attend votre virement" in text  # what will be due
    data = client.get(f"/api/v1/dossiers/{dossier_id}/fee", headers=candidate_api).get_json()
    assert data["required"] is True and data["state"] == "requested" and data["transfer_reference"] == reference
    assert data["amount_cents"] == 30000 and data["settled"] is False and data["missing"]
    staff_page = staff_client.get(f"/dossiers/{dossier_id}/frais")
    assert staff_page.status_code == 200 and "Enregistrer le paiement reçu" in page(staff_page)
    assert staff_client.get(f"/api/v1/dossiers/{dossier_id}/fee", headers=staff_api).status_code == 200
    assert staff_client.get(f"/dossiers/{stored_id}/frais").status_code == 200
    stored = staff_client.get(f"/api/v1/dossiers/{stored_id}/fee", headers=staff_api).get_json()
    assert stored["state"] == "requested" and stored["payer_kind"] == "third_party"
    draft_page = page(drafter_client.get(f"/dossiers/{draft_id}/frais"))
    assert "Votre financeur" in draft_page and "Envoyer la demande de paiement" in draft_page
    for _ in range(2):  # read again: still nothing
        client.get(f"/dossiers/{dossier_id}/frais")
        client.get(f"/api/v1/dossiers/{dossier_id}/fee", headers=candidate_api)
    assert counts(app) == before

    # the first action that needs the request creates it, with the reference that was shown
    paid = client.post(f"/api/v1/dossiers/{dossier_id}/fee/payments", headers=staff_api, json={"amount_cents": 30000})
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["transfer_reference"] == reference and paid.get_json()["state"] == "paid"
    after = counts(app)
    assert after["fee_requests"] == before["fee_requests"] + 1
    assert [e["reference"] for e in actions(app, "fee.requested")] == [reference_of(app, stored_id), reference]


def test_an_invalid_action_leaves_no_request_behind(app, client, plugin, create_user, login, make_dossier):
    candidate = create_user("candidate")
    dossier_id = make_dossier(candidate, {"mode": "opco"}, requested=False)
    login(candidate)
    before = counts(app)
    bad = client.post(f"/dossiers/{dossier_id}/frais/financeur", data={"payer_email": "pas-une-adresse"})
    assert bad.status_code == 422 and "Votre financeur" in page(bad)
    assert counts(app) == before
    ok = client.post(f"/dossiers/{dossier_id}/frais/financeur", data={"payer_email": "rh@employeur.example"})
    assert ok.status_code == 302
    assert counts(app)["fee_requests"] == before["fee_requests"] + 1
    assert [e["payer"] for e in actions(app, "fee.requested")] == ["third_party"]


def test_the_submission_creates_the_request_and_the_financing_section_moves_its_payer(app, plugin, create_user,
                                                                                    make_dossier):
    from core.auth.models import User
    from core.certifications.services import get_certification
    from core.dossiers import services as dossiers
    from core.dossiers.models import Dossier, DossierStatus
    from core.dossiers.sections import SectionSpec
    from core.extensions import db
    from core.fees.services import fee_of
    from forms.sections import FinancementSection

    candidate = create_user("candidate")
    dossier_id = as_draft(app, make_dossier(candidate, {"mode": "individuel"}, requested=False))
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert fee_of(dossier) is None
        dossiers.submit(dossier, actor=db.session.get(User, candidate.id))
        db.session.commit()
        fee = fee_of(dossier)
        assert fee.state.value == "requested" and fee.payer_kind.value == "candidate" and fee.amount_cents == 30000
        assert get_certification(CODE).fee.amount_cents == fee.amount_cents
    assert [e["payer"] for e in actions(app, "fee.requested")] == ["candidate"]

    # sent back for corrections, the candidate changes who pays: the waiting request follows at once
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        dossier.status = DossierStatus.CORRECTIONS_REQUESTED
        db.session.commit()
        spec = SectionSpec("financement", "Financement", form=FinancementSection)
        form = FinancementSection.from_data({"mode": "opco", "opco_precision": "OPCO Atlas"})
        dossiers.save_section(dossier, spec, form, actor=db.session.get(User, candidate.id),
                              cert=get_certification(CODE))
        db.session.commit()
        fee = fee_of(dossier)
        assert fee.payer_kind.value == "third_party" and fee.provider == "third_party_invoice"
    assert [e["payer"] for e in actions(app, "fee.payer_changed")] == ["third_party"]


def test_a_transfer_with_the_reference_shown_before_any_request_is_matched(app, plugin, staff, create_user, login,
                                                                           make_dossier):
    first = make_dossier(create_user("candidate"), {"mode": "individuel"}, requested=False)
    second = make_dossier(create_user("candidate"), {"mode": "individuel"}, requested=False)
    statement = ("date;label;amount\n"
                 f"20/11/2026;VIR {reference_of(app, first)};300,00\n"
                 f"21/11/2026;VIR {reference_of(app, second)};150,00\n")
    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    response = staff_client.post("/frais/releve", data={
        "statement": (io.BytesIO(statement.encode()), "releve.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200 and "1 ligne(s) rapprochée(s), 1 non rapprochée(s)" in page(response)
    assert [e["reference"] for e in actions(app, "fee.requested")] == [reference_of(app, first)]
    assert counts(app)["fee_requests"] == 1  # the refused line (wrong amount) left no request behind


@pytest.fixture
def race(monkeypatch):
    """``race()``: from then on, two threads that create the request both find none before either of them
    writes (each waits for the other right after reading), the race of issue 12."""
    from core.fees import services

    def arm() -> None:
        barrier = threading.Barrier(2)
        original = services.certification_fee

        def after_both_read(dossier):
            if threading.current_thread() is not threading.main_thread():
                barrier.wait(timeout=30)
            return original(dossier)

        monkeypatch.setattr(services, "certification_fee", after_both_read)

    return arm


def test_two_creations_at_once_make_one_request(app, plugin, create_user, make_dossier, race):
    from core.audit.services import verify_chain
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.fees import services
    from core.fees.models import FeeRequest

    dossier_id = make_dossier(create_user("candidate"), {"mode": "individuel"}, requested=False)
    race()
    made: list = [None, None]
    errors: list[BaseException] = []

    def create(i: int) -> None:
        try:
            with app.app_context():
                try:
                    made[i] = services.ensure_request(db.session.get(Dossier, dossier_id), actor=None).id
                    db.session.commit()
                finally:
                    db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert made[0] is not None and made[0] == made[1]
    with app.app_context():
        assert db.session.query(FeeRequest).filter_by(dossier_id=dossier_id).count() == 1
        assert verify_chain().ok
    assert len(actions(app, "fee.requested")) == 1


def test_two_tabs_posting_at_once_make_one_request(app, plugin, create_user, login, make_dossier, outbox, race):
    candidate = create_user("candidate")
    dossier_id = make_dossier(candidate, {"mode": "opco"}, requested=False)
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        login(candidate, test_client=tab)
    url = f"/dossiers/{dossier_id}/frais/financeur"
    tokens = [tab.csrf_token_for(url, page=f"/dossiers/{dossier_id}/frais") for tab in tabs]
    # two GETs at once (they once both created the request and the second one answered 500)
    reads: list = [None, None]
    read_threads = [threading.Thread(target=lambda i=i: reads.__setitem__(i, tabs[i].get(
        f"/dossiers/{dossier_id}/frais"))) for i in range(2)]
    for t in read_threads:
        t.start()
    for t in read_threads:
        t.join(timeout=60)
    assert [r.status_code for r in reads] == [200, 200]
    assert counts(app)["fee_requests"] == 0

    race()  # each tab reads "no request" before either writes
    answers: list = [None, None]

    def press(i: int) -> None:
        answers[i] = tabs[i].post(url, data={"payer_email": f"rh{i}@employeur.example", "csrf_token": tokens[i]})

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [a is not None and a.status_code for a in answers] == [302, 302]
    assert counts(app)["fee_requests"] == 1
    assert len(actions(app, "fee.requested")) == 1 and len(actions(app, "fee.payer_notified")) == 2
