"""``GET /api/v1/dossiers/{id}/result``: what the dossier page shows after the jury, from the same service.
Nothing before the PV is sealed; each sitting's sealed decision; the retake (attempts, deadline)."""
from __future__ import annotations

from tests.deliberation.deliberation_support import add_grid, rncp_grid, rs_grid, seal_decisions, text, token


def _candidate(app, s, index=0):
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        user = db.session.get(User, s.dossiers[index].candidate_id)
        db.session.expunge(user)
        return user


def _record(client, s, cid, data):
    response = client.post(f"/sessions/{s.id}/candidats/{cid}/deliberation", data=data)
    assert response.status_code == 302, text(response)


def test_before_the_jury_then_unsealed_then_sealed_partial_validation(app, client, jury_session, signed_in,
                                                                      create_user, certifier_org):
    s = jury_session("RNCP37827", status="draft")
    dossier_id, cid = s.dossiers[0].id, s.candidates[0]
    candidate = _candidate(app, s)
    h = token(app, candidate)
    url = f"/api/v1/dossiers/{dossier_id}/result"

    # planned in a session still being prepared: not convened, nothing to show
    response = client.get(url, headers=h)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "not_convened" and response.json["sittings"] == []
    assert response.json["status_label"] == "Aucune session de jury pour l'instant"
    assert response.json["retake"] == {"possible": False, "attempts_used": 0, "attempts_allowed": 1,
                                       "deadline": None, "free": False, "message": ""}

    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    with app.app_context():
        db.session.get(JurySession, s.id).status = SessionStatus.OPEN
        db.session.commit()
    for juror in s.jurors:
        add_grid(app, cid, juror, rncp_grid(validated=("BC02",), proposal="admission_partielle"))
    _record(signed_in(s.jurors[0]), s, cid, {
        "outcome": "admission_partielle", "validated_blocks": ["BC02"], "vae_outcome": "validation_totale_blocs",
        "remaining": "Les blocs 1 et 3 restent à présenter.", "comment": "Bloc 2 validé à l'unanimité."})

    # a decision recorded but not sealed: it must not leak
    unsealed = client.get(url, headers=h)
    assert unsealed.status_code == 200
    assert unsealed.json["status"] == "awaiting_result" and unsealed.json["sittings"] == []
    body = str(unsealed.json)
    assert "admission_partielle" not in body and "BC02" not in body and "unanimité" not in body
    assert unsealed.json["retake"]["possible"] is False and unsealed.json["retake"]["attempts_used"] == 1

    seal_decisions(app, [cid])
    sealed = client.get(url, headers=h).json
    assert sealed["status"] == "decided" and sealed["dossier_id"] == dossier_id
    [sitting] = sealed["sittings"]
    assert sitting["session_id"] == s.id and sitting["attempt"] == 1
    assert sitting["pv"] is None and sitting["documents"] == []  # sealed here without a PV document
    decision = sitting["decision"]
    assert decision["outcome"] == "admission_partielle" and decision["outcome_label"] == "Admission partielle"
    assert decision["category"] == "partial" and decision["category_label"] == "Admis ou admise partiellement"
    assert decision["validated_blocks"] == [{
        "code": "BC02", "title": "Intégrer des modèles et des services d'intelligence artificielle",
        "reference": "RNCP37827BC02"}]
    assert decision["vae_outcome"] == "validation_totale_blocs"
    assert decision["remaining"] == "Les blocs 1 et 3 restent à présenter."
    assert decision["comment"] == "Bloc 2 validé à l'unanimité." and decision["sealed_at"]
    assert sealed["retake"] == {"possible": False, "attempts_used": 1, "attempts_allowed": 1, "deadline": None,
                                "free": False, "message": ""}  # RNCP37827: no retake in its rules

    # the page shows the same decision
    seen = text(signed_in(candidate).get(f"/dossiers/{dossier_id}"))
    assert "Décision du jury Admission partielle" in seen
    assert f"{decision['validated_blocks'][0]['code']} – {decision['validated_blocks'][0]['title']}" in seen
    assert decision["vae_outcome_label"] in seen and decision["comment"] in seen

    # who reads it: the staff of the dossier's organisation; not another candidate, another organisation's
    # staff, a juror of another session, the session manager
    assert client.get(url, headers=token(app, create_user("certifier_staff", organisation=s.org))).status_code == 200
    other_org = certifier_org("RNCP37827", name="Autre organisme")
    for user in (create_user("candidate"), create_user("certifier_staff", organisation=other_org),
                 create_user("juror"), s.manager):
        response = client.get(url, headers=token(app, user))
        assert response.status_code == 404, user.role
        assert response.json["error"]["code"] == "dossier_not_found"
    assert client.get("/api/v1/dossiers/999999/result", headers=h).status_code == 404


