"""The PV filled in three stages (its draft « Projet »), its transmission to the quality committee (seed 004 §2
« 5. Grille d'évaluation individuelle », « 6. Procès verbal de jury ») and the documents RNCP37827's outcomes
issue to the candidates (« sert à l'édition des parchemins »)."""
import hashlib
import re

import pytest

from tests.pv.conftest import page, pdf_text, read_pdf

PASSWORD = "motdepasse-solide"
COMMITTEE = "certification@simplon.co"
STAGE_LABELS = [
    "Avant session (Partie 1 & 2 - noms candidats) par le responsable de session.",
    "Pendant délibération (Partie 2 - résultats) par le jury.",
    "Fin de session (Partie 1 - stats, Partie 3, Partie 4) par jury et/ou responsable de session.",
]
RNCP = [
    {"name": ("Martin", "Camille"), "outcome": "admis", "blocks": ["BC01", "BC02", "BC03"],
     "grid": {"blocks": ["BC01", "BC02", "BC03"]}},
    {"name": ("Durand", "Alex"), "outcome": "admission_partielle", "blocks": ["BC01"],
     "comment": "BC02 et BC03 à reprendre.", "grid": {"blocks": ["BC01"]}},
    {"name": ("Petit", "Sam"), "attendance": "absent", "outcome": "absent"},
]


