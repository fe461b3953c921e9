"""The whole story, as the session manager and two jurors live it: generate, sign, seal, correct.

Two full sealing flows only (each final seal is a B-LTA signature): RNCP37827 (with a
corrective PV) and RS6776 (certificate e-mail). Refusals are tested in test_pv_rules.py.
"""
import io
import re

from tests.pv.conftest import attachment_pdf, check_with_pdfsig, deliveries, page, pdf_lines, pdf_text, read_pdf

PASSWORD = "motdepasse-solide"

RNCP = [
    {"name": ("Martin", "Camille"), "outcome": "admis", "blocks": ["BC01", "BC02", "BC03"],
     "grid": {"blocks": ["BC01", "BC02", "BC03"], "comment": "Extraction des données solide."}},
    {"name": ("Durand", "Alex"), "outcome": "admission_partielle", "blocks": ["BC01"],
     "comment": "BC02 et BC03 à reprendre : service d'IA non exposé.", "grid": {"blocks": ["BC01"]}},
    {"name": ("Petit", "Sam"), "attendance": "absent", "outcome": "absent"},
]


def _docs(app, session_id):
    from core.extensions import db
    from core.jury.models import SignedDocument

    with app.app_context():
        rows = db.session.query(SignedDocument).filter_by(session_id=session_id).order_by(SignedDocument.id).all()
        return [{"id": d.id, "kind": d.kind, "number": d.number, "status": d.status.value,
                 "replaces_id": d.replaces_id, "document_id": d.document_id, "candidate_id": d.candidate_id,
                 "signatures": [s["field"] for s in d.signatures], "storage_key": d.storage_key} for d in rows]


def _issued(app, document_id):
    from core.extensions import db
    from core.dossiers.models import Document
    from core.pv.services import read_bytes

    with app.app_context():
        doc = db.session.get(Document, document_id)
        return {"kind": doc.kind, "dossier_id": doc.dossier_id, "sha256": doc.sha256,
                "data": read_bytes(doc.storage_key)}


def _line(lines, label):
    return next(line for line in lines if line.startswith(label))


