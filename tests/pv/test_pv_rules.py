"""Refusals and guarantees of the procès-verbal area, without full sealing flows."""
import uuid

import pytest

from tests.pv.conftest import page

PASSWORD = "motdepasse-solide"

RS_TWO = [
    {"name": ("Leroy", "Inès"), "outcome": "acquise"},
    {"name": ("Morel", "Hugo"), "outcome": "non_acquise", "comment": "Oral éliminatoire."},
]


def _fake_documents(app, session_id, *, manager_id, juror_ids, status="signing", signatures=()):
    """A PV and a grid rows of ``session_id`` (no stored bytes: enough for refusals that come first)."""
    from core.extensions import db
    from core.jury.models import JurySession, SignedDocument, SignedDocumentStatus

    with app.app_context():
        session = db.session.get(JurySession, session_id)
        planned = [{"user_id": u, "role": "juror", "field": f"Jure{i}"} for i, u in enumerate(juror_ids, 1)]
        rows = []
        for kind, candidate_id, extra in (("grid", session.candidates[0].id, []),
                                          ("pv", None, [{"user_id": manager_id, "role": "session_manager",
                                                          "field": "Responsable"}])):
            doc = SignedDocument(session_id=session_id, candidate_id=candidate_id, kind=kind,
                                 status=SignedDocumentStatus(status), planned=planned + extra,
                                 signatures=[{"user_id": u, "field": f, "at": "2026-01-01T00:00:00+00:00",
                                              "sha256": "0" * 64} for u, f in signatures],
                                 storage_key=f"jury/{session_id}/fake-{kind}-{uuid.uuid4().hex}", sha256="0" * 64,
                                 size=1,
                                 created_by_id=manager_id)
            db.session.add(doc)
            db.session.flush()
            rows.append(doc.id)
        db.session.commit()
        return {"grid": rows[0], "pv": rows[1]}


def test_pv_refused_until_every_candidate_has_attendance_and_a_decision(app, client, jury_session, clients,
                                                                         api_headers):
    s = jury_session("RS6776", [{"name": ("Leroy", "Inès"), "attendance": "unknown"},
                                {"name": ("Morel", "Hugo")}], decide=False)
    sid, manager = s["session_id"], s["manager"]
    mgr = clients(manager)
    shown = page(mgr.get(f"/sessions/{sid}/pv"))
    assert "Inès Leroy : la présence n'est pas renseignée." in shown
    assert "Hugo Morel : aucune décision du jury n'est enregistrée." in shown
    refused = mgr.post(f"/sessions/{sid}/pv")
    assert refused.status_code == 409
    body = page(refused)
    assert "Le procès-verbal ne peut pas encore être généré" in body and 'role="alert"' in body
    api = client.post(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager))
    assert api.status_code == 409 and api.json["error"]["code"] == "pv_not_ready"
    assert "Inès Leroy : aucune décision du jury n'est enregistrée." in api.json["error"]["details"]["missing"]
    listing = client.get(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager)).json
    assert listing["can_generate"] is False and len(listing["missing"]) == 3 and listing["items"] == []
    # only the manager generates; a juror of the session gets a 404
    juror_api = client.post(f"/api/v1/sessions/{sid}/pv", headers=api_headers(s["jurors"][0]))
    assert juror_api.status_code == 404

    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus, SignedDocument

    with app.app_context():
        assert db.session.query(SignedDocument).count() == 0
        session = db.session.get(JurySession, sid)
        session.status = SessionStatus.DRAFT
        db.session.commit()
    draft = client.post(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager))
    assert draft.status_code == 409 and draft.json["error"]["code"] == "wrong_state"


def test_absent_candidate_needs_the_absent_decision(app, client, jury_session, api_headers):
    s = jury_session("RS6776", [{"name": ("Leroy", "Inès"), "attendance": "absent", "outcome": "acquise"}])
    api = client.post(f"/api/v1/sessions/{s['session_id']}/pv", headers=api_headers(s["manager"]))
    assert api.status_code == 409
    assert api.json["error"]["details"]["missing"] == [
        "Inès Leroy est absent ou absente mais la décision enregistrée n'est pas « Absent ou absente »."]