def _stages(client, sid, headers):
    answer = client.get(f"/api/v1/sessions/{sid}/pv", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_stages_and_the_draft_before_the_session_then_during_the_deliberation(
        app, client, jury_session, clients, api_headers, create_user, create_admissible_dossier,
        create_jury_session, certifier_org):
    # before the session: no place yet, the names are set; the draft prints part 1 and the names, no results
    org = certifier_org("RNCP37827", name="Certificateur RNCP37827")
    manager = create_user("session_manager", organisation=org)
    ana = create_user("candidate", first_name="Ana", last_name="Lopez")
    sid = create_jury_session("RNCP37827", manager=manager, dossiers=[create_admissible_dossier(
        "RNCP37827", candidate=ana)], address="", title="Session de juin")
    headers = api_headers(manager)
    state = _stages(client, sid, headers)
    assert [s["label"] for s in state["stages"]] == STAGE_LABELS
    assert [s["complete"] for s in state["stages"]] == [False, False, False]
    assert any("l'adresse du lieu de la session" in m for m in state["stages"][0]["missing"])
    assert state["quality_committee"] == {"name": "Comité de Contrôle et de Conformité Qualité",
                                          "email": COMMITTEE, "state": "waiting", "at": None,
                                          "can_resend": False}
    from core.extensions import db
    from core.jury.models import JurySession

    with app.app_context():
        db.session.get(JurySession, sid).address = "12 rue de la Certification, 69002 Lyon"
        db.session.commit()
    assert [s["complete"] for s in _stages(client, sid, headers)["stages"]] == [True, False, False]
    # the session page (manager, draft session): the stages and the draft's link
    from tests.pv.conftest import page as read_page

    body = read_page(clients(manager).get(f"/sessions/{sid}"))
    assert "Renseignement du PV" in body and f"Étape complète : {STAGE_LABELS[0]}" in body
    assert f"Étape à compléter : {STAGE_LABELS[1]}" in body and f"/sessions/{sid}/pv/projet" in body
    draft = client.get(f"/api/v1/sessions/{sid}/pv/draft", headers=headers)
    assert draft.status_code == 200 and draft.headers["Content-Type"] == "application/pdf"
    assert draft.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(read_pdf(draft))
    assert "Projet – document non signé" in text and "PROCÈS VERBAL - DÉLIBÉRATION DU JURY" in text
    assert "12 rue de la Certification, 69002 Lyon" in text and "LOPEZ Ana" in text
    assert "1. Informations relatives à la session" in text
    assert "2. Résultats des délibérations de tous les candidats" in text
    assert "3. Informations relatives au jury, signature et cachet" in text
    assert "4. Informations relatives au responsable de session, signature et observations" in text
    assert "Nombre de candidats présents : –" in text and "Admis ou admise totalement" not in text.split(
        "Commentaires sur les blocs refusés")[-1]
    assert "Signatures électroniques" not in text  # no signature page on a draft
    # anyone else: 404
    stranger = create_user("juror")  # sits on no jury of this session
    assert client.get(f"/api/v1/sessions/{sid}/pv/draft", headers=api_headers(stranger)).status_code == 404

    # during the deliberation: attendance known, decisions still to record
    s = jury_session("RNCP37827", RNCP, decide=False)
    mgr = clients(s["manager"])
    state = _stages(client, s["session_id"], api_headers(s["manager"]))
    assert [x["complete"] for x in state["stages"]] == [True, False, False]
    assert "Camille Martin : aucune décision du jury n'est enregistrée." in state["stages"][1]["missing"]
    body = page(mgr.get(f"/sessions/{s['session_id']}/pv"))
    assert "Renseignement du PV" in body and all(label in body for label in STAGE_LABELS)
    assert "Étape complète" in body and "Étape à compléter" in body
    assert "3. Informations relatives au jury, signature et cachet" in body
    inline = mgr.get(f"/sessions/{s['session_id']}/pv/projet")
    assert inline.status_code == 200 and inline.headers["Content-Disposition"].startswith("inline")
    text = pdf_text(read_pdf(inline))
    assert "Projet" in text and "MARTIN Camille" in text and "DURAND Alex" in text


def _fail_committee_once(app, monkeypatch):
    """The mailer refuses the first e-mail to the committee (an SMTP outage), then works again."""
    mailer = app.extensions["livret"].mailer
    real, calls = mailer.send, []

    def send(message):
        if COMMITTEE in message["To"] and not calls:
            calls.append(message)
            raise OSError("SMTP unavailable")
        return real(message)

    monkeypatch.setattr(mailer, "send", send)
    return calls


@pytest.mark.usefixtures("signing_env")
def test_sealed_pv_and_grids_go_to_the_committee_and_the_outcomes_issue_their_documents(
        app, client, jury_session, clients, api_headers, outbox, monkeypatch):
    s = jury_session("RNCP37827", RNCP)
    sid, manager = s["session_id"], s["manager"]
    failed = _fail_committee_once(app, monkeypatch)
    mgr = clients(manager)
    assert mgr.post(f"/sessions/{sid}/pv").status_code == 302
    for user in s["jurors"] + [manager]:
        assert clients(user).post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302

    # the e-mail failed: the session is closed all the same, the page shows the failure and « Renvoyer »
    assert len(failed) == 1
    state = _stages(client, sid, api_headers(manager))
    assert state["session_status"] == "closed" and [x["complete"] for x in state["stages"]] == [True, True, True]
    assert state["quality_committee"]["state"] == "failed" and state["quality_committee"]["can_resend"] is True
    body = page(mgr.get(f"/sessions/{sid}/pv"))
    assert ("L'envoi au Comité de Contrôle et de Conformité Qualité (certification@simplon.co) a échoué" in body
            and "Renvoyer" in body)
    juror_page = page(clients(s["jurors"][0]).get(f"/sessions/{sid}/pv"))
    assert "a échoué" in juror_page and ">Renvoyer<" not in juror_page  # the manager sends, not the jurors
    assert not [m for m in outbox() if m["To"] == COMMITTEE]

    # « Renvoyer », posted from the page with its token: sent, and recorded
    resent = mgr.post(f"/sessions/{sid}/pv/comite-qualite", page=f"/sessions/{sid}/pv")
    assert resent.status_code == 302
    body = page(mgr.get(resent.headers["Location"]))
    assert "renvoyés au Comité de Contrôle et de Conformité Qualité" in body
    assert re.search(r"Transmis au Comité de Contrôle et de Conformité Qualité le \d", body)
    assert ">Renvoyer<" not in body
    committee = [m for m in outbox() if m["To"] == COMMITTEE]
    assert len(committee) == 1
    mail = committee[0]
    assert mail["Subject"].startswith("Procès-verbal de jury et grilles d'évaluation individuelle signés – RNCP37827")
    assert "Comité de Contrôle et de Conformité Qualité" in mail.get_body(("plain",)).get_content()

    # the attachments are the sealed bytes: the PV and both grids, SHA-256 equal to the issued documents
    from core.dossiers.models import Document
    from core.extensions import db
    from core.jury.models import SignedDocument

    with app.app_context():
        issued = {d.document.sha256: d.document.kind for d in db.session.query(SignedDocument).filter_by(
            session_id=sid) if d.document is not None}
    attached = [hashlib.sha256(p.get_payload(decode=True)).hexdigest() for p in mail.iter_attachments()]
    assert sorted(attached) == sorted(issued) and sorted(issued.values()) == ["jury_grid", "jury_grid", "jury_pv"]

    # the API: the state, and the resending (the session manager only)
    state = _stages(client, sid, api_headers(manager))["quality_committee"]
    assert state["state"] == "sent" and state["at"]
    again = client.post(f"/api/v1/sessions/{sid}/pv/quality-committee", headers=api_headers(manager))
    assert again.status_code == 200 and again.json["state"] == "sent"
    assert len([m for m in outbox() if m["To"] == COMMITTEE]) == 2
    juror = client.post(f"/api/v1/sessions/{sid}/pv/quality-committee", headers=api_headers(s["jurors"][0]))
    assert juror.status_code == 404
    from core.audit.models import AuditEvent

    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).filter_by(object_type="jury_session",
                                                                             object_id=str(sid))]
    assert actions.count("pv.quality_committee_failed") == 1 and actions.count("pv.quality_committee_sent") == 2

    # « Admis »: the sealed decision from which the parchment is issued; « Admission partielle »: the attestation
    by_to = {m["To"]: m for m in outbox()}
    assert s["candidates"][2].email not in by_to  # absent: nothing
    record = [p for p in by_to[s["candidates"][0].email].iter_attachments()][0].get_payload(decode=True)
    text = pdf_text(record)
    assert "Relevé de décision – édition du parchemin" in text and "Camille Martin" in text
    assert "RNCP37827 – Développeur en intelligence artificielle" in text and "Admis" in text
    assert all(code in text for code in ("RNCP37827BC01", "RNCP37827BC02", "RNCP37827BC03"))
    assert "http://localhost/verifier" in re.sub(r"\s+", "", text)
    attestation = [p for p in by_to[s["candidates"][1].email].iter_attachments()][0].get_payload(decode=True)
    text = pdf_text(attestation)
    assert "Attestation de validation de blocs de compétences" in text and "Alex Durand" in text
    assert "RNCP37827BC01" in text and "RNCP37827BC02" not in text and "Admission partielle" in text
    report = client.post("/api/v1/verify", data={"file": (__import__("io").BytesIO(attestation), "a.pdf")},
                         content_type="multipart/form-data").json
    assert report["valid"] is True and report["platform"]["issued"] is True

    # listed in the candidates' documents (API), the bytes sent are the sealed document's
    with app.app_context():
        kinds = {d.kind: (d.dossier_id, d.sha256) for d in db.session.query(Document).filter(
            Document.kind.in_(["parchment_record", "blocks_attestation"]))}
    assert kinds["parchment_record"] == (s["dossier_ids"][0], hashlib.sha256(record).hexdigest())
    assert kinds["blocks_attestation"] == (s["dossier_ids"][1], hashlib.sha256(attestation).hexdigest())
    listing = client.get("/api/v1/documents?kind=blocks_attestation", headers=api_headers(s["candidates"][1]))
    assert [d["kind"] for d in listing.json["items"]] == ["blocks_attestation"]
    assert client.get("/api/v1/documents?kind=blocks_attestation",
                      headers=api_headers(s["candidates"][0])).json["items"] == []
    seen = client.get(f"/api/v1/documents?session_id={sid}", headers=api_headers(manager)).json["items"]
    assert {"parchment_record", "blocks_attestation"} <= {d["kind"] for d in seen}
    result = client.get(f"/api/v1/dossiers/{s['dossier_ids'][0]}/result", headers=api_headers(s["candidates"][0]))
    assert result.status_code == 200, result.json
    assert "parchment_record" in str(result.json)