def test_a_failure_opens_one_free_retake_then_the_retake_uses_it(app, client, jury_session, signed_in,
                                                                 create_jury_session):
    from core.extensions import db
    from core.jury.models import SessionCandidate

    s = jury_session("RS6776")
    dossier_id, cid = s.dossiers[0].id, s.candidates[0]
    candidate = _candidate(app, s)
    h = token(app, candidate)
    url = f"/api/v1/dossiers/{dossier_id}/result"
    for juror in s.jurors:
        add_grid(app, cid, juror, rs_grid(oral=8.0, proposal="non_acquise"))
    marks = {f"mark_C{n}": "4" for n in range(1, 7)}
    _record(signed_in(s.jurors[0]), s, cid, {**marks, "score_ORAL": "8", "outcome": "non_acquise",
                                            "comment": "Oral insuffisant."})
    seal_decisions(app, [cid])

    first = client.get(url, headers=h).json
    [sitting] = first["sittings"]
    assert sitting["decision"]["outcome"] == "non_acquise" and sitting["decision"]["category"] == "refused"
    retake = first["retake"]
    assert retake["possible"] is True and retake["free"] is True
    assert (retake["attempts_used"], retake["attempts_allowed"]) == (1, 2)
    assert retake["deadline"] == sitting["decision"]["retake_until"] is not None
    assert retake["message"].startswith("Vous pouvez vous présenter à une session de rattrapage jusqu'au ")
    assert retake["message"] in text(signed_in(candidate).get(f"/dossiers/{dossier_id}"))

    # convened to the retake: the first result stays, the retake is pending
    with app.app_context():
        from core.dossiers.models import Dossier

        dossier = db.session.get(Dossier, dossier_id)
        db.session.expunge(dossier)
    second = create_jury_session("RS6776", manager=s.manager, jurors=s.jurors, dossiers=[dossier], status="open",
                                 days_ahead=60)  # the first session is 30 days ahead
    with app.app_context():
        row = db.session.scalar(db.select(SessionCandidate).where(SessionCandidate.session_id == second))
        row.attempt = 2
        db.session.commit()
        retake_cid = row.id
    pending = client.get(url, headers=h).json
    assert pending["status"] == "awaiting_result" and len(pending["sittings"]) == 1
    assert pending["retake"]["possible"] is False and pending["retake"]["attempts_used"] == 2

    # the retake fails too: no retake left, the page and the API say so
    for juror in s.jurors:
        add_grid(app, retake_cid, juror, rs_grid(oral=8.0, proposal="non_acquise"))
    retake_session = type(s)(**{**vars(s), "id": second})
    _record(signed_in(s.jurors[0]), retake_session, retake_cid, {**marks, "score_ORAL": "8",
                                                                 "outcome": "non_acquise", "comment": "Oral."})
    seal_decisions(app, [retake_cid])
    final = client.get(url, headers=h).json
    assert final["status"] == "decided"
    assert [(x["attempt"], x["session_id"]) for x in final["sittings"]] == [(1, s.id), (2, second)]
    assert final["sittings"][1]["decision"]["retake_until"] is None
    assert final["retake"]["possible"] is False and final["retake"]["attempts_used"] == 2
    assert final["retake"]["message"] == ("Le rattrapage autorisé par le règlement de la certification a déjà "
                                          "été utilisé.")
    assert final["retake"]["message"] in text(signed_in(candidate).get(f"/dossiers/{dossier_id}"))


def test_the_absence_button_and_the_api_record_the_same_absent_decision(app, client, jury_session, signed_in):
    """``deliberation.absence``'s counterpart is ``POST .../decision`` with ``outcome: "absent"``."""
    from tests.deliberation.deliberation_support import decisions, dossier_status, set_attendance

    s = jury_session("RS6776", candidates=3)
    by_page, by_api, present = s.candidates
    for cid in (by_page, by_api):
        set_attendance(app, cid, "absent")
    set_attendance(app, present, "present")
    assert signed_in(s.jurors[0]).post(f"/sessions/{s.id}/candidats/{by_page}/absence").status_code == 302
    h = token(app, s.jurors[1])
    url = f"/api/v1/sessions/{s.id}/candidates/{{}}/decision"
    response = client.post(url.format(by_api), headers=h, json={"outcome": "absent"})
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "absent" and response.json["outcome_label"] == "Absent ou absente"

    def essentials(cid):
        return [{k: d[k] for k in ("outcome", "validated_blocks", "acquired", "marks", "scores", "retake_until",
                                   "sealed")} for d in decisions(app, cid)]

    assert essentials(by_page) == essentials(by_api) == [{
        "outcome": "absent", "validated_blocks": [], "acquired": [], "marks": {}, "scores": {},
        "retake_until": None, "sealed": False}]
    assert dossier_status(app, s.dossiers[0].id) == dossier_status(app, s.dossiers[1].id) == "evaluated"
    # refused alike: a present candidate without grids, the manager (no vote), another session's juror
    refused = client.post(url.format(present), headers=h, json={"outcome": "absent"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "grids_incomplete"
    manager = client.post(url.format(present), headers=token(app, s.manager), json={"outcome": "absent"})
    assert manager.status_code == 403 and manager.json["error"]["code"] == "no_deliberative_vote"
    other = jury_session("RNCP37827")
    assert client.post(url.format(present), headers=token(app, other.jurors[0]),
                       json={"outcome": "absent"}).status_code == 404
    assert decisions(app, present) == []