def test_rncp37827_pv_signed_by_both_jurors_and_the_manager_then_sealed_and_corrected(
        app, client, jury_session, clients, api_headers, outbox, webhook_endpoint, tmp_path):
    s = jury_session("RNCP37827", RNCP)
    sid, manager, (juror1, juror2) = s["session_id"], s["manager"], s["jurors"]
    endpoint = webhook_endpoint(s["org"])
    mgr = clients(manager)

    # the session manager sees what the PV needs, then generates it
    assert "Générer le procès-verbal et les grilles" in page(mgr.get(f"/sessions/{sid}/pv"))
    response = mgr.post(f"/sessions/{sid}/pv")
    assert response.status_code == 302
    assert "ont été générés et certifiés" in page(mgr.get(response.headers["Location"]))
    docs = _docs(app, sid)
    pv = next(d for d in docs if d["kind"] == "pv")
    grids = [d for d in docs if d["kind"] == "grid"]
    assert len(grids) == 2 and all(d["status"] == "signing" for d in docs)  # present candidates only

    # the PV (read in the browser): session information, counts from the decisions, results, jury, observations
    inline = mgr.get(f"/sessions/{sid}/documents/{pv['id']}/lire")
    assert inline.status_code == 200 and inline.headers["Content-Disposition"].startswith("inline")
    assert inline.headers["X-Content-Type-Options"] == "nosniff" and inline.headers["Cache-Control"] == "no-store"
    lines = pdf_lines(read_pdf(inline))
    text = " ".join(lines)
    assert "PROCÈS VERBAL - DÉLIBÉRATION DU JURY" in text
    assert "RNCP37827" in text and "Développeur en intelligence artificielle" in text
    assert _line(lines, "Nombre de candidats présents").endswith(": 2")
    assert _line(lines, "Nombre de candidats absents").endswith(": 1")
    assert _line(lines, "Nombre de candidats admis totalement").endswith(": 1")
    assert _line(lines, "Nombre de candidats admis partiellement").endswith(": 1")
    assert _line(lines, "Nombre de candidats refusés").endswith(": 0")
    assert re.search(r"MARTIN Camille VAE Admis ou admise totalement", text)
    # « Admis ou admise partiellement » wraps in its cell: the extracted text may put the last word elsewhere
    assert re.search(r"DURAND Alex VAE Admis ou admise (partiellement )?Blocs non validés : BC02", text)
    assert "partiellement" in text
    assert re.search(r"PETIT Sam VAE Absent ou absente", text)
    assert "JURÉ Jules" in text and "JURÉE Julie" in text and "Entreprise extérieure" in text
    assert "Session sans incident." in text and "Régine Responsable" in text
    assert "qui n'a pas de voix délibérative" in text

    # the grid of the partially admitted candidate (Annexe 3): criteria with how many jurors met them, the decision
    grid_text = pdf_text(read_pdf(mgr.get(f"/sessions/{sid}/documents/{grids[1]['id']}/telecharger")))
    assert "Grille d'évaluation individuelle" in grid_text and "DURAND" in grid_text
    assert "Jugé satisfait" in grid_text and "2 sur 2" in grid_text and "0 sur 2" in grid_text
    assert "Décision du jury" in grid_text and "Admission partielle" in grid_text
    assert "BC02 et BC03 à reprendre" in grid_text
    assert "Date et signatures de l'ensemble des membres du jury" in grid_text
    flat = " ".join(grid_text.split())  # Annexe 3: each épreuve's deliverable and assessment after its competencies
    assert "Livrable (pour E1 global) : Rapport professionnel individuel" in flat
    assert "Évaluation (pour E1 global) : Correction du rapport professionnel, Soutenance orale individuelle" in flat
    assert flat.index("Évaluation (pour E1 global)") > flat.index("C5.") and "Livrable (pour E5 global)" in flat

    # the manager may not sign before the jurors
    refused = client.post(f"/api/v1/sessions/{sid}/pv/{pv['id']}/sign", json={"password": PASSWORD},
                          headers=api_headers(manager))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_your_turn"
    assert "après l'ensemble des membres du jury" in refused.json["error"]["message"]
    assert "Aucun document n'attend votre signature" in page(mgr.get(f"/sessions/{sid}/signatures"))

    # juror 1 signs everything on one page with one password
    j1 = clients(juror1)
    listing = page(j1.get(f"/sessions/{sid}/signatures"))
    assert "Signer les 3 documents" in listing and "Grille d'évaluation de Camille Martin" in listing
    wrong = j1.post(f"/sessions/{sid}/signatures", data={"password": "pas le bon"})
    assert wrong.status_code == 422 and "Mot de passe incorrect" in page(wrong)
    assert all(d["signatures"] == [] for d in _docs(app, sid))
    done = j1.post(f"/sessions/{sid}/signatures", data={"password": PASSWORD})
    assert done.status_code == 302
    assert all(d["signatures"] == ["Jure1"] for d in _docs(app, sid))

    # juror 2 signs through the API: the grids then the PV
    headers2 = api_headers(juror2)
    for grid in grids:
        signed = client.post(f"/api/v1/sessions/{sid}/documents/{grid['id']}/sign", json={"password": PASSWORD},
                             headers=headers2)
        assert signed.status_code == 200, signed.json
        assert signed.json["status"] == "sealed" and signed.json["document_id"]
    signed = client.post(f"/api/v1/sessions/{sid}/pv/{pv['id']}/sign", json={"password": PASSWORD},
                         headers=headers2)
    assert signed.status_code == 200 and signed.json["status"] == "signing"
    assert signed.json["waiting_for"] == [manager.id]

    # the manager signs last, on the page: the PV is sealed, the session closed, the dossiers decided
    assert "Signer le document" in page(mgr.get(f"/sessions/{sid}/signatures"))
    assert mgr.post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302
    state = client.get(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager)).json
    sealed = state["items"][0]
    assert sealed["status"] == "sealed" and sealed["sealed_at"] and state["session_status"] == "closed"
    assert [p["signed_at"] is not None for p in sealed["planned"]] == [True, True, True]
    assert [s["field"] for s in sealed["signatures"]] == ["Jure1", "Jure2", "Responsable"]
    _check_closed(app, s)

    # pdfsig: the certification seal, both jurors, the manager and the final seal, all valid and trusted
    issued = _issued(app, sealed["document_id"])
    assert issued["kind"] == "jury_pv" and issued["dossier_id"] is None
    sigs = check_with_pdfsig(app, tmp_path, issued["data"], "pv")
    assert [s["Signature Field Name"] for s in sigs] == ["Certification", "Jure1", "Jure2", "Responsable", "Cachet"]
    assert all(s["Signature Validation"] == "Signature is Valid." for s in sigs), sigs
    assert all(s["Certificate Validation"] == "Certificate is Trusted." for s in sigs), sigs
    assert [s["Signer Certificate Common Name"] for s in sigs][1:4] == ["Jules Juré", "Julie Jurée",
                                                                        "Régine Responsable"]
    from core.sealing.testing import qpdf_check

    (tmp_path / "sealed.pdf").write_bytes(issued["data"])
    assert qpdf_check(tmp_path / "sealed.pdf").returncode == 0
    report = client.post("/api/v1/verify", data={"file": (io.BytesIO(issued["data"]), "pv.pdf")},
                         content_type="multipart/form-data").json
    assert report["valid"] is True and report["platform"]["issued"] is True

    # immutable: no signature on a sealed PV, whoever asks
    again = client.post(f"/api/v1/sessions/{sid}/pv/{pv['id']}/sign", json={"password": PASSWORD},
                        headers=headers2)
    assert again.status_code == 409 and again.json["error"]["code"] == "document_sealed"
    assert "Signé et scellé" in again.json["error"]["message"]

    # the sealed grid belongs to the candidate's dossier documents
    grid_doc = _issued(app, _docs(app, sid)[0]["document_id"])
    assert grid_doc["kind"] == "jury_grid" and grid_doc["dossier_id"] == s["dossier_ids"][0]

    # webhooks: one decision.sealed per decision, then pv.sealed with the counts
    events = deliveries(app, endpoint)
    assert [e for e, _p in events] == ["decision.sealed"] * 3 + ["pv.sealed"]
    partial = next(p for e, p in events if e == "decision.sealed" and p["outcome"] == "admission_partielle")
    assert partial["validated_blocks"] == ["BC01"] and partial["category"] == "partial"
    assert partial["reference"] == s["dossiers"][1].reference
    assert events[-1][1]["counts"] == {"present": 2, "absent": 1, "admitted_totally": 1, "admitted_partially": 1,
                                       "refused": 0}

    # RNCP37827: each present candidate gets the document their outcome issues (« Admis »: the decision from
    # which the parchment is issued; « Admission partielle »: the attestation of the validated blocks), none
    # to the absent one; the quality committee gets the sealed PV and grids (tests/pv/test_pv_stages_committee.py)
    mails = outbox()
    to = sorted(m["To"] for m in mails)
    assert to == sorted([s["candidates"][0].email, s["candidates"][1].email, "certification@simplon.co"])
    subjects = {m["To"]: m["Subject"] for m in mails}
    assert subjects[s["candidates"][0].email] == ("Décision du jury : Relevé de décision – édition du parchemin "
                                                  "– RNCP37827")
    assert subjects[s["candidates"][1].email] == ("Décision du jury : Attestation de validation de blocs de "
                                                  "compétences – RNCP37827")

    _correct(app, client, s, mgr, api_headers, sealed, issued, grids)