def test_a_juror_of_another_session_gets_404_everywhere(app, client, jury_session, clients, api_headers,
                                                         create_user):
    s = jury_session("RS6776", RS_TWO)
    other = jury_session("RS6776", RS_TWO)
    sid = s["session_id"]
    docs = _fake_documents(app, sid, manager_id=s["manager"].id, juror_ids=[j.id for j in s["jurors"]])
    foreign = _fake_documents(app, other["session_id"], manager_id=other["manager"].id,
                              juror_ids=[j.id for j in other["jurors"]])
    outsider = other["jurors"][0]
    web = clients(outsider)
    for url in (f"/sessions/{sid}/pv", f"/sessions/{sid}/signatures",
                f"/sessions/{sid}/documents/{docs['pv']}/lire",
                f"/sessions/{sid}/documents/{docs['grid']}/telecharger"):
        assert web.get(url).status_code == 404, url
    for url in (f"/sessions/{sid}/pv", f"/sessions/{sid}/signatures", f"/sessions/{sid}/pv/correction"):
        assert web.post(url, data={"password": PASSWORD, "reason": "x"}).status_code == 404, url
    headers = api_headers(outsider)
    for url in (f"/api/v1/sessions/{sid}/pv", f"/api/v1/sessions/{sid}/pv/{docs['pv']}/content",
                f"/api/v1/sessions/{sid}/documents/{docs['grid']}/content"):
        assert client.get(url, headers=headers).status_code == 404, url
    for url in (f"/api/v1/sessions/{sid}/pv", f"/api/v1/sessions/{sid}/pv/{docs['pv']}/sign",
                f"/api/v1/sessions/{sid}/documents/{docs['grid']}/sign", f"/api/v1/sessions/{sid}/pv/correction"):
        response = client.post(url, json={"password": PASSWORD, "reason": "x"}, headers=headers)
        assert response.status_code == 404, url
        assert response.json["error"]["code"] == "session_not_found"
    # the session's own juror, with a document id of another session: 404 as well
    mine = api_headers(s["jurors"][0])
    for url in (f"/api/v1/sessions/{sid}/pv/{foreign['pv']}/sign",
                f"/api/v1/sessions/{sid}/documents/{foreign['grid']}/sign"):
        response = client.post(url, json={"password": PASSWORD}, headers=mine)
        assert response.status_code == 404 and response.json["error"]["code"] == "document_not_found"
    assert client.get(f"/api/v1/sessions/{sid}/pv/{docs['grid']}/content", headers=mine).status_code == 404
    # a candidate, even one of the session, sees nothing
    assert clients(s["candidates"][0]).get(f"/sessions/{sid}/pv").status_code == 404


