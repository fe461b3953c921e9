"""Every response to a signed-in person (session cookie or API token) says ``Cache-Control: no-store``: pages,
API answers and downloads hold personal data that no browser or proxy cache may keep."""
from __future__ import annotations


def _token(app, user):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        secret, _token = issue_token(db.session.get(User, user.id), name="tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}


def test_pages_api_and_downloads_of_signed_in_people_are_no_store(app, client, submitted, create_user, login):
    dossier_id, staff_client = submitted["dossier_id"], submitted["staff_client"]
    candidate_pages = ["/espace/", f"/dossiers/{dossier_id}", f"/dossiers/{dossier_id}/sections/lettre_motivation",
                       f"/dossiers/{dossier_id}/annexes", "/", "/accessibilite"]
    for url in candidate_pages:  # the candidate is signed in on ``client``
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    download = client.get(f"/dossiers/{dossier_id}/annexes/1/contenu")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    download.close()  # a streamed answer: its request ends when it is closed

    for url in ("/espace/", "/certificateur/dossiers", f"/certificateur/dossiers/{dossier_id}/recevabilite",
                "/certificateur/dossiers?q=camille.martin%40example.org"):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url

    juror = app.test_client()
    login(create_user("juror"), test_client=juror)
    response = juror.get("/jury/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"

    api = app.test_client()  # a token, no cookie
    for url in ("/api/v1/dossiers", f"/api/v1/dossiers/{dossier_id}"):
        response = api.get(url, headers=_token(app, submitted["candidate"]))
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_public_pages_of_anonymous_visitors_may_be_cached(app):
    anonymous = app.test_client()
    response = anonymous.get("/accessibilite")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
