"""Issue 13, « Done when »: the Python client of docs/api.md, run as written against a live platform.

A werkzeug server in this process serves the real application (SQLite file, development PKI and its
local TSA, CSRF and rate limits on, the demo accounts of ``livret demo``). The client code is extracted
from docs/api.md and imported as a module, untouched. With it, and nothing but HTTP:

- a candidate of each reference certification signs up, confirms the address with the e-mailed link's
  token, gets a token with the password, opens a dossier, fills it from the section JSON Schemas,
  attaches the evidence and signs the submission;
- the certifier's staff (demo accounts, tokens from their passwords) record the fee, ask for a
  correction then declare the dossier admissible (RNCP37827);
- the session manager plans a session, the jurors declare they have no link with the candidates and
  grade, the jury decides, everybody signs the PV and the grids, the platform seals them;
- the candidate reads the result and downloads every document issued to them; the session manager every
  document of the session; each download's bytes equal the SHA-256 and size the API listed, and its
  ``ETag`` and ``Content-Digest`` headers (the client refuses anything else);
- every request the client made is an operation of the OpenAPI document.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from core.sealing.testing import signing_env  # noqa: F401 - the shared signing fixture

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"<!-- example: livret_client\.py -->\s*```python\n(.*?)```\s*<!-- end example -->", re.S)
PASSWORD = "un mot de passe de candidat assez long"
STAFF = {  # demo accounts (core/demo.py)
    "RNCP37827": {"staff": ("equipe@demo.livret.fr", "demo-equipe-2026"),
                  "manager": ("responsable@demo.livret.fr", "demo-responsable-2026")},
    "RS6776": {"staff": ("inkrea@demo.livret.fr", "demo-inkrea-2026"),
               "manager": ("responsable.inkrea@demo.livret.fr", "demo-responsable2-2026")},
}
JURORS = (("jure@demo.livret.fr", "demo-jure-2026"), ("jure2@demo.livret.fr", "demo-jure2-2026"))


@pytest.fixture(scope="module")
def client_module(tmp_path_factory):
    """The code block of docs/api.md, written to a file and imported: what a reader would copy."""
    found = BLOCK.search(DOCS.read_text(encoding="utf-8"))
    assert found, "docs/api.md lost its livret_client.py example"
    path = tmp_path_factory.mktemp("client") / "livret_client.py"
    path.write_text(found.group(1), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("livret_client_example", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def platform(tmp_path_factory, signing_env):  # noqa: F811 - the shared signing fixture
    from core.testing import live_platform

    with live_platform(tmp_path_factory.mktemp("client-live"), signing_env, "livret-client-example") as app:
        app.api_url = app.live_url + "/api/v1"
        yield app


def confirmation_token(app):
    """The token of the confirmation link last e-mailed to an address (read from the outbox)."""
    def read(email: str) -> str:
        for message in reversed(app.extensions["livret"].mailer.messages()):
            if email in message["To"]:
                body = message.get_body(("plain",)).get_content()
                return re.search(r"/verification/([A-Za-z0-9._~-]+)", body).group(1)
        raise AssertionError(f"no e-mail to {email}")
    return read


def _iso(value):
    if isinstance(value, str) and re.fullmatch(r"\d\d/\d\d/\d{4}", value):
        return dt.datetime.strptime(value, "%d/%m/%Y").date().isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def rncp37827_sections(first: str, last: str, email: str) -> dict:
    from livret_rncp37827.testing import complete_sections

    return _iso(complete_sections(last_name=last, first_names=first, email=email))


def rs6776_sections(first: str, last: str, email: str) -> dict:
    today = dt.date.today()
    answers = {
        1: "Pour la newsletter de l'office de tourisme, j'ai rédigé un prompt précisant le public, le ton et "
           "les contraintes de longueur, puis j'ai relu et corrigé chaque proposition avant publication.",
        2: "J'ai vérifié les faits cités par l'outil auprès des sources officielles et supprimé deux "
           "affirmations inventées ; la version finale mentionne l'usage de l'IA.",
        3: "Pour l'affiche de la fête de quartier, j'ai généré trois visuels en décrivant la charte graphique, "
           "retenu le plus lisible et retouché le texte pour qu'il soit accessible.",
        4: "J'ai contrôlé les droits d'utilisation des images générées et écarté celles qui imitaient le style "
           "d'un illustrateur identifiable, conformément aux conditions de l'outil.",
        5: "Aucune donnée personnelle des adhérents n'a été transmise à l'outil : j'ai anonymisé les "
           "témoignages avant de demander un résumé, et documenté la démarche.",
        6: "J'ai mesuré l'intérêt de l'IA : deux heures gagnées par newsletter ; j'ai présenté à l'équipe une "
           "charte d'usage responsable et les limites constatées.",
    }
    cited = {1: "1", 2: "1", 3: "2", 4: "2", 5: "1", 6: "1, 2"}
    return {
        "etat_civil": {
            "civilite": "monsieur", "nom_famille": last, "prenoms": first, "nom_usage": "",
            "date_naissance": "1996-05-21", "lieu_naissance": "Nantes (44)", "nationalite": "Française",
            "adresse": "4 allée des Tilleuls", "code_postal": "44000", "commune": "Nantes", "pays": "France",
            "email": email, "telephone_portable": "07 98 76 54 32", "telephone_domicile": ""},
        "formation": {"organisme": "Inkréa Formation", "intitule": "Créer des contenus avec l'IA générative",
                      "date_debut": (today - dt.timedelta(days=40)).isoformat(),
                      "date_fin": (today - dt.timedelta(days=5)).isoformat(), "numero_cpf": ""},
        "epreuve_ecrite": {key: value for n in range(1, 7)
                           for key, value in ((f"c{n}_reponse", answers[n]), (f"c{n}_preuves", cited[n]))},
        "declaration_honneur": {"connaissance_fraudes": True, "exactitude": True, "fait_a": "Nantes",
                                "date": today.isoformat(), "nom_prenom": f"{last} {first}"},
    }


def _pdf(path: Path, title: str) -> Path:
    from weasyprint import HTML

    HTML(string=f"<html lang='fr'><head><meta charset='utf-8'><title>{title}</title></head>"
                f"<body><h1>{title}</h1><p>Pièce déposée par le client de l'API.</p></body></html>"
         ).write_pdf(str(path))
    return path


def _staff(lc, platform, code: str, who: str):
    client = lc.Livret(platform.api_url)
    client.sign_in(*STAFF[code][who])
    return client


def _admissible(lc, platform, code: str, dossier_id: int, me, sections: dict) -> list:
    """The certifier records the fee (RNCP37827), asks for a correction, the candidate corrects and submits
    again, the dossier is declared admissible. Returns the staff clients used."""
    staff = _staff(lc, platform, code, "staff")
    password = STAFF[code]["staff"][1]
    route = next(r for r in staff.get(f"/certifications/{code}")["routes"] if r["code"] == me.get(
        f"/dossiers/{dossier_id}")["route"])
    if not route["admissibility_review"]:  # RS6776: no recevabilité, admissible as soon as submitted
        assert me.get(f"/dossiers/{dossier_id}")["status"] == "admissible"
        with pytest.raises(lc.LivretError) as refused:  # nothing to decide
            staff.post(f"/backoffice/dossiers/{dossier_id}/decision", json={"kind": "admissible", "password": password})
        assert refused.value.status == 409, refused.value
        return [staff]
    fee = staff.get(f"/dossiers/{dossier_id}/fee")
    if fee.get("amount_cents"):
        staff.post(f"/dossiers/{dossier_id}/fee/payments",
                   json={"amount_cents": fee["amount_cents"], "note": "virement de l'employeur"})
    staff.post(f"/backoffice/dossiers/{dossier_id}/notes", json={"text": "Lettre à préciser."})
    asked = staff.post(f"/backoffice/dossiers/{dossier_id}/decision", json={
        "kind": "corrections", "password": password,
        "items": [{"message": "Précisez le contexte de votre expérience.", "section": "lettre_motivation"
                   if "lettre_motivation" in sections else "etat_civil"}]})
    assert asked["status"] == "corrections_requested"
    key = "lettre_motivation" if "lettre_motivation" in sections else "etat_civil"
    data = dict(sections[key])
    if key == "lettre_motivation":
        data["lettre"] += " J'ai mené ces projets au sein d'une équipe de six personnes."
    else:
        data["lieu_naissance"] = "Nantes (Loire-Atlantique)"
    me.put(f"/dossiers/{dossier_id}/sections/{key}", json=data)
    again = me.post(f"/dossiers/{dossier_id}/submit", json={"password": PASSWORD})
    assert again["version"]["number"] == 2
    decided = staff.post(f"/backoffice/dossiers/{dossier_id}/decision",
                         json={"kind": "admissible", "password": password})
    assert decided["status"] == "admissible"
    return [staff]


def _jury(lc, platform, code: str, dossier_id: int):
    """Plan, compose, open, grade, decide, sign and seal; returns the manager's client and the session id."""
    manager = _staff(lc, platform, code, "manager")
    jurors = []
    for email, password in JURORS:
        juror = lc.Livret(platform.api_url)
        juror.sign_in(email, password)
        jurors.append((juror, password))
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).replace(hour=9, minute=0, second=0,
                                                                                microsecond=0)
    session = manager.post("/sessions", json={
        "certification": code, "title": f"Session {code} du client Python", "starts_at": starts.isoformat(),
        "address": "12 rue de la Certification, 69002 Lyon", "manager_position": "Responsable de session"})
    sid = session["id"]
    candidate = manager.post(f"/sessions/{sid}/candidates", json={"dossier_id": dossier_id})["id"]
    for i, (email, _password) in enumerate(JURORS):
        manager.post(f"/sessions/{sid}/jurors", json={
            "email": email, "position": "Professionnelle du secteur", "company": f"Entreprise {i}",
            "professional": True, "experience_years": 6, "external": True})
    for juror, _password in jurors:
        juror.put(f"/sessions/{sid}/declarations", json={"declarations": [
            {"candidate_id": candidate, "no_link": True, "no_training": True}]})
    manager.post(f"/sessions/{sid}/open")
    manager.put(f"/sessions/{sid}/attendance", json={"attendance": [
        {"candidate_id": candidate, "attendance": "present"}]})
    # the referential as the API publishes it (blocks → competencies → criteria), nothing read in-process
    cert = manager.get(f"/certifications/{code}")
    blocks = [b["code"] for b in cert["blocks"]]
    competencies = [c["code"] for b in cert["blocks"] for c in b["competencies"]]
    criteria = {c["code"]: "met" for b in cert["blocks"] for comp in b["competencies"] for c in comp["criteria"]}
    if code == "RNCP37827":
        grading = {"criteria": criteria, "blocks": {b: "validated" for b in blocks}, "proposal": "admis"}
        decision = {"outcome": "admis", "validated_blocks": blocks, "vae_outcome": "validation_totale_titre"}
    else:
        grading = {"competencies": {c: {"mark": "4,5"} for c in competencies}, "scores": {"ORAL": 15},
                   "proposal": "acquise"}
        decision = {"outcome": "acquise", "marks": {c: 4.5 for c in competencies}, "scores": {"ORAL": 15}}
    for juror, _password in jurors:
        grid = juror.get(f"/sessions/{sid}/candidates/{candidate}/grid")
        juror.put(f"/sessions/{sid}/candidates/{candidate}/grid", json=dict(grading, revision=grid["revision"]))
        juror.post(f"/sessions/{sid}/candidates/{candidate}/grid/complete", json={})
    jurors[0][0].post(f"/sessions/{sid}/candidates/{candidate}/decision", json=decision)
    manager.post(f"/sessions/{sid}/pv")
    for juror, password in jurors:
        signed = juror.post(f"/sessions/{sid}/signatures", json={"password": password})
        assert signed["signed"], signed
    manager.post(f"/sessions/{sid}/signatures", json={"password": STAFF[code]["manager"][1]})
    assert manager.get(f"/sessions/{sid}")["status"] == "closed"
    return manager, sid