def test_signing_turns_and_state_refusals(app, client, jury_session, api_headers, create_user):
    s = jury_session("RS6776", RS_TWO)
    sid, manager, (juror1, juror2) = s["session_id"], s["manager"], s["jurors"]
    docs = _fake_documents(app, sid, manager_id=manager.id, juror_ids=[juror1.id, juror2.id],
                           signatures=[(juror1.id, "Jure1")])
    url = f"/api/v1/sessions/{sid}/pv/{docs['pv']}/sign"
    early = client.post(url, json={"password": PASSWORD}, headers=api_headers(manager))
    assert early.status_code == 409 and early.json["error"]["code"] == "not_your_turn"
    assert early.json["error"]["details"]["waiting_for"] == [juror2.id]
    twice = client.post(url, json={"password": PASSWORD}, headers=api_headers(juror1))
    assert twice.status_code == 409 and twice.json["error"]["code"] == "already_signed"
    staff = create_user("certifier_staff", organisation=s["org"])
    outsider = client.post(url, json={"password": PASSWORD}, headers=api_headers(staff))
    assert outsider.status_code == 403 and outsider.json["error"]["code"] == "not_a_signer"
    wrong = client.post(url, json={"password": "pas le bon"}, headers=api_headers(juror2))
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "reauthentication_failed"
    missing = client.post(url, json={}, headers=api_headers(juror2))
    assert missing.status_code == 422 and "password" in missing.json["error"]["details"]
    listing = client.get(f"/api/v1/sessions/{sid}/pv", headers=api_headers(staff)).json  # staff may read
    pv = listing["items"][0]
    assert pv["waiting_for"] == [juror2.id] and [p["can_sign_now"] for p in pv["planned"]] == [False, True, False]

    sealed = _fake_documents(app, sid, manager_id=manager.id, juror_ids=[juror1.id], status="sealed")
    for path in (f"pv/{sealed['pv']}", f"documents/{sealed['grid']}"):
        response = client.post(f"/api/v1/sessions/{sid}/{path}/sign", json={"password": PASSWORD},
                               headers=api_headers(juror1))
        assert response.status_code == 409 and response.json["error"]["code"] == "document_sealed"
        assert response.json["error"]["details"]["status"] == "sealed"


def _objects(app, session_id):
    storage = app.extensions["livret"].storage
    return sorted(e.key for e in storage.iter_objects(f"jury/{session_id}/"))


def _real_documents(app, s, count, input_pdf):
    """``count`` grids certified by the organisation, to be signed by the session's jurors."""
    from core.auth.models import User
    from core.extensions import db
    from core.jury.models import JurySession
    from core.pv import services

    with app.test_request_context():
        session = db.session.get(JurySession, s["session_id"])
        manager = db.session.get(User, s["manager"].id)
        work = services.Work()
        ids = [services.create("grid", session, session.candidates[i], input_pdf,
                               services.planned_for(session, "grid"), manager, work).id for i in range(count)]
        work.commit()
        return ids


def _state(app, doc_id):
    from core.extensions import db
    from core.jury.models import SignedDocument
    from core.pv.services import read_bytes

    with app.app_context():
        doc = db.session.get(SignedDocument, doc_id)
        return {"signatures": list(doc.signatures), "key": doc.storage_key, "sha256": doc.sha256,
                "status": doc.status.value, "bytes": read_bytes(doc.storage_key)}


