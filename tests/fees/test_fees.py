"""The fee end to end: bank transfer + statement + sealed receipt, third-party payer, waiver, gate, API."""
from __future__ import annotations

import hashlib
import html
import io
import re
import subprocess

import pytest

from fees_data import CODE, FREE  # tests/fees/fees_data.py


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def fee_row(app, dossier_id):
    from core.extensions import db
    from core.fees.models import FeeRequest
    from sqlalchemy import select

    with app.app_context():
        fee = db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == dossier_id))
        if fee is not None:
            db.session.expunge(fee)
        return fee


def test_bank_transfer_statement_matched_and_sealed_receipt(app, client, plugin, staff, create_user, login,
                                                           make_dossier, tmp_path):
    candidate = create_user("candidate", first_name="Claire", last_name="Martin")
    dossier_id = make_dossier(candidate, {"mode": "individuel"})
    login(candidate)
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    fee = fee_row(app, dossier_id)
    assert fee.amount_cents == 30000 and fee.payer_kind.value == "candidate" and fee.state.value == "requested"
    assert re.fullmatch(rf"LVT-{CODE}-2026-\d{{6}}-\d\d", fee.transfer_reference)
    assert "300,00" in text and fee.transfer_reference in text
    assert "Ces frais ne sont pas remboursables." in text and "frais administratifs d'étude" in text
    assert "Ce qui manque avant l'étude de recevabilité" in text and "attend votre virement" in text
    assert 'name="reason"' not in text  # staff forms are not shown to the candidate

    with app.app_context():
        from core.dossiers.models import Dossier
        from core.errors import Conflict
        from core.extensions import db
        from core.fees import services

        dossier = db.session.get(Dossier, dossier_id)
        assert services.fee_settled(dossier) is False
        with pytest.raises(Conflict) as refused:
            services.check_admissibility_can_start(dossier)
        assert refused.value.code == "fee_not_settled"

    # the certifier imports a statement: one line matches (reference typed with spaces), two do not
    client.post("/deconnexion")
    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    spaced = fee.transfer_reference.replace("-", " ")
    csv_text = ("date;label;amount\n"
                f"20/11/2026;VIR SEPA MARTIN CLAIRE {spaced};300,00\n"
                "21/11/2026;VIR INCONNU LVT-XYZ;300,00\n"
                f"22/11/2026;VIR {fee.transfer_reference};150,00\n")
    response = staff_client.post("/frais/releve", data={
        "statement": (io.BytesIO(csv_text.encode("utf-8")), "releve.csv")}, content_type="multipart/form-data")
    report = page(response)
    assert response.status_code == 200, report
    assert "1 ligne(s) rapprochée(s), 2 non rapprochée(s)" in report
    assert "Aucune référence de dossier reconnue" in report and "Frais déjà dans l'état « Réglés »" in report

    paid = fee_row(app, dossier_id)
    assert paid.state.value == "paid" and paid.paid_amount_cents == 30000
    assert re.fullmatch(r"\d{4}-000001", paid.invoice_number)
    assert paid.receipt_document_id is not None

    with app.app_context():
        from core.dossiers.models import Document

        doc = db.session.get(Document, paid.receipt_document_id)
        assert doc.kind == "receipt_fee" and doc.dossier_id == dossier_id
        assert services.fee_settled(db.session.get(Dossier, dossier_id)) is True
        services.check_admissibility_can_start(db.session.get(Dossier, dossier_id))
        # a refund is refused with the reason, and audited
        with pytest.raises(Conflict) as no_refund:
            services.request_refund(services.fee_of(db.session.get(Dossier, dossier_id)),
                                    actor=db.session.get(type(doc.dossier.candidate), candidate.id))
        assert no_refund.value.code == "not_refundable" and "ne sont pas remboursables" in str(no_refund.value)
        from core.audit.models import AuditEvent
        from sqlalchemy import select

        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"fee.requested", "fee.paid", "fee.refund_refused", "document.issued"} <= actions

    # the candidate downloads the sealed receipt; it carries the legal mentions
    login(candidate)
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "Les frais sont réglés" in text
    link = re.search(rf'href="(/dossiers/{dossier_id}/documents/\d+)"', text).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    pdf_path = tmp_path / "facture.pdf"
    pdf_path.write_bytes(download.data)
    content = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(content.split())
    for mention in (paid.invoice_number, "Simplon Test", "73282932000074", "55 rue de Vincennes", "Claire Martin",
                    "Frais administratifs de recevabilité – non remboursables", "300,00",
                    "TVA non applicable, article 261-4-4° du CGI"):
        assert mention in flat, mention
    assert b"/ByteRange" in download.data  # sealed