def _check_closed(app, s):
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    with app.app_context():
        session = db.session.get(JurySession, s["session_id"])
        assert session.status is SessionStatus.CLOSED and session.closed_at is not None
        assert all(c.decision.sealed_at is not None for c in session.candidates)
        assert all(db.session.get(Dossier, d).status is DossierStatus.DECIDED for d in s["dossier_ids"])


def _amend(app, candidate_id, outcome, blocks, recorded_by):
    """What the deliberation does during a correction: a new decision supersedes the old one."""
    from core.auth.models import utcnow
    from core.extensions import db
    from core.jury.models import JuryDecision, SessionCandidate

    with app.app_context():
        candidate = db.session.get(SessionCandidate, candidate_id)
        old = candidate.decision
        old.superseded_at = utcnow()
        db.session.add(JuryDecision(candidate_id=candidate_id, outcome=outcome, validated_blocks=blocks,
                                    consolidation=old.consolidation, computed_outcome=outcome,
                                    recorded_by_id=recorded_by.id, comment="Erreur de report corrigée."))
        db.session.commit()


def _correct(app, client, s, mgr, api_headers, sealed, issued, grids):
    sid, manager = s["session_id"], s["manager"]
    # a reason is required, then the correction opens
    empty = mgr.post(f"/sessions/{sid}/pv/correction", data={"reason": "", "password": PASSWORD})
    assert empty.status_code == 422 and "Indiquez le motif de la correction" in page(empty)
    opened = mgr.post(f"/sessions/{sid}/pv/correction",
                      data={"reason": "Le bloc BC02 d'Alex Durand a été mal reporté.", "password": PASSWORD})
    assert opened.status_code == 302
    _amend(app, s["candidate_ids"][1], "admission_partielle", ["BC01", "BC02"], s["jurors"][0])

    generated = client.post(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager))
    assert generated.status_code == 201, generated.json
    new_pv = generated.json["pv"]
    assert new_pv["number"] == 2 and new_pv["replaces_id"] == sealed["id"]
    assert [g["candidate_id"] for g in generated.json["grids"]] == [s["candidate_ids"][1]]  # changed decision only
    assert generated.json["grids"][0]["replaces_id"] == grids[1]["id"]
    text = pdf_text(read_pdf(client.get(new_pv["links"]["content"], headers=api_headers(manager))))
    assert (f"Procès-verbal rectificatif n° 2, remplace le procès-verbal n° 1 (empreinte SHA-256 "
            f"{issued['sha256']})") in text
    assert "Le bloc BC02 d'Alex Durand a été mal reporté." in text

    for user in s["jurors"] + [manager]:
        headers = api_headers(user)
        for doc in [*generated.json["grids"], new_pv] if user is not manager else [new_pv]:
            response = client.post(doc["links"]["sign"], json={"password": PASSWORD}, headers=headers)
            assert response.status_code == 200, response.json
    state = client.get(f"/api/v1/sessions/{sid}/pv", headers=api_headers(manager)).json
    assert [(p["number"], p["status"]) for p in state["items"]] == [(1, "replaced"), (2, "sealed")]
    assert state["session_status"] == "closed" and state["correction_in_progress"] is False
    statuses = {g["id"]: g["status"] for g in state["grids"]}
    assert statuses[grids[1]["id"]] == "replaced" and statuses[grids[0]["id"]] == "sealed"


