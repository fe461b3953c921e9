"""Issue 17, « Done when »: a plugin made by ``livret plugin new``, installed with ``pip install -e``, is a third
certification that a candidate takes through submission and a jury through a sealed procès-verbal, with no
change to the core.

As a certifier's developer would, in a throwaway virtualenv layered over the running one
(:func:`tests.core.plugin_kit.layered_venv`): generate, ``pip install -e``, ``livret db upgrade``, ``livret
demo``, ``livret plugins``, ``livret plugin check`` on the three certifications, then the platform served
by gunicorn (the production server of ``make run``) on loopback, driven over HTTP only by the Python client
of docs/api.md: the platform admin grants the certification to the demo certifier, a candidate signs up,
fills the generated section from the JSON Schema's example and submits, the certifier's staff declare the
dossier admissible, the session manager plans and opens a session, two jurors grade and decide, everybody
signs, the PV is sealed and every document listed checks out against its SHA-256.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.testing import free_port
from tests.core.plugin_kit import ROOT, clean_env, explain, installed_here, layered_venv, run

CODE = "TEST789"
TITLE = "Certification générée « TEST789 »"
CERTIFIER = "Organisme générateur"
PASSWORD = "un mot de passe de candidat assez long"
ADMIN = ("admin@demo.livret.fr", "demo-admin-2026")
STAFF = ("equipe@demo.livret.fr", "demo-equipe-2026")
MANAGER = ("responsable@demo.livret.fr", "demo-responsable-2026")
JURORS = (("jure@demo.livret.fr", "demo-jure-2026"), ("jure2@demo.livret.fr", "demo-jure2-2026"))
BLOCK = re.compile(r"<!-- example: livret_client\.py -->\s*```python\n(.*?)```\s*<!-- end example -->", re.S)


def _client_module(folder: Path):
    found = BLOCK.search((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    assert found, "docs/api.md lost its livret_client.py example"
    path = folder / "livret_client_generated.py"
    path.write_text(found.group(1), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("livret_client_generated", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _wait_ready(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {server.stdout.read() if server.stdout else ''}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _confirmation_token(outbox: Path):
    from email import policy
    from email.parser import BytesParser

    def read(email: str) -> str:
        for path in sorted(outbox.glob("*.eml"), reverse=True):
            message = BytesParser(policy=policy.default).parse(path.open("rb"))
            if email in str(message["To"]):
                body = message.get_body(("plain",)).get_content()
                return re.search(r"/verification/([A-Za-z0-9._~-]+)", body).group(1)
        raise AssertionError(f"no e-mail to {email} in {outbox}")
    return read


def _example(schema: dict) -> dict:
    """A value for every property of a section's JSON Schema (the generated section has one text field)."""
    return {name: "Exemple saisi par le candidat : ce que j'ai fait, pour qui et avec quels résultats."
            for name, prop in schema.get("properties", {}).items() if prop.get("type") in ("string", ["string", "null"])}


