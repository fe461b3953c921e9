"""The journey of the stack test, over HTTP only, with the Python client of docs/api.md: each request goes to the
next of the two gunicorn app processes in turn (a round-robin in the client).

Reuses the driving code of the other API journeys: the client loaded from docs/api.md
(:mod:`tests.core.test_generated_plugin_journey`), the RNCP37827 sections, the admissibility step, the demo
accounts (:mod:`tests.api.test_api_client_example`).
"""
from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from tests.api.test_api_client_example import JURORS, PASSWORD, STAFF, _admissible, _pdf, rncp37827_sections
from tests.core.test_generated_plugin_journey import _client_module, _confirmation_token

CODE = "RNCP37827"


class RoundRobin:
    """Hands out the app processes' API addresses in turn and counts the requests each one got."""

    def __init__(self, urls: list[str]):
        self.apis = [u + "/api/v1" for u in urls]
        self._cycle = itertools.cycle(self.apis)
        self._lock = threading.Lock()
        self.counts: Counter = Counter()

    def next(self) -> str:
        with self._lock:
            api = next(self._cycle)
            self.counts[api] += 1
            return api


def load_client(folder: Path, balancer: RoundRobin):
    """The client of docs/api.md whose ``Livret`` sends each request to the next app process."""
    lc = _client_module(folder)
    base = lc.Livret

    class Balanced(base):
        def request(self, method, path, **kwargs):
            self.base_url = balancer.next()
            return super().request(method, path, **kwargs)

    lc.Livret = Balanced  # candidate_journey and the helpers build their clients from the module's name
    lc.api = balancer.apis[0]
    return lc


def new_candidate(lc, outbox: Path, n: int, tag: str):
    """A candidate signed up, confirmed and signed in, with a draft RNCP37827 dossier: (client, dossier id,
    sections)."""
    email = f"candidat.{tag}.{n}@example.org"
    sections = rncp37827_sections(f"Alex{n} Marie", f"Pile{tag.capitalize()}", email)
    lc.Livret(lc.api).post("/accounts", json={"email": email, "password": PASSWORD, "first_name": f"Alex{n}",
                                              "last_name": f"Pile{tag.capitalize()}"})
    wait_for_mail(outbox, email)
    lc.Livret(lc.api).post("/accounts/verification", json={"token": _confirmation_token(outbox)(email)})
    me = lc.Livret(lc.api)
    me.sign_in(email, PASSWORD)
    org = me.get(f"/certifications/{CODE}")["organisations"][0]["id"]
    dossier = me.post("/dossiers", json={"certification": CODE, "organisation_id": org})
    return me, dossier["id"], sections


