"""Who sees and who records: 404 for anybody outside the session, 403 for the session manager
(no deliberative vote) and the staff, 409 while the PV is being signed."""
from __future__ import annotations

import pytest

from tests.deliberation.deliberation_support import add_grid, decisions, pv_in_signing, rncp_grid, text, token

ADMIS = {"outcome": "admis", "validated_blocks": ["BC01", "BC02", "BC03"], "vae_outcome": "validation_totale_titre"}


def _pages(s, cid):
    return [("get", f"/sessions/{s.id}/deliberation"),
            ("get", f"/sessions/{s.id}/candidats/{cid}/deliberation"),
            ("post", f"/sessions/{s.id}/candidats/{cid}/deliberation"),
            ("post", f"/sessions/{s.id}/candidats/{cid}/absence")]


def _api(s, cid):
    return [("get", f"/api/v1/sessions/{s.id}/candidates/{cid}/deliberation"),
            ("post", f"/api/v1/sessions/{s.id}/candidates/{cid}/decision"),
            ("get", f"/api/v1/sessions/{s.id}/decisions")]


@pytest.fixture
def two_sessions(app, jury_session):
    s, other = jury_session("RNCP37827"), jury_session("RNCP37827")
    for juror in s.jurors:
        add_grid(app, s.candidates[0], juror, rncp_grid())
    return s, other


def test_outsiders_get_404_on_every_url(app, two_sessions, signed_in, create_user):
    s, other = two_sessions
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        candidate = db.session.get(User, s.dossiers[0].candidate_id)
        db.session.expunge(candidate)
    # a juror and the manager of another session, staff of another organisation, the candidate themself
    outsiders = [other.jurors[0], other.manager, create_user("certifier_staff"), candidate]
    for user in outsiders:
        client = signed_in(user)
        for method, url in _pages(s, s.candidates[0]):
            assert getattr(client, method)(url, data=ADMIS).status_code == 404, (user.role, url)
        headers = token(app, user)
        for method, url in _api(s, s.candidates[0]):
            response = getattr(client, method)(url, json={"outcome": "admis"}, headers=headers)
            assert response.status_code == 404, (user.role, url)
            assert response.get_json()["error"]["code"] == "session_not_found"
    # a juror of this session, with a candidate id of another session: 404 too
    client = signed_in(s.jurors[0])
    for method, url in _pages(s, other.candidates[0])[1:]:
        assert getattr(client, method)(url, data=ADMIS).status_code == 404
    for method, url in _api(s, other.candidates[0])[:2]:
        response = getattr(client, method)(url, json={"outcome": "admis"}, headers=token(app, s.jurors[0]))
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "candidate_not_found"
    assert decisions(app, s.candidates[0]) == []


def test_session_manager_and_staff_see_but_cannot_record(app, two_sessions, signed_in, create_user):
    s, _other = two_sessions
    staff = create_user("certifier_staff", organisation=s.org)
    for user, message in ((s.manager, "Le responsable de session n'a pas de voix délibérative"),
                          (staff, "Seuls les membres du jury de la session enregistrent les décisions.")):
        client = signed_in(user)
        page = client.get(f"/sessions/{s.id}/candidats/{s.candidates[0]}/deliberation")
        assert page.status_code == 200
        assert message in text(page) and "Enregistrer la décision" not in text(page)
        assert client.get(f"/sessions/{s.id}/deliberation").status_code == 200
        response = client.post(f"/sessions/{s.id}/candidats/{s.candidates[0]}/deliberation", data=ADMIS)
        assert response.status_code == 403 and message in text(response)
        response = client.post(f"/api/v1/sessions/{s.id}/candidates/{s.candidates[0]}/decision", json=ADMIS,
                               headers=token(app, user))
        assert response.status_code == 403 and message in response.get_json()["error"]["message"]
    assert decisions(app, s.candidates[0]) == []


def test_locked_while_the_pv_is_signed(app, two_sessions, signed_in):
    s, _other = two_sessions
    client = signed_in(s.jurors[0])
    url = f"/sessions/{s.id}/candidats/{s.candidates[0]}/deliberation"
    assert client.post(url, data=ADMIS).status_code == 302
    pv_in_signing(app, s.id, s.manager.id)
    message = "Le procès-verbal est en cours de signature : les décisions ne peuvent plus changer."
    seen = text(client.get(url))
    assert message in seen and "Enregistrer la décision modifiée" not in seen
    response = client.post(url, data={**ADMIS, "outcome": "non_admis", "validated_blocks": [],
                                      "vae_outcome": "non_validation", "comment": "Finalement non."})
    assert response.status_code == 409 and message in text(response)
    response = client.post(f"/api/v1/sessions/{s.id}/candidates/{s.candidates[0]}/decision", json=ADMIS,
                           headers=token(app, s.jurors[0]))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "decisions_locked"
    [only] = decisions(app, s.candidates[0])
    assert only["outcome"] == "admis" and not only["superseded"]


def test_a_draft_session_does_not_deliberate(app, jury_session, signed_in):
    s = jury_session("RNCP37827", status="draft")
    for juror in s.jurors:
        add_grid(app, s.candidates[0], juror, rncp_grid())
    response = signed_in(s.jurors[0]).post(f"/sessions/{s.id}/candidats/{s.candidates[0]}/deliberation", data=ADMIS)
    assert response.status_code == 409 and "La session n'est pas encore ouverte." in text(response)
