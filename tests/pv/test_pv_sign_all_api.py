"""« Signer tous mes documents » through the API (``POST /api/v1/sessions/{id}/signatures``), as the page
does it: one password, each document in its own transaction, stop at the first failure; then the candidate
reads their result (``GET /api/v1/dossiers/{id}/result``) and downloads the documents it links."""
import hashlib

from tests.pv.conftest import page, read_pdf

PASSWORD = "motdepasse-solide"

RS = [
    {"name": ("Leroy", "Inès"), "outcome": "acquise", "grid": {"marks": 4.0, "oral": 15.0},
     "marks": {f"C{n}": 4.0 for n in range(1, 7)}, "scores": {"ORAL": 15.0},
     "acquired": [f"C{n}" for n in range(1, 7)]},
    {"name": ("Morel", "Hugo"), "outcome": "non_acquise", "grid": {"marks": 3.0, "oral": 8.0},
     "marks": {f"C{n}": 3.0 for n in range(1, 7)}, "scores": {"ORAL": 8.0}, "retake": True,
     "comment": "Compétences non acquises ; oral éliminatoire."},
]


def _docs(app, session_id):
    from core.extensions import db
    from core.jury.models import SignedDocument

    with app.app_context():
        rows = db.session.query(SignedDocument).filter_by(session_id=session_id).order_by(SignedDocument.id).all()
        return {d.id: {"kind": d.kind, "status": d.status.value, "sha256": d.sha256,
                       "signatures": [s["field"] for s in d.signatures]} for d in rows}


def _failing_signature(monkeypatch, fail_on: int):
    """Make the ``fail_on``-th personal signature of this request fail like an unreachable TSA."""
    import core.sealing.services as sealing

    real, calls = sealing.sign_as_person, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == fail_on:
            raise sealing.SealingFailed("L'horodatage est indisponible : réessayez plus tard.")
        return real(*args, **kwargs)

    monkeypatch.setattr(sealing, "sign_as_person", flaky)


def test_jurors_and_manager_sign_everything_with_one_password_then_the_candidates_read_their_result(
        app, client, jury_session, clients, api_headers, monkeypatch):
    s = jury_session("RS6776", RS)
    sid, manager, (juror1, juror2) = s["session_id"], s["manager"], s["jurors"]
    url = f"/api/v1/sessions/{sid}/signatures"
    h1, h2, hm = api_headers(juror1), api_headers(juror2), api_headers(manager)
    win, lose = s["dossier_ids"]
    h_win, h_lose = api_headers(s["candidates"][0]), api_headers(s["candidates"][1])

    # decisions recorded, PV not generated: nothing reaches the candidates
    before = client.get(f"/api/v1/dossiers/{lose}/result", headers=h_lose)
    assert before.status_code == 200, before.json
    assert before.json["sittings"] == [] and before.json["status"] == "awaiting_result"
    assert before.json["retake"]["possible"] is False and "non_acquise" not in str(before.json)

    assert client.post(f"/api/v1/sessions/{sid}/pv", headers=hm).status_code == 201
    docs = _docs(app, sid)
    grids = [i for i, d in docs.items() if d["kind"] == "grid"]
    pv = next(i for i, d in docs.items() if d["kind"] == "pv")

    # nothing awaits the manager before the jurors; a document listed that is not theirs to sign yet
    nothing = client.post(url, headers=hm, json={"password": PASSWORD})
    assert nothing.status_code == 409 and nothing.json["error"]["code"] == "nothing_to_sign"
    early = client.post(url, headers=hm, json={"password": PASSWORD, "documents": [pv]})
    assert early.status_code == 409 and early.json["error"]["code"] == "not_your_turn"
    # bad input: wrong password, unknown document, empty list, no password: nothing signed
    wrong = client.post(url, headers=h1, json={"password": "pas le bon"})
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "reauthentication_failed"
    assert "Mot de passe incorrect" in wrong.json["error"]["message"]
    assert client.post(url, headers=h1, json={"password": PASSWORD, "documents": [999999]}).status_code == 404
    assert client.post(url, headers=h1, json={"password": PASSWORD, "documents": []}).status_code == 422
    assert client.post(url, headers=h1, json={"documents": grids}).status_code == 422
    assert _docs(app, sid) == docs

    # the first signature fails: the error of that document, nothing signed
    _failing_signature(monkeypatch, fail_on=1)
    failed = client.post(url, headers=h1, json={"password": PASSWORD})
    assert failed.status_code == 503 and failed.json["error"]["code"] == "sealing_failed"
    assert failed.json["error"]["details"]["document_id"] == grids[0]
    assert _docs(app, sid) == docs

    # the second fails: 200, the first stays signed, the second is untouched, the third not tried
    _failing_signature(monkeypatch, fail_on=2)
    partial = client.post(url, headers=h1, json={"password": PASSWORD})
    assert partial.status_code == 200, partial.json
    body = partial.json
    assert body["complete"] is False and [d["id"] for d in body["signed"]] == [grids[0]]
    assert body["failed"]["document"]["id"] == grids[1] and body["failed"]["code"] == "sealing_failed"
    assert body["failed"]["reason"] == "L'horodatage est indisponible : réessayez plus tard."
    assert body["not_tried"] == [pv]
    now = _docs(app, sid)
    assert now[grids[0]]["signatures"] == ["Jure1"] and now[grids[1]] == docs[grids[1]] and now[pv] == docs[pv]
    monkeypatch.undo()

    # again: what is left is signed (grids first, then the PV)
    rest = client.post(url, headers=h1, json={"password": PASSWORD})
    assert rest.status_code == 200 and rest.json["complete"] is True and rest.json["failed"] is None
    assert [d["id"] for d in rest.json["signed"]] == [grids[1], pv]
    assert all(d["signatures"] == ["Jure1"] for d in _docs(app, sid).values())

    # juror 2 on the page, the same service: the grids are sealed
    done = clients(juror2).post(f"/sessions/{sid}/signatures", data={"password": PASSWORD})
    assert done.status_code == 302
    assert "Aucun document n'attend votre signature" in page(clients(juror2).get(f"/sessions/{sid}/signatures"))
    again = client.post(url, headers=h2, json={"password": PASSWORD})
    assert again.status_code == 409 and again.json["error"]["code"] == "nothing_to_sign"

    # the manager last, through the API: the PV is sealed, the session closed
    last = client.post(url, headers=hm, json={"password": PASSWORD})
    assert last.status_code == 200, last.json
    assert [d["id"] for d in last.json["signed"]] == [pv] and last.json["signed"][0]["status"] == "sealed"
    assert client.get(f"/api/v1/sessions/{sid}", headers=hm).json["status"] == "closed"

    # the successful candidate: the decision and the certificate, whose content matches its hash
    result = client.get(f"/api/v1/dossiers/{win}/result", headers=h_win)
    assert result.status_code == 200, result.json
    assert result.json["status"] == "decided"
    [sitting] = result.json["sittings"]
    assert sitting["session_id"] == sid and sitting["attempt"] == 1 and sitting["attendance"] == "present"
    assert sitting["decision"]["outcome"] == "acquise" and sitting["decision"]["category"] == "total"
    assert sitting["pv"]["number"] == 1 and sitting["pv"]["sealed_at"]
    kinds = {d["kind"]: d for d in sitting["documents"]}
    assert set(kinds) == {"jury_grid", "certificate"}
    for doc in kinds.values():
        content = client.get(doc["links"]["content"], headers=h_win)
        assert content.status_code == 200
        data = read_pdf(content)
        assert hashlib.sha256(data).hexdigest() == doc["sha256"] and len(data) == doc["size"]
    assert result.json["retake"]["possible"] is False

    # the failing candidate: the failure, the retake window (one free retake), the page says the same
    failure = client.get(f"/api/v1/dossiers/{lose}/result", headers=h_lose).json
    [sitting] = failure["sittings"]
    assert sitting["decision"]["outcome"] == "non_acquise" and sitting["decision"]["category"] == "refused"
    assert sitting["decision"]["comment"] == "Compétences non acquises ; oral éliminatoire."
    assert [d["kind"] for d in sitting["documents"]] == ["jury_grid"]
    retake = failure["retake"]
    assert retake["possible"] is True and retake["free"] is True
    assert (retake["attempts_used"], retake["attempts_allowed"]) == (1, 2)
    assert retake["deadline"] == sitting["decision"]["retake_until"] is not None
    seen = page(clients(s["candidates"][1]).get(f"/dossiers/{lose}"))
    assert retake["message"] in seen and "sans frais de certification" in retake["message"]
    # another candidate's result: 404
    assert client.get(f"/api/v1/dossiers/{win}/result", headers=h_lose).status_code == 404