def test_a_failed_signature_leaves_the_document_and_its_bytes_as_they_were(app, client, jury_session, api_headers,
                                                                            input_pdf, monkeypatch):
    import core.sealing.services as sealing

    s = jury_session("RS6776", RS_TWO)
    sid, juror1 = s["session_id"], s["jurors"][0]
    (doc_id,) = _real_documents(app, s, 1, input_pdf)
    before, objects = _state(app, doc_id), _objects(app, sid)
    url = f"/api/v1/sessions/{sid}/documents/{doc_id}/sign"

    def tsa_down(*args, **kwargs):
        raise sealing.SealingFailed("Le service d'horodatage ne répond pas : rien n'a été signé.")

    monkeypatch.setattr(sealing, "sign_as_person", tsa_down)
    failed = client.post(url, json={"password": PASSWORD}, headers=api_headers(juror1))
    assert failed.status_code == 503 and failed.json["error"]["code"] == "sealing_failed"
    assert _state(app, doc_id) == before and _objects(app, sid) == objects
    monkeypatch.undo()

    # the last signature succeeds but the final seal fails: the signature is kept, the document waits for its
    # seal (status « sealing », the reason shown), nothing is issued; a retry seals it, once
    from core.dossiers.models import Document
    from core.jury.models import SignedDocument
    from core.extensions import db

    with app.app_context():  # one juror left to sign
        doc = db.session.get(SignedDocument, doc_id)
        doc.planned = doc.planned[:1]
        db.session.commit()
        documents_before = db.session.query(Document).count()
    monkeypatch.setattr(sealing, "issue_document", lambda *a, **k: tsa_down())
    signed = client.post(url, json={"password": PASSWORD}, headers=api_headers(juror1))
    assert signed.status_code == 202 and signed.json["status"] == "sealing"
    assert signed.headers["Location"].endswith(f"/api/v1/sessions/{sid}/sealing")
    waiting = _state(app, doc_id)
    assert waiting["status"] == "sealing" and waiting["signatures"][0]["field"] == "Jure1"
    assert _objects(app, sid) == [waiting["key"]]  # the signed bytes replaced the certified ones
    progress = client.get(f"/api/v1/sessions/{sid}/sealing", headers=api_headers(s["manager"])).json
    assert (progress["signed"], progress["sealed"], progress["waiting"], progress["done"]) == (1, 0, 1, False)
    assert progress["errors"][0]["message"] == "Le service d'horodatage ne répond pas : rien n'a été signé."
    again = client.post(url, json={"password": PASSWORD}, headers=api_headers(juror1))
    assert again.status_code == 409 and again.json["error"]["code"] == "document_sealed"  # signed once only
    with app.app_context():
        assert db.session.query(Document).count() == documents_before
    monkeypatch.undo()

    refused = client.post(f"/api/v1/sessions/{sid}/sealing", headers=api_headers(juror1))
    assert refused.status_code in (403, 404)  # only the session's manager relaunches
    retried = client.post(f"/api/v1/sessions/{sid}/sealing", headers=api_headers(s["manager"]))
    assert retried.status_code == 200 and retried.json["done"] and retried.json["sealed"] == 1
    after = _state(app, doc_id)
    assert after["status"] == "sealed" and after["key"] == waiting["key"]
    assert client.post(f"/api/v1/sessions/{sid}/sealing", headers=api_headers(s["manager"])).status_code == 200
    with app.app_context():
        from core.pv.sealing import seal_document

        assert seal_document(doc_id) is False  # a late job finds it sealed: nothing sealed twice
        assert db.session.query(Document).count() == documents_before + 1


def test_one_password_signs_each_document_and_a_failure_says_which(app, jury_session, clients, input_pdf,
                                                                    monkeypatch):
    import core.sealing.services as sealing

    s = jury_session("RS6776", RS_TWO)
    sid = s["session_id"]
    first, second = _real_documents(app, s, 2, input_pdf)
    real = sealing.sign_as_person
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise sealing.SealingFailed("Le service d'horodatage ne répond pas.")
        return real(*args, **kwargs)

    monkeypatch.setattr(sealing, "sign_as_person", second_fails)
    juror = clients(s["jurors"][0])
    response = juror.post(f"/sessions/{sid}/signatures", data={"password": PASSWORD})
    assert response.status_code == 302
    shown = page(juror.get(response.headers["Location"]))
    assert "Documents signés : Grille d'évaluation de Inès Leroy." in shown
    assert "La signature de « Grille d'évaluation de Hugo Morel » a échoué" in shown
    assert [x["field"] for x in _state(app, first)["signatures"]] == ["Jure1"]
    assert _state(app, second)["signatures"] == []
    assert "Signer le document" in shown  # the failed one is still waiting, with its link to read it