def test_third_party_payer_link_purchase_order_and_api_payment(app, client, plugin, staff, create_user, login,
                                                              make_dossier, outbox, make_token):
    candidate = create_user("candidate", first_name="Karim", last_name="Benali")
    dossier_id = make_dossier(candidate, {"mode": "opco", "opco_precision": "OPCO Atlas"})
    login(candidate)
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "Votre financeur" in text and "indiquez l'adresse électronique du financeur" in text
    bad = client.post(f"/dossiers/{dossier_id}/frais/financeur", data={"payer_email": "pas-une-adresse"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in page(bad)
    assert 'value="pas-une-adresse"' in page(bad)  # what was typed is kept
    ok = client.post(f"/dossiers/{dossier_id}/frais/financeur",
                     data={"payer_email": "rh@employeur.example", "payer_name": "Employeur SA"})
    assert ok.status_code == 302
    mail = outbox()[-1]
    assert mail["To"] == "rh@employeur.example"
    body = mail.get_content()
    link = re.search(r"http://localhost(/frais/tiers/\S+)", body).group(1)
    assert "300,00" in body and "ne sont pas remboursables" in body

    # the payer, without an account
    anonymous = app.test_client()
    response = anonymous.get(link)
    assert response.status_code == 200 and "Karim Benali" in page(response)
    assert anonymous.get(link[:-3] + "abc").status_code == 404
    wrong = anonymous.post(link, data={"payer_name": "Employeur SA", "payer_siret": "732 829 320 00075",
                                       "payer_address": "1 rue de la Paix, Paris", "purchase_order": "BC-42"})
    assert wrong.status_code == 422 and "73282932000075" in page(wrong) and "aria-invalid" in page(wrong)
    good = anonymous.post(link, data={"payer_name": "Employeur SA", "payer_siret": "732 829 320 00074",
                                      "payer_address": "1 rue de la Paix, Paris", "purchase_order": "BC-42"})
    assert good.status_code == 302
    fee = fee_row(app, dossier_id)
    assert fee.purchase_order == "BC-42" and fee.payer_siret == "73282932000074"

    # API: the candidate reads, cannot pay; staff pay; a second payment is a 409 naming the state
    cand_headers = {"Authorization": f"Bearer {make_token(candidate)}"}
    got = client.get(f"/api/v1/dossiers/{dossier_id}/fee", headers=cand_headers).get_json()
    assert got["state"] == "requested" and got["payer_kind"] == "third_party" and got["settled"] is False
    assert got["amount_cents"] == 30000 and got["missing"]
    assert client.post(f"/api/v1/dossiers/{dossier_id}/fee/payments", headers=cand_headers,
                       json={"amount_cents": 30000}).status_code == 404
    staff_headers = {"Authorization": f"Bearer {make_token(staff)}"}
    mismatch = client.post(f"/api/v1/dossiers/{dossier_id}/fee/payments", headers=staff_headers,
                           json={"amount_cents": 100})
    assert mismatch.status_code == 422 and mismatch.get_json()["error"]["code"] == "amount_mismatch"
    paid = client.post(f"/api/v1/dossiers/{dossier_id}/fee/payments", headers=staff_headers,
                       json={"amount_cents": 30000, "paid_on": "2026-11-20", "note": "virement employeur"})
    assert paid.status_code == 201, paid.get_json()
    data = paid.get_json()
    assert data["state"] == "paid" and data["settled"] is True and data["links"]["receipt"]
    # issue 13 §1: the fee reports the digest and size of the receipt its link serves
    receipt = client.get(data["links"]["receipt"], headers=staff_headers)
    assert receipt.status_code == 200 and receipt.headers["ETag"] == f'"{data["receipt_sha256"]}"'
    assert hashlib.sha256(receipt.data).hexdigest() == data["receipt_sha256"]
    assert len(receipt.data) == data["receipt_size"]
    assert client.get(f"/api/v1/dossiers/{dossier_id}/fee", headers=cand_headers).get_json()["receipt_sha256"] \
        == data["receipt_sha256"]
    again = client.post(f"/api/v1/dossiers/{dossier_id}/fee/payments", headers=staff_headers,
                        json={"amount_cents": 30000})
    assert again.status_code == 409 and "« Réglés »" in again.get_json()["error"]["message"]
    # the receipt is made out to the payer
    with app.app_context():
        from core.extensions import db
        from core.fees.models import FeeRequest
        from core.fees.services import receipt_context

        ctx = receipt_context(db.session.get(FeeRequest, fee.id))
        assert ctx["buyer"]["name"] == "Employeur SA" and ctx["buyer"]["purchase_order"] == "BC-42"


def test_waiver_by_staff_only_and_states_named(app, client, plugin, staff, create_user, login, make_dossier):
    candidate = create_user("candidate")
    dossier_id = make_dossier(candidate, {"mode": "individuel"})
    login(candidate)
    client.get(f"/dossiers/{dossier_id}/frais")
    assert client.post(f"/dossiers/{dossier_id}/frais/exoneration", data={"reason": "x"}).status_code == 404
    assert client.post(f"/dossiers/{dossier_id}/frais/paiement",
                       data={"amount": "300", "paid_on": "2026-11-20"}).status_code == 404
    other = create_user("certifier_staff")  # staff of another organisation
    other_client = app.test_client()
    login(other, test_client=other_client)
    assert other_client.get(f"/dossiers/{dossier_id}/frais").status_code == 404

    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    empty = staff_client.post(f"/dossiers/{dossier_id}/frais/exoneration", data={"reason": ""})
    assert empty.status_code == 422
    done = staff_client.post(f"/dossiers/{dossier_id}/frais/exoneration",
                             data={"reason": "Candidat boursier, exonération décidée en commission."})
    assert done.status_code == 302
    fee = fee_row(app, dossier_id)
    assert fee.state.value == "waived" and fee.waived_by_id == staff.id and fee.invoice_number is None
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "exonérés par le certificateur" in text and "Ce qui manque" not in text
    with app.app_context():
        from core.auth.models import User
        from core.errors import Conflict
        from core.extensions import db
        from core.fees import services
        from core.fees.models import FeeRequest

        with pytest.raises(Conflict) as exc:
            services.cancel(db.session.get(FeeRequest, fee.id), actor=db.session.get(User, staff.id))
        assert "« Exonérés »" in str(exc.value)


def test_certification_without_fee_has_nothing_to_pay(app, client, plugin, create_user, login, make_dossier,
                                                      make_token):
    candidate = create_user("candidate")
    dossier_id = make_dossier(candidate, None, code=FREE)
    login(candidate)
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "ne demande aucun frais" in text
    assert fee_row(app, dossier_id) is None
    data = client.get(f"/api/v1/dossiers/{dossier_id}/fee",
                      headers={"Authorization": f"Bearer {make_token(candidate)}"}).get_json()
    assert data["required"] is False and data["settled"] is True and data["missing"] == []


def test_reference_check_digits():
    from core.fees.services import _mod97_check, reference_is_valid

    ref = "LVT-RNCP37827-2026-000012"
    full = f"{ref}-{_mod97_check(ref)}"
    assert reference_is_valid(full)
    assert not reference_is_valid(full.replace("000012", "000021"))


def test_fifty_concurrent_payments_get_consecutive_numbers(app, database_kind, plugin, staff, create_user,
                                                           make_dossier):
    if database_kind != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are exercised on PostgreSQL")
    import threading

    from core.auth.models import User
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.fees import services
    from core.fees.models import FeeRequest

    candidates = [create_user("candidate") for _ in range(50)]
    dossier_ids = [make_dossier(c, {"mode": "individuel"}) for c in candidates]
    with app.app_context():
        for did in dossier_ids:
            services.ensure_request(db.session.get(Dossier, did), actor=None)
        db.session.commit()
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def pay(did: int) -> None:
        try:
            barrier.wait(timeout=60)  # all start together; each holds a pooled connection only while paying
            with app.app_context():
                try:
                    fee = db.session.scalar(db.select(FeeRequest).where(FeeRequest.dossier_id == did))
                    services.record_payment(fee, actor=db.session.get(User, staff.id), amount_cents=30000)
                    db.session.commit()
                finally:
                    db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=pay, args=(did,)) for did in dossier_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with app.app_context():
        numbers = sorted(db.session.scalars(db.select(FeeRequest.invoice_number)))
    year = numbers[0][:4]
    assert numbers == [f"{year}-{n:06d}" for n in range(1, 51)]


def test_openapi_documents_the_fee_endpoints(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/dossiers/{dossier_id}/fee"]
    assert "post" in spec["paths"]["/api/v1/dossiers/{dossier_id}/fee/payments"]
    assert {"Fee", "FeePaymentRequest"} <= set(spec["components"]["schemas"])


class CardProvider:
    """A throwaway online provider: ``start`` sends to a fake checkout; notifications are JSON signed by a secret."""

    key = "carte"
    label = "Carte bancaire"

    def available_for(self, fee_request):
        return True

    def instructions(self, fee_request):
        return {"Paiement": "par carte, sur la page sécurisée du prestataire"}

    def start(self, fee_request, return_url):
        return f"https://paiement.example/session?ref={fee_request.transfer_reference}&retour={return_url}"

    def handle_notification(self, request):
        from core.fees.providers import PaymentResult

        data = request.get_json(silent=True) or {}
        if data.get("secret") != "s3cret":
            return None
        return PaymentResult(reference=data["reference"], amount_cents=data["amount"], external_id=data["id"])


class CardPlugin:
    from core.hookspecs import hookimpl as _hookimpl

    @_hookimpl
    def livret_payment_providers(self, certification):
        return [CardProvider()] if certification.code == CODE else None


def test_card_provider_plugin_listed_started_and_notified(app, client, plugin, staff, register_plugin, create_user,
                                                          login, make_dossier, outbox):
    register_plugin(CardPlugin(), "cardplugin")
    candidate = create_user("candidate", first_name="Léa", last_name="Carte")
    dossier_id = make_dossier(candidate, {"mode": "individuel"})
    login(candidate)
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    start = f"/dossiers/{dossier_id}/frais/payer/carte"
    assert "Carte bancaire" in text and "sur la page sécurisée du prestataire" in text and f'action="{start}"' in text
    assert "Virement bancaire" in text and "Facture à un financeur" not in text  # the shipped provider stays
    fee = fee_row(app, dossier_id)
    response = client.post(start)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"https://paiement.example/session?ref={fee.transfer_reference}")
    assert client.post(f"/dossiers/{dossier_id}/frais/payer/inconnu").status_code == 404
    # staff see the providers but no start button
    staff_client = app.test_client()
    login(staff, test_client=staff_client)
    assert f'action="{start}"' not in page(staff_client.get(f"/dossiers/{dossier_id}/frais"))

    # the provider's callback: ignored when unverified, refused for a wrong amount, then recorded once
    callback = app.test_client()
    body = {"secret": "s3cret", "reference": fee.transfer_reference, "amount": 30000, "id": "ch_42"}
    assert callback.post("/frais/notifications/carte", json=dict(body, secret="faux")).get_json()["paid"] is False
    wrong = callback.post("/frais/notifications/carte", json=dict(body, amount=100))
    assert wrong.status_code == 422 and wrong.get_json()["error"] == "amount_mismatch"
    assert callback.post("/frais/notifications/inconnu", json=body).status_code == 404
    ok = callback.post("/frais/notifications/carte", json=body)
    assert ok.status_code == 200 and ok.get_json() == {"ok": True, "paid": True}
    paid = fee_row(app, dossier_id)
    assert paid.state.value == "paid" and paid.provider == "carte" and paid.invoice_number.endswith("-000001")
    assert paid.receipt_document_id is not None and "ch_42" in paid.payment_note
    again = callback.post("/frais/notifications/carte", json=body)
    assert again.status_code == 200 and again.get_json()["paid"] is False
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "Les frais sont réglés" in text and f'action="{start}"' not in text


def test_card_provider_on_the_third_party_payer_page(app, client, plugin, staff, register_plugin, create_user,
                                                    login, make_dossier, outbox):
    register_plugin(CardPlugin(), "cardplugin")
    candidate = create_user("candidate")
    dossier_id = make_dossier(candidate, {"mode": "opco"})
    login(candidate)
    text = page(client.get(f"/dossiers/{dossier_id}/frais"))
    assert "Facture à un financeur" in text and "Carte bancaire" in text and "Virement bancaire" not in text
    client.post(f"/dossiers/{dossier_id}/frais/financeur", data={"payer_email": "rh@employeur.example"})
    link = re.search(r"http://localhost(/frais/tiers/\S+)", outbox()[-1].get_content()).group(1)
    anonymous = app.test_client()
    payer_page = page(anonymous.get(link))
    assert "Carte bancaire" in payer_page and f'action="{link}/payer/carte"' in payer_page
    response = anonymous.post(f"{link}/payer/carte")
    assert response.status_code == 302 and response.headers["Location"].startswith("https://paiement.example/")