def _awaiting_row(app, session_id, user_ids):
    """A PV waiting for the signature of ``user_ids`` (rows only: no PDF, nothing gets signed)."""
    from core.extensions import db
    from core.jury.models import SignedDocument, SignedDocumentStatus

    with app.app_context():
        doc = SignedDocument(session_id=session_id, kind="pv", signatures=[], size=1, sha256="0" * 64,
                             planned=[{"user_id": u, "role": "juror", "field": f"Jure{i}"}
                                      for i, u in enumerate(user_ids, 1)],
                             storage_key=f"pv/{session_id}/attente.pdf", created_by_id=user_ids[0],
                             status=SignedDocumentStatus.SIGNING)
        db.session.add(doc)
        db.session.commit()
        return doc.id


def test_sign_all_is_refused_to_others_and_limits_wrong_passwords(app, client, jury_session, api_headers,
                                                                   create_user):
    s = jury_session("RNCP37827", [{"name": ("Martin", "Camille"), "outcome": "admis"}], decide=False)
    other = jury_session("RS6776", [{"name": ("Petit", "Sam"), "outcome": "acquise"}], decide=False)
    juror1 = s["jurors"][0]
    mine = _awaiting_row(app, s["session_id"], [j.id for j in s["jurors"]])
    theirs = _awaiting_row(app, other["session_id"], [j.id for j in other["jurors"]])
    url = f"/api/v1/sessions/{s['session_id']}/signatures"
    body = {"password": PASSWORD}
    # a juror of another session, another organisation's manager and staff, a candidate: 404
    for user in (other["jurors"][0], other["manager"], create_user("certifier_staff", organisation=other["org"]),
                 s["candidates"][0]):
        assert client.post(url, headers=api_headers(user), json=body).status_code == 404, user.role
    # the staff of the session's organisation sees the session but signs nothing: 403
    staff = create_user("certifier_staff", organisation=s["org"])
    refused = client.post(url, headers=api_headers(staff), json=body)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "not_a_signer"
    # another session's document through this session's URL: 404
    h1 = api_headers(juror1)
    assert client.post(url, headers=h1, json={**body, "documents": [theirs]}).status_code == 404
    # ten wrong passwords, then 429 even with the right one; nothing signed
    for _ in range(10):
        assert client.post(url, headers=h1, json={"password": "faux", "documents": [mine]}).status_code == 422
    blocked = client.post(url, headers=h1, json={"password": juror1.plain_password, "documents": [mine]})
    assert blocked.status_code == 429 and blocked.json["error"]["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0
    assert all(d["signatures"] == [] for d in _docs(app, s["session_id"]).values())