@pytest.mark.slow
def test_a_generated_plugin_takes_a_candidate_to_a_sealed_pv(tmp_path):
    bin_dir = layered_venv(tmp_path / "venv")
    instance = tmp_path / "instance"
    port, pki_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = clean_env(PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", VIRTUAL_ENV=str(bin_dir.parent),
                    LIVRET_INSTANCE_PATH=str(instance), LIVRET_BASE_URL=base_url,
                    LIVRET_DATABASE_URL="sqlite:///" + str(tmp_path / "livret.sqlite3"),
                    LIVRET_SECRET_KEY="generated-plugin-journey-not-for-production",
                    LIVRET_SIGNING_DEV_BASE_URL=f"http://127.0.0.1:{pki_port}", GUNICORN_WORKERS="2")

    def livret(*args: str) -> str:
        result = run(["livret", *args], cwd=tmp_path, env=env, timeout=600)
        assert result.returncode == 0, explain(result)
        return result.stdout

    livret("plugin", "new", "--defaults", "--code", CODE, "--title", TITLE, "--certifier", CERTIFIER,
           "--routes", "VAE", "--dest", "test789")
    result = run(["pip", "install", "--quiet", "--no-deps", "-e", "./test789"],
                 cwd=tmp_path, env=env, timeout=600)
    assert result.returncode == 0, explain(result)
    livret("db", "upgrade")
    livret("demo")
    listed = livret("plugins").splitlines()
    assert f"  {CODE}  {TITLE} — {CERTIFIER}" in listed
    for code in (CODE, "RNCP37827", "RS6776"):  # the contract holds for the three certifications
        assert "Conforme au contrat des greffons." in livret("plugin", "check", code, "--examples", "20")

    server = subprocess.Popen(
        [str(bin_dir / "python"), "-m", "gunicorn", "-c", str(ROOT / "core" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "core.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_ready(base_url, server)
        _journey(_client_module(tmp_path), base_url + "/api/v1", instance / "outbox", tmp_path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert not installed_here("livret-test789")  # the running virtualenv was left alone


def _journey(lc, api: str, outbox: Path, tmp_path: Path) -> None:
    # the platform admin grants the new certification to the demo certifier (Simplon.co)
    admin = lc.Livret(api)
    admin.sign_in(*ADMIN)
    org = next(o for o in admin.get("/platform/organisations")["items"] if o["name"] == "Simplon.co")
    admin.put(f"/platform/organisations/{org['id']}/certifications/{CODE}", json={"role": "certifier"})
    catalogue = lc.Livret(api).get("/certifications")["items"]
    assert CODE in {c["code"] for c in catalogue}

    # the candidate: the generated section filled from its JSON Schema, then signed and submitted
    schemas = admin.get(f"/certifications/{CODE}/sections")["items"]  # any signed-in person reads them
    sections = {s["key"]: _example(s["schema"]) for s in schemas if s["kind"] == "form"}
    assert sections == {"presentation": {"texte": sections["presentation"]["texte"]}}, sections
    email = "zoe.generee@example.org"
    me, submission = lc.candidate_journey(
        api, email=email, password=PASSWORD, first_name="Zoé", last_name="Générée", certification=CODE,
        sections=sections, annexes=[], confirmation_token=_confirmation_token(outbox))
    dossier_id = submission["dossier_id"]
    assert submission["status"] == "submitted", submission

    # the certifier's staff: admissible
    staff = lc.Livret(api)
    staff.sign_in(*STAFF)
    decided = staff.post(f"/backoffice/dossiers/{dossier_id}/decision",
                         json={"kind": "admissible", "password": STAFF[1]})
    assert decided["status"] == "admissible"

    # the session manager plans the session, the jurors declare, grade and decide
    manager = lc.Livret(api)
    manager.sign_in(*MANAGER)
    jurors = []
    for email_, password in JURORS:
        juror = lc.Livret(api)
        juror.sign_in(email_, password)
        jurors.append((juror, password))
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).replace(hour=9, minute=0, second=0,
                                                                                microsecond=0)
    sid = manager.post("/sessions", json={
        "certification": CODE, "title": f"Session {CODE}", "starts_at": starts.isoformat(),
        "address": "3 rue du Greffon, 31000 Toulouse", "manager_position": "Responsable de session"})["id"]
    candidate = manager.post(f"/sessions/{sid}/candidates", json={"dossier_id": dossier_id})["id"]
    for i, (email_, _password) in enumerate(JURORS):
        manager.post(f"/sessions/{sid}/jurors", json={
            "email": email_, "position": "Professionnel du secteur", "company": f"Entreprise {i}",
            "professional": True, "experience_years": 8, "external": True})
    for juror, _password in jurors:
        juror.put(f"/sessions/{sid}/declarations", json={"declarations": [
            {"candidate_id": candidate, "no_link": True, "no_training": True}]})
    manager.post(f"/sessions/{sid}/open")
    manager.put(f"/sessions/{sid}/attendance", json={"attendance": [
        {"candidate_id": candidate, "attendance": "present"}]})
    for juror, _password in jurors:
        grid = juror.get(f"/sessions/{sid}/candidates/{candidate}/grid")
        definition = grid["definition"]  # the grid core derives from the referential: criteria, one block
        assert definition["mode"] == "criteria", definition
        assert [o["code"] for o in definition["outcomes"]] == ["admis", "non_admis"]
        criteria = {c["code"]: "met" for b in definition["blocks"] for comp in b["competencies"]
                    for c in comp["criteria"]}
        blocks = {b["code"]: "validated" for b in definition["blocks"]} if definition["block_proposals"] else {}
        saved = juror.put(f"/sessions/{sid}/candidates/{candidate}/grid", json={
            "criteria": criteria, "blocks": blocks, "proposal": "admis", "revision": grid["revision"]})
        assert saved["answered"] == saved["expected"], saved["problems"]
        juror.post(f"/sessions/{sid}/candidates/{candidate}/grid/complete", json={})
    jurors[0][0].post(f"/sessions/{sid}/candidates/{candidate}/decision",
                      json={"outcome": "admis", "validated_blocks": ["BC01"]})
    manager.post(f"/sessions/{sid}/pv")
    for juror, password in jurors:
        assert juror.post(f"/sessions/{sid}/signatures", json={"password": password})["signed"]
    manager.post(f"/sessions/{sid}/signatures", json={"password": MANAGER[1]})
    assert manager.get(f"/sessions/{sid}")["status"] == "closed"

    # the result, and every document of the candidate and of the session checks out against its hash
    result, files = lc.result_and_documents(me, dossier_id)
    assert result["sittings"][-1]["decision"]["outcome"] == "admis"
    kinds = {d["kind"] for d in me.get("/documents", params={"dossier_id": dossier_id})["items"]}
    assert {"livret2", "receipt", "jury_grid"} <= kinds, kinds
    session_docs = {d["kind"] for d in manager.get("/documents", params={"session_id": sid})["items"]}
    assert {"jury_pv", "jury_grid"} <= session_docs, session_docs
    pv = manager.get(f"/sessions/{sid}/pv")
    for n, item in enumerate(pv["items"] + pv["grids"]):
        data = manager.download(item["links"]["content"], item["sha256"], item["size"])
        text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                                       check=True).stdout.decode().split())
        assert CODE in text, text[:500]
        path = tmp_path / f"session-{n}.pdf"
        path.write_bytes(data)
        pdfsig = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True)
        assert "Signature #1" in pdfsig.stdout and "Signature is Valid." in pdfsig.stdout, pdfsig.stdout[:800]