def test_a_certification_without_a_committee_has_no_transmission(app, client, jury_session, api_headers, clients):
    s = jury_session("RS6776", [{"name": ("Leroy", "Inès"), "outcome": "acquise"}])
    headers = api_headers(s["manager"])
    assert _stages(client, s["session_id"], headers)["quality_committee"] is None
    refused = client.post(f"/api/v1/sessions/{s['session_id']}/pv/quality-committee", headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "no_quality_committee"
    assert "comité qualité" in refused.json["error"]["message"]
    assert "Transmission au" not in page(clients(s["manager"]).get(f"/sessions/{s['session_id']}/pv"))


def test_rncp37827_declares_which_outcome_issues_which_document_and_rs6776_none(app):
    from core.certifications.services import get_certification
    from core.pv import committee, outcome_documents

    with app.app_context():
        rncp, rs = get_certification("RNCP37827"), get_certification("RS6776")
        outcomes = {o.code for o in rncp.rules.outcomes}
        declared = {d["outcome"]: d["kind"] for d in rncp.extra["outcome_documents"]}
        assert declared == {"admis": "parchment_record", "admission_partielle": "blocks_attestation"}
        assert set(declared) <= outcomes and set(declared.values()) <= set(outcome_documents.KINDS)
        assert outcome_documents.spec_for(rncp, "non_admis") is None
        assert all(outcome_documents.spec_for(rs, o.code) is None for o in rs.rules.outcomes)
        assert committee.committee_of(rncp) == {"name": "Comité de Contrôle et de Conformité Qualité",
                                                "email": "certification@simplon.co"}
        assert committee.committee_of(rs) is None