def test_correction_only_on_a_closed_session_with_a_reason(app, client, jury_session, api_headers):
    s = jury_session("RS6776", RS_TWO)
    sid, headers = s["session_id"], api_headers(s["manager"])
    url = f"/api/v1/sessions/{sid}/pv/correction"
    open_session = client.post(url, json={"reason": "Erreur de report.", "password": PASSWORD}, headers=headers)
    assert open_session.status_code == 409 and open_session.json["error"]["code"] == "wrong_state"

    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    with app.app_context():
        db.session.get(JurySession, sid).status = SessionStatus.CLOSED
        db.session.commit()
    blank = client.post(url, json={"reason": "  ", "password": PASSWORD}, headers=headers)
    assert blank.status_code == 422 and "motif" in blank.json["error"]["details"]["reason"][0]
    wrong = client.post(url, json={"reason": "Erreur de report.", "password": "non"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "reauthentication_failed"
    juror = client.post(url, json={"reason": "Erreur de report.", "password": PASSWORD},
                        headers=api_headers(s["jurors"][0]))
    assert juror.status_code == 404
    opened = client.post(url, json={"reason": "Erreur de report.", "password": PASSWORD}, headers=headers)
    assert opened.status_code == 200 and opened.json["correction_reason"] == "Erreur de report."
    again = client.post(url, json={"reason": "Encore.", "password": PASSWORD}, headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "correction_in_progress"
    with app.app_context():
        from core.jury.services import decisions_locked

        assert decisions_locked(db.session.get(JurySession, sid)) is None  # the jury may amend decisions


def test_openapi_documents_the_pv_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path, method in (("/api/v1/sessions/{session_id}/pv", "get"), ("/api/v1/sessions/{session_id}/pv", "post"),
                         ("/api/v1/sessions/{session_id}/pv/{pv_id}/sign", "post"),
                         ("/api/v1/sessions/{session_id}/pv/{pv_id}/content", "get"),
                         ("/api/v1/sessions/{session_id}/documents/{document_id}/sign", "post"),
                         ("/api/v1/sessions/{session_id}/documents/{document_id}/content", "get"),
                         ("/api/v1/sessions/{session_id}/pv/correction", "post")):
        operation = paths[path][method]
        assert operation["tags"] == ["pv"], path
        assert "404" in operation["responses"], path
    assert "PvSignRequest" in str(paths["/api/v1/sessions/{session_id}/pv/{pv_id}/sign"]["post"]["requestBody"])
    for name in ("PvList", "PvDocument", "PvSigner", "PvSignature", "PvGenerated", "PvSignRequest",
                 "PvCorrectionRequest", "PvCorrection"):
        assert name in spec["components"]["schemas"], name


@pytest.mark.parametrize("outcome, expected", [("admis", "total"), ("admission_partielle", "partial"),
                                               ("non_admis", "refused"), ("absent", "absent"), ("autre", None)])
def test_outcomes_map_to_pv_categories_by_position(outcome, expected):
    from core.certifications.descriptor import Grid, Outcome
    from core.pv.outcomes import category

    three = Grid(mode="criteria", outcomes=(Outcome("admis", "Admis"), Outcome("admission_partielle", "Partielle"),
                                            Outcome("non_admis", "Non admis")))
    assert category(three, outcome) == expected
    two = Grid(mode="marks", outcomes=(Outcome("acquise", "Obtenue"), Outcome("non_acquise", "Non obtenue")))
    assert (category(two, "acquise"), category(two, "non_acquise")) == ("total", "refused")


def test_a_signature_made_meanwhile_by_another_signer_is_never_overwritten(app, client, jury_session, api_headers,
                                                                          input_pdf, monkeypatch):
    """Two jurors sign the same document at the same moment: the one who read the bytes first must not
    commit a version without the other's signature; they are asked to sign again."""
    from sqlalchemy import update

    import core.pv.services as pv_services
    from core.extensions import db
    from core.jury.models import SignedDocument

    s = jury_session("RS6776", RS_TWO)
    sid, juror1 = s["session_id"], s["jurors"][0]
    (doc_id,) = _real_documents(app, s, 1, input_pdf)
    real_read = pv_services.read_bytes

    def read_while_another_signs(key):
        data = real_read(key)
        with db.engine.begin() as conn:  # the other juror's signature commits now
            conn.execute(update(SignedDocument).where(SignedDocument.id == doc_id).values(sha256="f" * 64))
        return data

    monkeypatch.setattr(pv_services, "read_bytes", read_while_another_signs)
    response = client.post(f"/api/v1/sessions/{sid}/documents/{doc_id}/sign", json={"password": PASSWORD},
                           headers=api_headers(juror1))
    assert response.status_code == 409 and response.json["error"]["code"] == "document_changed"
    with app.app_context():
        doc = db.session.get(SignedDocument, doc_id)
        assert doc.sha256 == "f" * 64 and doc.signatures == []
