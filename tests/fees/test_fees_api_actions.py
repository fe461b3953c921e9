"""The fee pages' actions through the API: online payment, third-party payer (link, purchase order, checkout),
waiver and bank statement import — same services, same checks, nothing written on a refusal."""
from __future__ import annotations

import io
import re

from fees_data import CODE, FREE  # tests/fees/fees_data.py
from test_fees import CardPlugin, fee_row, page  # tests/fees/test_fees.py


def headers(make_token, user) -> dict:
    return {"Authorization": f"Bearer {make_token(user)}"}


def counts(app) -> dict:
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.extensions import db
    from core.fees.models import FeeRequest

    with app.app_context():
        return {"fees": db.session.scalar(select(func.count()).select_from(FeeRequest)),
                "events": db.session.scalar(select(func.count()).select_from(AuditEvent))}


def test_candidate_checkout_answers_the_providers_page(app, client, plugin, register_plugin, create_user, login,
                                                       make_dossier, make_token):
    register_plugin(CardPlugin(), "cardplugin")
    candidate, other = create_user("candidate"), create_user("candidate")
    dossier_id = make_dossier(candidate, {"mode": "individuel"})
    others = make_dossier(other, {"mode": "individuel"})
    mine = headers(make_token, candidate)
    url = f"/api/v1/dossiers/{dossier_id}/fee/checkout"

    fee = fee_row(app, dossier_id)
    response = client.post(url, headers=mine, json={"provider": "carte"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["provider"] == "carte"
    assert body["redirect_url"].startswith(f"https://paiement.example/session?ref={fee.transfer_reference}")
    assert f"retour=http://localhost/dossiers/{dossier_id}/frais" in body["redirect_url"]

    before = counts(app)
    unknown = client.post(url, headers=mine, json={"provider": "inconnu"})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "provider_not_found"
    bad = client.post(url, headers=mine, json={"provider": ""})
    assert bad.status_code == 422 and "provider" in bad.get_json()["error"]["details"]
    # another candidate's dossier, and staff: 404
    assert client.post(f"/api/v1/dossiers/{others}/fee/checkout", headers=mine,
                       json={"provider": "carte"}).status_code == 404
    assert counts(app) == before


def test_payer_link_by_api_then_the_payers_side_without_an_account(app, client, plugin, register_plugin,
                                                                   create_user, login, make_dossier, make_token,
                                                                   outbox):
    register_plugin(CardPlugin(), "cardplugin")
    candidate = create_user("candidate", first_name="Karim", last_name="Benali")
    dossier_id = make_dossier(candidate, {"mode": "opco"})
    mine = headers(make_token, candidate)

    bad = client.post(f"/api/v1/dossiers/{dossier_id}/fee/payer", headers=mine, json={"payer_email": "pas-une"})
    assert bad.status_code == 422 and "payer_email" in bad.get_json()["error"]["details"]
    assert outbox() == []
    response = client.post(f"/api/v1/dossiers/{dossier_id}/fee/payer", headers=mine,
                           json={"payer_email": "RH@Employeur.example", "payer_name": "Employeur SA"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["payer_email"] == "rh@employeur.example"
    mail = outbox()[-1]
    assert mail["To"] == "rh@employeur.example"
    token = re.search(r"http://localhost/frais/tiers/(\S+)", mail.get_content()).group(1)
    # the candidate's page shows the payer too
    login(candidate)
    assert "rh@employeur.example" in page(client.get(f"/dossiers/{dossier_id}/frais"))

    anonymous = app.test_client()
    seen = anonymous.get(f"/api/v1/fee-links/{token}")
    assert seen.status_code == 200, seen.get_json()
    body = seen.get_json()
    assert body["candidate_name"] == "Karim Benali" and body["amount_cents"] == 30000
    assert body["certification"]["code"] == CODE and body["state"] == "requested"
    assert {p["key"] for p in body["providers"]} >= {"carte"}
    assert "payer_email" not in body  # the candidate's choices stay on the candidate's side

    # purchase order: bad SIRET refused, nothing written; then recorded (the page shows it too)
    order = {"payer_name": "Employeur SA", "payer_siret": "732 829 320 00075", "payer_address": "1 rue de la Paix",
             "purchase_order": "BC-42"}
    wrong = anonymous.put(f"/api/v1/fee-links/{token}/purchase-order", json=order)
    assert wrong.status_code == 422 and "payer_siret" in wrong.get_json()["error"]["details"]
    assert fee_row(app, dossier_id).purchase_order is None
    good = anonymous.put(f"/api/v1/fee-links/{token}/purchase-order", json=dict(order, payer_siret="732 829 320 00074"))
    assert good.status_code == 200 and good.get_json()["purchase_order"] == "BC-42"
    assert fee_row(app, dossier_id).payer_siret == "73282932000074"
    assert 'value="BC-42"' in page(anonymous.get(f"/frais/tiers/{token}"))

    checkout = anonymous.post(f"/api/v1/fee-links/{token}/checkout", json={"provider": "carte"})
    assert checkout.status_code == 200
    assert checkout.get_json()["redirect_url"].startswith("https://paiement.example/session?")
    assert f"retour=http://localhost/frais/tiers/{token}" in checkout.get_json()["redirect_url"]

    # a forged or altered link: 404, like the page
    for forged in ("pas-un-jeton", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        assert anonymous.get(f"/api/v1/fee-links/{forged}").status_code == 404
        refused = anonymous.post(f"/api/v1/fee-links/{forged}/checkout", json={"provider": "carte"})
        assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"

    # a new e-mail supersedes the old link
    client.post(f"/api/v1/dossiers/{dossier_id}/fee/payer", headers=mine, json={"payer_email": "autre@example.org"})
    assert anonymous.get(f"/api/v1/fee-links/{token}").status_code == 404


def test_payer_link_refused_for_an_individual_financing_and_for_another_candidate(app, client, plugin, create_user,
                                                                                   make_dossier, make_token, outbox):
    candidate, other = create_user("candidate"), create_user("candidate")
    own = make_dossier(candidate, {"mode": "individuel"}, requested=False)
    others = make_dossier(other, {"mode": "opco"})
    mine = headers(make_token, candidate)
    before = counts(app)
    refused = client.post(f"/api/v1/dossiers/{own}/fee/payer", headers=mine, json={"payer_email": "a@example.org"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "payer_is_candidate"
    assert counts(app) == before  # not even the request the action would have created
    hidden = client.post(f"/api/v1/dossiers/{others}/fee/payer", headers=mine, json={"payer_email": "a@example.org"})
    assert hidden.status_code == 404 and outbox() == []


def test_waiver_by_staff_reason_required_other_organisation_404(app, client, plugin, staff, create_user, login,
                                                                make_dossier, make_token, create_organisation):
    candidate = create_user("candidate")
    dossier_id = make_dossier(candidate, {"mode": "individuel"})
    url = f"/api/v1/dossiers/{dossier_id}/fee/waiver"
    elsewhere = create_user("certifier_staff", organisation=create_organisation("Autre organisme"))
    before = counts(app)
    assert client.post(url, headers=headers(make_token, elsewhere), json={"reason": "x"}).status_code == 404
    assert client.post(url, headers=headers(make_token, candidate), json={"reason": "x"}).status_code in (403, 404)
    empty = client.post(url, headers=headers(make_token, staff), json={"reason": ""})
    assert empty.status_code == 422 and "reason" in empty.get_json()["error"]["details"]
    blank = client.post(url, headers=headers(make_token, staff), json={"reason": "   "})
    assert blank.status_code == 422
    assert counts(app) == before and fee_row(app, dossier_id).state.value == "requested"

    done = client.post(url, headers=headers(make_token, staff), json={"reason": "Demandeur d'emploi"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["state"] == "waived" and done.get_json()["waived_reason"] == "Demandeur d'emploi"
    login(candidate)
    assert "exonérés" in page(client.get(f"/dossiers/{dossier_id}/frais")).lower()
    again = client.post(url, headers=headers(make_token, staff), json={"reason": "Encore"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "wrong_fee_state"


def test_waiver_of_a_certification_without_fee_is_409_and_writes_nothing(app, client, plugin, staff, create_user,
                                                                          make_dossier, make_token):
    dossier_id = make_dossier(create_user("candidate"), {"mode": "individuel"}, code=FREE)
    before = counts(app)
    response = client.post(f"/api/v1/dossiers/{dossier_id}/fee/waiver", headers=headers(make_token, staff),
                           json={"reason": "x"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_fee"
    assert counts(app) == before


def _statement(text: str):
    return {"statement": (io.BytesIO(text.encode("utf-8")), "releve.csv")}


def test_statement_import_matches_like_the_page(app, client, plugin, staff, create_user, make_dossier, make_token,
                                                create_organisation):
    candidate = create_user("candidate", first_name="Claire", last_name="Martin")
    dossier_id = make_dossier(candidate, {"mode": "individuel"})
    fee = fee_row(app, dossier_id)
    csv_text = ("date;label;amount\n"
                f"20/11/2026;VIR SEPA MARTIN CLAIRE {fee.transfer_reference.replace('-', ' ')};300,00\n"
                "21/11/2026;VIR INCONNU LVT-XYZ;300,00\n")
    # another organisation's staff recognise nothing of ours
    elsewhere = create_user("certifier_staff", organisation=create_organisation("Autre organisme"))
    theirs = client.post("/api/v1/fees/statements", headers=headers(make_token, elsewhere), data=_statement(csv_text),
                         content_type="multipart/form-data")
    assert theirs.status_code == 200 and theirs.get_json()["matched"] == 0
    assert fee_row(app, dossier_id).state.value == "requested"

    response = client.post("/api/v1/fees/statements", headers=headers(make_token, staff), data=_statement(csv_text),
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["matched"] == 1 and report["unmatched"] == 1
    first, second = report["lines"]
    assert first["status"] == "matched" and first["number"] == 2 and first["invoice_number"]
    assert second["status"] == "unmatched" and "Aucune référence" in second["message"]
    paid = fee_row(app, dossier_id)
    assert paid.state.value == "paid" and paid.invoice_number == first["invoice_number"]


def test_a_bad_statement_is_refused_line_by_line_and_records_nothing(app, client, plugin, staff, create_user,
                                                                    make_dossier, make_token):
    dossier_id = make_dossier(create_user("candidate"), {"mode": "individuel"})
    fee = fee_row(app, dossier_id)
    bad = (f"20/11/2026;VIR {fee.transfer_reference};300,00\n"
           "pas une ligne\n"
           "31/02/2026;VIR X;12\n")
    before = counts(app)
    mine = headers(make_token, staff)
    response = client.post("/api/v1/fees/statements", headers=mine, data=_statement(bad),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "statement_invalid"
    assert [p["line"] for p in error["details"]["lines"]] == [2, 3]
    assert "trois colonnes" in error["details"]["lines"][0]["message"]
    assert counts(app) == before and fee_row(app, dossier_id).state.value == "requested"

    for body, kwargs in (({}, {"json": {}}),
                         (_statement(""), {"content_type": "multipart/form-data"}),
                         ({"autre": (io.BytesIO(b"x"), "x.csv")}, {"content_type": "multipart/form-data"})):
        refused = client.post("/api/v1/fees/statements", headers=mine, **({"data": body} if body else {}), **kwargs)
        assert refused.status_code == 422, refused.get_json()
        assert refused.get_json()["error"]["code"] == "statement_invalid"
    candidate = create_user("candidate")
    assert client.post("/api/v1/fees/statements", headers=headers(make_token, candidate), data=_statement(bad),
                       content_type="multipart/form-data").status_code == 403
    assert counts(app) == before
