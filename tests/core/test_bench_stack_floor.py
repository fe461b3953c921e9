"""The load benchmark's floor (``bench/stack_floor_app.py``) does the work it stands for.

Its throughput is printed beside Livret's as the most the scenario can give on the stack: it must
therefore still sign in, check the CSRF token of each save, keep each candidate to their own dossier,
refuse a stale revision and store what was typed; if it did less, the floor would be a lie."""
from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

BENCH = Path(__file__).resolve().parents[2] / "bench"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d*)"')


@pytest.fixture()
def floor(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.delenv("STACK_FLOOR_DATABASE", raising=False)
    module = importlib.import_module("stack_floor_app")
    path = str(tmp_path / "floor.sqlite3")
    accounts = module.prepare(path, 2)
    yield module, module.create_app(path), accounts
    sys.modules.pop("stack_floor_app", None)


def sign_in(client, module, email: str) -> None:
    page = client.get("/connexion").text
    answer = client.post("/connexion", data={"email": email, "password": module.PASSWORD,
                                             "csrf_token": CSRF.search(page).group(1)})
    assert answer.status_code == 302


def test_the_floor_serves_the_benchmark_scenario_with_its_protections(floor):
    module, app, ((email, mine), (_other_email, theirs)) = floor
    client = FlaskClient(app, app.response_class, use_cookies=True)  # tokens put in by hand, or left out
    assert client.get(f"/dossiers/{mine}").status_code == 302  # signed out: to the sign-in page
    sign_in(client, module, email)

    overview = client.get(f"/dossiers/{mine}")
    assert overview.status_code == 200 and "Lettre de motivation" in overview.text
    assert client.get(f"/dossiers/{theirs}").status_code == 404
    assert client.get(f"/dossiers/{theirs}/sections/lettre_motivation").status_code == 404
    for key in ("etat_civil", "situation", "cv", "recapitulatif", "fiches_activite"):
        assert client.get(f"/dossiers/{mine}/sections/{key}").status_code == 200

    url = f"/dossiers/{mine}/sections/lettre_motivation"
    page = client.get(url).text
    revision, token = REVISION.search(page).group(1), CSRF.search(page).group(1)
    typed = {"lettre": "Mon parcours de développeuse, en toutes lettres.", "action": "draft", "revision": revision}
    assert client.post(url, data=typed).status_code == 400  # no token: refused
    assert client.post(url, data={**typed, "csrf_token": token}).status_code == 302
    saved = client.get(url).text
    assert "Mon parcours de développeuse, en toutes lettres." in saved and "Brouillon enregistré." in saved
    assert REVISION.search(saved).group(1) == str(int(revision) + 1)
    stale = client.post(url, data={**typed, "lettre": "Écrasé ?", "csrf_token": token})
    assert stale.status_code == 422
    assert "Écrasé" not in client.get(url).text