def wait_for_mail(outbox: Path, email: str, seconds: float = 60) -> None:
    """E-mails go through the job queue: wait until the worker wrote the one to ``email``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(email in p.read_text(errors="replace") for p in outbox.glob("*.eml")):
            return
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {email} in {outbox} after {seconds} s")


def admissible_candidates(lc, outbox: Path, folder: Path, count: int) -> list[tuple]:
    """``count`` candidates through submission and admissibility (with a correction asked, as in the API
    client's journey): [(client, dossier id)]."""
    evidence = [(_pdf(folder / "cv.pdf", "Curriculum vitae"), "Curriculum vitae", "cv", []),
                (_pdf(folder / "flux.pdf", "Flux de données"), "Chaîne de collecte", "evidence", ["C1", "C3"]),
                (_pdf(folder / "base.pdf", "Base de données"), "Base des comptages", "evidence", ["C4"])]
    done = []
    for n in range(count):
        email = f"candidat.jury.{n}@example.org"
        sections = rncp37827_sections(f"Mina{n} Ada", "Okafor", email)
        real = _confirmation_token(outbox)

        def token(address, real=real):
            wait_for_mail(outbox, address)
            return real(address)

        me, submission = lc.candidate_journey(
            lc.api, email=email, password=PASSWORD, first_name=f"Mina{n}", last_name="Okafor", certification=CODE,
            sections=sections, annexes=evidence, confirmation_token=token)
        assert submission["status"] == "submitted", submission
        _admissible(lc, SimpleNamespace(api_url=lc.api), CODE, submission["dossier_id"], me, sections)
        done.append((me, submission["dossier_id"]))
    return done


def jury_until_signed(lc, dossier_ids: list[int]):
    """Plan, compose, open, grade and decide for every dossier, then every juror and the session manager sign:
    the session's documents are queued for their final seal. Returns (manager client, session id)."""
    manager = lc.Livret(lc.api)
    manager.sign_in(*STAFF[CODE]["manager"])
    jurors = []
    for email, password in JURORS:
        juror = lc.Livret(lc.api)
        juror.sign_in(email, password)
        jurors.append((juror, password))
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).replace(hour=9, minute=0, second=0,
                                                                                microsecond=0)
    sid = manager.post("/sessions", json={
        "certification": CODE, "title": "Session de la pile complète", "starts_at": starts.isoformat(),
        "address": "12 rue de la Certification, 69002 Lyon", "manager_position": "Responsable de session"})["id"]
    candidates = [manager.post(f"/sessions/{sid}/candidates", json={"dossier_id": d})["id"] for d in dossier_ids]
    for i, (email, _password) in enumerate(JURORS):
        manager.post(f"/sessions/{sid}/jurors", json={
            "email": email, "position": "Professionnelle du secteur", "company": f"Entreprise {i}",
            "professional": True, "experience_years": 6, "external": True})
    for juror, _password in jurors:
        juror.put(f"/sessions/{sid}/declarations", json={"declarations": [
            {"candidate_id": c, "no_link": True, "no_training": True} for c in candidates]})
    manager.post(f"/sessions/{sid}/open")
    manager.put(f"/sessions/{sid}/attendance", json={"attendance": [
        {"candidate_id": c, "attendance": "present"} for c in candidates]})
    for candidate in candidates:
        for juror, _password in jurors:
            grid = juror.get(f"/sessions/{sid}/candidates/{candidate}/grid")
            definition = grid["definition"]
            criteria = {c["code"]: "met" for b in definition["blocks"] for comp in b["competencies"]
                        for c in comp["criteria"]}
            blocks = [b["code"] for b in definition["blocks"]]
            saved = juror.put(f"/sessions/{sid}/candidates/{candidate}/grid", json={
                "criteria": criteria, "blocks": {b: "validated" for b in blocks}, "proposal": "admis",
                "revision": grid["revision"]})
            assert saved["answered"] == saved["expected"], saved["problems"]
            juror.post(f"/sessions/{sid}/candidates/{candidate}/grid/complete", json={})
        jurors[0][0].post(f"/sessions/{sid}/candidates/{candidate}/decision", json={
            "outcome": "admis", "validated_blocks": blocks, "vae_outcome": "validation_totale_titre"})
    manager.post(f"/sessions/{sid}/pv")
    for juror, password in jurors:
        assert juror.post(f"/sessions/{sid}/signatures", json={"password": password})["signed"]
    manager.post(f"/sessions/{sid}/signatures", json={"password": STAFF[CODE]["manager"][1]})
    return manager, sid


def wait_sealed(manager, sid: int, seconds: float) -> dict:
    """Poll ``GET /sessions/{id}/sealing`` until every document of the session is sealed."""
    deadline = time.monotonic() + seconds
    while True:
        progress = manager.get(f"/sessions/{sid}/sealing")
        if progress["done"]:
            return progress
        if time.monotonic() > deadline:
            raise AssertionError(f"session {sid} not sealed after {seconds} s: {progress}")
        time.sleep(0.5)


def check_documents(lc, manager, sid: int, candidates: list[tuple]) -> int:
    """The result of each candidate and every document of the session and of the candidates, downloaded and
    checked against its SHA-256 and size; returns how many documents were checked."""
    assert manager.get(f"/sessions/{sid}")["status"] == "closed"
    checked = 0
    for me, dossier_id in candidates:
        result, files = lc.result_and_documents(me, dossier_id)
        assert result["sittings"][-1]["decision"]["outcome"] == "admis"
        checked += len(files)
    pv = manager.get(f"/sessions/{sid}/pv")
    for item in pv["items"] + pv["grids"]:
        manager.download(item["links"]["content"], item["sha256"], item["size"])
        checked += 1
    return checked