def _pdf_text(data) -> str:
    import subprocess

    if isinstance(data, (str, Path)):
        data = Path(data).read_bytes()
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _every_document_checks_out(lc, client, query: dict) -> dict:
    listing = client.get("/documents", params=query)["items"]
    assert listing, query
    return {doc["kind"]: client.download(doc["links"]["content"], doc["sha256"], doc["size"]) for doc in listing}


def _in_the_openapi_document(platform, calls) -> list[str]:
    """The calls that are not operations of the OpenAPI document (path templates matched segment by segment)."""
    import requests

    spec = requests.get(platform.api_url + "/openapi.json", timeout=30).json()
    templates = [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path[len("/api/v1"):]) + "$"), ops)
                 for path, ops in spec["paths"].items()]
    return sorted({f"{method} {path}" for method, path in calls
                   if not any(rx.match(path) and method.lower() in ops for rx, ops in templates)})


@pytest.mark.parametrize("code", ["RNCP37827", "RS6776"])
def test_the_python_client_of_the_docs_takes_a_candidate_to_the_certificate(client_module, platform, code,
                                                                             tmp_path):
    lc = client_module
    first, last = ("Mina", "Okafor") if code == "RNCP37827" else ("Théo", "Garnier")
    email = f"{first.lower()}.{code.lower()}@example.org".replace("é", "e")
    if code == "RNCP37827":
        sections = rncp37827_sections(f"{first} Ada", last, email)
        annexes = [(_pdf(tmp_path / "cv.pdf", "Curriculum vitae"), "Curriculum vitae", "cv", []),
                   (_pdf(tmp_path / "flux.pdf", "Flux de données"), "Chaîne de collecte", "evidence", ["C1", "C3"]),
                   (_pdf(tmp_path / "base.pdf", "Base de données"), "Base des comptages", "evidence", ["C4"])]
    else:
        sections = rs6776_sections(first, last, email)
        annexes = [(_pdf(tmp_path / "newsletter.pdf", "Newsletter"), "Newsletter : prompt et versions", "evidence",
                    ["C1"]),
                   (_pdf(tmp_path / "affiche.pdf", "Affiche"), "Affiche générée puis retouchée", "evidence", [])]

    me, submission = lc.candidate_journey(
        platform.api_url, email=email, password=PASSWORD, first_name=first, last_name=last, certification=code,
        sections=sections, annexes=annexes, confirmation_token=confirmation_token(platform))
    # RNCP37827 (VAE): the certifier studies its recevabilité; RS6776 has none: admissible at once
    assert submission["status"] == ("submitted" if code == "RNCP37827" else "admissible")
    dossier_id = submission["dossier_id"]

    # before the jury: no result yet, and the documents issued so far already check out
    early, _files = lc.result_and_documents(me, dossier_id)
    assert not early["sittings"]

    staff = _admissible(lc, platform, code, dossier_id, me, sections)
    manager, sid = _jury(lc, platform, code, dossier_id)

    result, files = lc.result_and_documents(me, dossier_id)
    sitting = result["sittings"][-1]
    assert sitting["decision"]["outcome"] == ("admis" if code == "RNCP37827" else "acquise")
    # the result lists its documents with the digest and size of the bytes downloaded from the documents route
    assert sitting["documents"]
    for listed in sitting["documents"]:
        body = files[listed["id"]]
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (listed["sha256"], listed["size"]), listed["kind"]
    kinds = {d["kind"] for d in me.get("/documents", params={"dossier_id": dossier_id})["items"]}
    # RS6776 issues a nominative certificate on success (règlement); RNCP37827's title is delivered outside the
    # platform: the candidate gets the decision and the signed grid
    expected = {"livret2", "receipt", "jury_grid"} | ({"admissibility_letter"} if code == "RNCP37827" else set())
    assert expected | ({"certificate"} if code == "RS6776" else {"receipt_fee"}) <= kinds, kinds
    assert len(files) >= (5 if code == "RNCP37827" else 4)
    documents = me.get("/documents", params={"dossier_id": dossier_id})["items"]
    if code == "RS6776":  # a training exam: none of its documents speaks of VAE or of a Livret 2
        for document in documents:
            text = " ".join(_pdf_text(files[document["id"]]).split())
            for word in ("VAE", "Livret 2", "L 613-3", "Voie d'accès : VAE"):
                assert word not in text and word not in document["title"], (document["title"], word)
        assert any(d["title"].startswith("Évaluation écrite – ") for d in documents)

    # the session's documents, as the session manager lists them in both places
    session_docs = _every_document_checks_out(lc, manager, {"session_id": sid})
    assert {"jury_pv", "jury_grid"} <= set(session_docs), session_docs
    pv_listing = manager.get(f"/sessions/{sid}/pv")
    for item in pv_listing["items"] + pv_listing["grids"]:
        manager.download(item["links"]["content"], item["sha256"], item["size"])
    # the certifier's staff find the same bytes
    _every_document_checks_out(lc, staff[0], {"dossier_id": dossier_id})

    clients = [me, manager, *staff]
    outside = _in_the_openapi_document(platform, [c for client in clients for c in client.calls])
    assert not outside, outside
