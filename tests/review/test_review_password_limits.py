"""Admissibility decisions ask for the password again: wrong passwords are limited per account and per address
(core.auth.attempts, REAUTH_RATE_LIMIT = 10 per minute by default), 429 with Retry-After, nothing recorded."""
from __future__ import annotations

from tests.review.conftest import page


def _state(app, dossier_id):
    """(status, number of decision letters, number of decision audit events) of the dossier."""
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.dossiers.models import Document, Dossier
    from core.extensions import db

    with app.app_context():
        return (db.session.get(Dossier, dossier_id).status.value,
                db.session.scalar(select(func.count(Document.id)).where(Document.dossier_id == dossier_id,
                                                                         Document.kind == "admissibility_letter")),
                db.session.scalar(select(func.count(AuditEvent.id)).where(
                    AuditEvent.action.in_(["dossier.admissible", "dossier.inadmissible", "dossier.corrections"]))))


def _token(app, user):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        secret, _token = issue_token(db.session.get(User, user.id), name="tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}


def _decide(client, dossier_id, headers, password):
    return client.post(f"/api/v1/backoffice/dossiers/{dossier_id}/decision", headers=headers,
                       json={"kind": "admissible", "password": password})


def test_the_eleventh_wrong_password_on_the_decision_api_is_429(app, client, submitted):
    dossier_id, staff = submitted["dossier_id"], submitted["staff"]
    headers = _token(app, staff)
    before = _state(app, dossier_id)
    for _ in range(10):
        wrong = _decide(client, dossier_id, headers, "pas le bon")
        assert wrong.status_code == 422 and wrong.json["error"]["code"] == "reauthentication_failed"
    blocked = _decide(client, dossier_id, headers, staff.plain_password)  # right, but refused before the check
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"].isdigit() and 0 < int(blocked.headers["Retry-After"]) <= 60
    error = blocked.json["error"]
    assert error["code"] == "rate_limited" and "Trop de mots de passe erronés" in error["message"]
    assert error["details"] == {"password": [error["message"]]}
    assert _state(app, dossier_id) == before == ("submitted", 0, 0)


def test_the_eleventh_wrong_password_on_the_decision_page_is_429_with_what_was_typed(app, submitted):
    dossier_id, staff_client = submitted["dossier_id"], submitted["staff_client"]
    url = f"/certificateur/dossiers/{dossier_id}/recevabilite/decision"
    reasons = "Les preuves du bloc 2 ne sont pas datées."
    for _ in range(10):
        wrong = staff_client.post(url, data={"kind": "inadmissible", "reasons": reasons, "password": "pas le bon"},
                                  page=f"/certificateur/dossiers/{dossier_id}/recevabilite")
        assert wrong.status_code == 422 and "Mot de passe incorrect" in page(wrong)
    blocked = staff_client.post(url, data={"kind": "inadmissible", "reasons": reasons,
                                           "password": submitted["staff"].plain_password},
                                page=f"/certificateur/dossiers/{dossier_id}/recevabilite")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    html = page(blocked)
    assert "Trop de mots de passe erronés" in html and "Rien n'a été enregistré" in html
    assert reasons in html  # what was typed is kept
    assert 'id="password-error"' in html or 'aria-invalid="true"' in html
    assert _state(app, dossier_id) == ("submitted", 0, 0)


def test_another_account_from_the_same_address_is_limited_per_address(app, submitted, create_user):
    from core.auth.models import Organisation
    from core.extensions import db

    client = app.test_client()  # API calls only: no session cookie

    dossier_id, staff = submitted["dossier_id"], submitted["staff"]
    with app.app_context():
        org = db.session.get(Organisation, staff.organisation_id)
        db.session.expunge(org)
    colleague = create_user("certifier_staff", organisation=org)
    for _ in range(10):
        assert _decide(client, dossier_id, _token(app, staff), "pas le bon").status_code == 422
    # the colleague has typed nothing wrong, but from the same address: refused, even with the right password
    same_address = _decide(client, dossier_id, _token(app, colleague), colleague.plain_password)
    assert same_address.status_code == 429 and int(same_address.headers["Retry-After"]) > 0
    assert _state(app, dossier_id) == ("submitted", 0, 0)
    # the first account stays refused from anywhere (per account) ...
    elsewhere = {"REMOTE_ADDR": "203.0.113.50"}
    assert client.post(f"/api/v1/backoffice/dossiers/{dossier_id}/decision", headers=_token(app, staff),
                       json={"kind": "admissible", "password": staff.plain_password},
                       environ_base=elsewhere).status_code == 429
    # ... while the colleague, from another address, decides
    decided = client.post(f"/api/v1/backoffice/dossiers/{dossier_id}/decision", headers=_token(app, colleague),
                          json={"kind": "admissible", "password": colleague.plain_password}, environ_base=elsewhere)
    assert decided.status_code == 201, decided.json
    assert _state(app, dossier_id)[:2] == ("admissible", 1)


def test_the_counters_are_shared_by_every_action_that_asks_for_the_password(app, submitted):
    """Wrong passwords typed on the account page count for the decisions too (and for signatures, submissions,
    seal uploads: every action goes through the same counters)."""
    dossier_id, staff, staff_client = submitted["dossier_id"], submitted["staff"], submitted["staff_client"]
    new = "un-nouveau-mot-de-passe-solide"
    for _ in range(10):
        response = staff_client.post("/compte/mot-de-passe", data={"current_password": "pas le bon",
                                                                   "password": new, "password_confirm": new})
        assert response.status_code == 422
    api = app.test_client()
    blocked = _decide(api, dossier_id, _token(app, staff), staff.plain_password)
    assert blocked.status_code == 429 and blocked.json["error"]["code"] == "rate_limited"
    assert _state(app, dossier_id) == ("submitted", 0, 0)
