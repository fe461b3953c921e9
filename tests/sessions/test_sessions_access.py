"""Nobody but the session's managers (and, read-only, its jurors and the certifier's staff)
reaches a session: every page and every API URL of it is a 404 for the others."""
import pytest

from tests.sessions.conftest import page


@pytest.fixture
def planned(app, manager, jurors, dossiers, create_jury_session):
    """A draft session of ``manager``'s organisation with two jurors and two candidates."""
    from core.extensions import db
    from core.jury.models import JurySession

    session_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors, dossiers=dossiers)
    with app.app_context():
        session = db.session.get(JurySession, session_id)
        return {"id": session_id, "candidate": session.candidates[0].id, "juror": session.jurors[0].id}


def _page_urls(s):
    base = f"/sessions/{s['id']}"
    c, j = s["candidate"], s["juror"]
    gets = [base, f"{base}/modifier", f"{base}/deroule", f"{base}/candidats/{c}/horaire", f"{base}/jures/ajouter",
            f"{base}/jures/{j}/modifier", f"{base}/declarations"]
    posts = [f"{base}/modifier", f"{base}/deroule", f"{base}/deroule/modele", f"{base}/candidats",
             f"{base}/candidats/{c}/retirer", f"{base}/candidats/{c}/monter", f"{base}/candidats/{c}/descendre",
             f"{base}/candidats/{c}/horaire", f"{base}/jures/ajouter", f"{base}/jures/{j}/modifier",
             f"{base}/jures/{j}/retirer", f"{base}/declarations", f"{base}/ouvrir", f"{base}/presences",
             f"{base}/observations"]
    return gets, posts


def _api_calls(s):
    base = f"/api/v1/sessions/{s['id']}"
    c, j = s["candidate"], s["juror"]
    return [("get", base, None), ("patch", base, {"title": "x"}), ("put", f"{base}/schedule", {"steps": []}),
            ("get", f"{base}/problems", None), ("post", f"{base}/open", None), ("get", f"{base}/jurors", None),
            ("post", f"{base}/jurors", {"email": "a@example.org", "position": "p", "company": "c",
                                        "experience_years": 3, "external": True}),
            ("patch", f"{base}/jurors/{j}", {"company": "x"}), ("delete", f"{base}/jurors/{j}", None),
            ("get", f"{base}/candidates", None), ("get", f"{base}/candidates/eligible", None),
            ("post", f"{base}/candidates", {"dossier_id": 1}),
            ("patch", f"{base}/candidates/{c}", {"starts_at": "2030-01-01T09:00:00Z"}),
            ("delete", f"{base}/candidates/{c}", None),
            ("put", f"{base}/attendance", {"attendance": [{"candidate_id": c, "attendance": "present"}]}),
            ("put", f"{base}/declarations", {"declarations": [{"candidate_id": c, "no_link": True,
                                                               "no_training": True}]})]


def test_outsiders_get_404_on_every_url(app, planned, certifier_org, create_user, signed_in, api_headers,
                                        dossiers):
    from core.extensions import db
    from core.jury.models import JurySession

    other_org = certifier_org("RNCP37827", name="Autre organisme")
    other_manager = create_user("session_manager", organisation=other_org)
    other_juror = create_user("juror")
    # the other juror sits on another session (of another organisation)
    with app.app_context():
        from core.jury.models import SessionJuror

        other = JurySession(organisation_id=other_org.id, certification_code="RNCP37827", title="Autre",
                            starts_at=db.session.get(JurySession, planned["id"]).starts_at, schedule=[],
                            manager_id=other_manager.id)
        other.jurors.append(SessionJuror(user_id=other_juror.id, external=True))
        db.session.add(other)
        db.session.commit()
    the_candidate = db_user(app, dossiers[0].candidate_id)
    gets, posts = _page_urls(planned)
    for user in (other_manager, other_juror, the_candidate):
        c = signed_in(user)
        for url in gets:
            assert c.get(url).status_code == 404, (user, url)
        for url in posts:
            assert c.post(url, data={"dossier_id": "1", "title": "x"}).status_code == 404, (user, url)
        headers = api_headers(user)
        for method, url, body in _api_calls(planned):
            response = getattr(c, method)(url, headers=headers, json=body) if body is not None else \
                getattr(c, method)(url, headers=headers)
            assert response.status_code == 404, (user, method, url, response.json)
            assert response.json["error"]["code"] in ("session_not_found", "not_found"), response.json
    # nothing changed
    with app.app_context():
        session = db.session.get(JurySession, planned["id"])
        assert session.title == "Session RNCP37827" and len(session.jurors) == 2 and len(session.candidates) == 2
    # the other organisation's manager does not list it either
    listing = signed_in(other_manager).get("/sessions")
    assert f"/sessions/{planned['id']}\"" not in page(listing)
    items = signed_in(other_manager).get("/api/v1/sessions", headers=api_headers(other_manager)).json["items"]
    assert planned["id"] not in [i["id"] for i in items]
    # a candidate has no session list at all
    assert signed_in(the_candidate).get("/sessions").status_code == 404


def db_user(app, user_id):
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        user.plain_password = "motdepasse-solide"
        return user


def test_another_manager_of_the_same_organisation_may_run_it(app, planned, org, create_user, signed_in):
    colleague = create_user("session_manager", organisation=org)
    c = signed_in(colleague)
    assert c.get(f"/sessions/{planned['id']}").status_code == 200
    assert c.post(f"/sessions/{planned['id']}/candidats/{planned['candidate']}/descendre").status_code == 302


def test_a_candidate_or_juror_of_another_session_gets_404_on_ids_of_this_one(app, manager, planned, jurors,
                                                                            create_admissible_dossier,
                                                                            create_jury_session, signed_in):
    """Ids of a candidate or juror of another session, through this session's URLs: 404."""
    other_dossier = create_admissible_dossier("RNCP37827")
    other_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors[:1], dossiers=[other_dossier])
    from core.extensions import db
    from core.jury.models import JurySession

    with app.app_context():
        other = db.session.get(JurySession, other_id)
        foreign_candidate, foreign_juror = other.candidates[0].id, other.jurors[0].id
    c = signed_in(manager)
    base = f"/sessions/{planned['id']}"
    assert c.get(f"{base}/candidats/{foreign_candidate}/horaire").status_code == 404
    assert c.post(f"{base}/candidats/{foreign_candidate}/retirer").status_code == 404
    assert c.get(f"{base}/jures/{foreign_juror}/modifier").status_code == 404
    assert c.post(f"{base}/jures/{foreign_juror}/retirer").status_code == 404
    with app.app_context():
        assert len(db.session.get(JurySession, other_id).candidates) == 1
