"""/api/v1/backoffice/dossiers/{id}/notes: the staff's private notes, as on the review page."""
from __future__ import annotations

import html


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _token(app, user) -> dict[str, str]:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        secret, _issued = issue_token(db.session.get(User, user.id), name="tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}


def _notes(app):
    from sqlalchemy import func, select

    from core.extensions import db
    from core.review.models import StaffNote

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StaffNote))


def test_notes_written_through_the_api_show_on_the_review_page(app, client, submitted):
    dossier_id, staff, staff_client = submitted["dossier_id"], submitted["staff"], submitted["staff_client"]
    url = f"/api/v1/backoffice/dossiers/{dossier_id}/notes"
    headers = _token(app, staff)
    assert client.get(url, headers=headers).get_json() == {"items": []}

    for body, field in (({"text": ""}, "text"), ({}, "text"), ({"text": "x" * 4001}, "text"), ({"texte": "x"}, "texte")):
        refused = client.post(url, headers=headers, json=body)
        assert refused.status_code == 422, body
        assert field in refused.get_json()["error"]["details"]
    blank = client.post(url, headers=headers, json={"text": "   "})
    assert blank.status_code == 422 and blank.get_json()["error"]["details"] == {
        "text": ["Saisissez le texte de la note."]}
    assert _notes(app) == 0

    created = client.post(url, headers=headers, json={"text": "  NOTE-API-7 : relancer l'employeur.  "})
    assert created.status_code == 201, created.get_json()
    note = created.get_json()
    assert note["text"] == "NOTE-API-7 : relancer l'employeur." and note["dossier_id"] == dossier_id
    assert note["author"] == {"id": staff.id, "first_name": "Sacha", "last_name": "Durand"}
    assert note["created_at"].endswith("Z")
    client.post(url, headers=headers, json={"text": "Deuxième note"})
    listed = client.get(url, headers=headers).get_json()["items"]
    assert [n["text"] for n in listed] == ["Deuxième note", "NOTE-API-7 : relancer l'employeur."]
    assert "NOTE-API-7" in page(staff_client.get(f"/certificateur/dossiers/{dossier_id}/recevabilite"))

    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() == \
            "review.note_added"


def test_notes_are_404_to_another_organisation_and_to_the_candidate(app, client, submitted, create_user):
    dossier_id = submitted["dossier_id"]
    url = f"/api/v1/backoffice/dossiers/{dossier_id}/notes"
    client.post(url, headers=_token(app, submitted["staff"]), json={"text": "SECRET-NOTE"})
    outsider = create_user("certifier_staff")
    for user in (outsider, submitted["candidate"]):
        headers = _token(app, user)
        read = client.get(url, headers=headers)
        assert read.status_code == 404 and "SECRET-NOTE" not in read.get_data(as_text=True)
        assert client.post(url, headers=headers, json={"text": "intrus"}).status_code == 404
    assert client.get("/api/v1/backoffice/dossiers/999999/notes",
                      headers=_token(app, submitted["staff"])).status_code == 404
    assert _notes(app) == 1
