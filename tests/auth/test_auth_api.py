"""POST /api/v1/accounts: sign-up through the API without account enumeration."""
from sqlalchemy import func, select

from core.auth.models import User
from core.extensions import db

BODY = {"email": "nouvelle@example.org", "password": "un-mot-de-passe-solide", "first_name": "Zoé",
        "last_name": "Lambert"}


def test_new_account_gets_a_verification_link(client, app, outbox):
    response = client.post("/api/v1/accounts", json=BODY)
    assert response.status_code == 202
    assert response.json["status"] == "pending_verification"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nouvelle@example.org"))
        assert user is not None and not user.is_verified
    messages = outbox()
    assert [m["To"] for m in messages] == ["nouvelle@example.org"]
    assert "/verification/" in messages[0].get_content()


def test_existing_address_gets_the_same_answer_and_no_second_account(client, app, outbox, create_user):
    existing = create_user("candidate", email="deja@example.org")
    fresh = client.post("/api/v1/accounts", json=dict(BODY, email="autre@example.org"))
    taken = client.post("/api/v1/accounts", json=dict(BODY, email="DEJA@example.org"))
    assert taken.status_code == fresh.status_code == 202
    assert taken.json == fresh.json
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.email == "deja@example.org")) == 1
    # the owner is told someone tried, with a reset link; nobody else learns anything
    to_owner = [m for m in outbox() if m["To"] == existing.email]
    assert len(to_owner) == 1 and "/mot-de-passe/" in to_owner[0].get_content()


def test_bad_input_is_a_french_422(client):
    response = client.post("/api/v1/accounts", json=dict(BODY, password="court"))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert "caractères" in str(response.json["error"]["details"])
    response = client.post("/api/v1/accounts", json={"email": "x@example.org"})
    assert response.status_code == 422
    assert set(response.json["error"]["details"]) >= {"password", "first_name", "last_name"}


def test_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/accounts"]["post"]
    assert "202" in operation["responses"] and "security" not in operation or operation.get("security") == []