def test_rs6776_success_gets_a_sealed_certificate_and_failure_no_email(
        app, client, jury_session, clients, outbox, tmp_path):
    s = jury_session("RS6776", [
        {"name": ("Leroy", "Inès"), "outcome": "acquise", "grid": {"marks": 4.0, "oral": 15.0},
         "marks": {f"C{n}": 4.0 for n in range(1, 7)}, "scores": {"ORAL": 15.0},
         "acquired": [f"C{n}" for n in range(1, 7)]},
        {"name": ("Morel", "Hugo"), "outcome": "non_acquise", "grid": {"marks": 3.0, "oral": 8.0},
         "marks": {f"C{n}": 3.0 for n in range(1, 7)}, "scores": {"ORAL": 8.0}, "retake": True,
         "comment": "Compétences non acquises ; oral éliminatoire."},
    ])
    sid = s["session_id"]
    mgr = clients(s["manager"])
    assert mgr.post(f"/sessions/{sid}/pv").status_code == 302
    pv = next(d for d in _docs(app, sid) if d["kind"] == "pv")
    lines = pdf_lines(read_pdf(mgr.get(f"/sessions/{sid}/documents/{pv['id']}/lire")))
    assert _line(lines, "Nombre de candidats présents").endswith(": 2")
    assert _line(lines, "Nombre de candidats admis totalement").endswith(": 1")
    assert _line(lines, "Nombre de candidats refusés").endswith(": 1")
    grid = next(d for d in _docs(app, sid) if d["kind"] == "grid" and d["candidate_id"] == s["candidate_ids"][1])
    grid_text = pdf_text(read_pdf(mgr.get(f"/sessions/{sid}/documents/{grid['id']}/lire")))
    assert "Note retenue" in grid_text and "Non acquise" in grid_text
    assert "8 / 20" in grid_text and "Note éliminatoire" in grid_text and "(inférieure à 10)" in grid_text
    assert "acquise à partir de 3,5" in grid_text
    assert "Certification non obtenue" in grid_text and "Rattrapage possible jusqu'au" in grid_text

    for user in s["jurors"] + [s["manager"]]:
        assert clients(user).post(f"/sessions/{sid}/signatures", data={"password": PASSWORD}).status_code == 302
    assert all(d["status"] == "sealed" for d in _docs(app, sid))

    mails = outbox()
    assert [m["To"] for m in mails] == [s["candidates"][0].email]  # the failing candidate gets nothing
    mail = mails[0]
    assert mail["Subject"].startswith("Certification obtenue : RS6776")
    certificate = attachment_pdf(mail)
    assert certificate is not None
    text = pdf_text(certificate)
    assert "Inès Leroy" in text and "RS6776" in text and "délivrée par Inkréa Certifications" in text
    assert "http://localhost/verifier" in re.sub(r"\s+", "", text)
    report = client.post("/api/v1/verify", data={"file": (io.BytesIO(certificate), "certificat.pdf")},
                         content_type="multipart/form-data").json
    assert report["valid"] is True and report["platform"]["issued"] is True
    sigs = check_with_pdfsig(app, tmp_path, certificate, "certificate")
    assert sigs and all(s["Certificate Validation"] == "Certificate is Trusted." for s in sigs)

    from core.dossiers.models import Document
    from core.extensions import db

    with app.app_context():
        kinds = {d.dossier_id: d.kind for d in db.session.query(Document).filter_by(kind="certificate")}
    assert kinds == {s["dossier_ids"][0]: "certificate"}
