"""GET /api/v1/certifications and /api/v1/certifications/{code}, with a throwaway plugin."""
from __future__ import annotations

import importlib.util

import pytest


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    return response


def test_list_includes_a_certification_from_a_throwaway_plugin(client, throwaway_certification):
    response = _get(client, "/api/v1/certifications")
    assert response.status_code == 200
    items = response.get_json()["items"]
    codes = [item["code"] for item in items]
    assert codes == sorted(codes)
    item = next(i for i in items if i["code"] == "TEST42")
    assert item == {
        "code": "TEST42",
        "title": "Certification de test",
        "certifier": "Organisme de test",
        "registry": "RS",
        "level": "Niveau 5",
        "plugin": "throwaway_api_test",
        "competency_count": 3,
        "fee": {"amount_cents": 12050, "currency": "EUR", "label": "Frais d'examen", "covers": "",
                "refundable": True},
        "links": {"self": "/api/v1/certifications/TEST42", "html": "/certifications/TEST42"},
    }
    assert client.get(item["links"]["self"]).status_code == 200


def test_certification_without_fee_has_null_fee(client, register_plugin, certification_plugin,
                                                throwaway_descriptor):
    from dataclasses import replace

    bare = replace(throwaway_descriptor, code="TEST43", fee=None, scheme=None, rules=None)
    register_plugin(certification_plugin(bare), "throwaway_no_fee")
    items = _get(client, "/api/v1/certifications").get_json()["items"]
    assert next(i for i in items if i["code"] == "TEST43")["fee"] is None
    detail = _get(client, "/api/v1/certifications/TEST43").get_json()
    assert detail["fee"] is None and detail["scheme"] is None and detail["rules"] is None


def test_unregistered_plugin_disappears_from_the_list(app, client, certification_plugin, throwaway_descriptor):
    from core.plugins import registered

    with registered(app, certification_plugin(throwaway_descriptor), "throwaway_scoped"):
        assert "TEST42" in [i["code"] for i in client.get("/api/v1/certifications").get_json()["items"]]
    assert "TEST42" not in [i["code"] for i in client.get("/api/v1/certifications").get_json()["items"]]


def test_detail_has_blocks_competencies_criteria_scheme_rules_and_fee(client, throwaway_certification):
    response = _get(client, "/api/v1/certifications/test42")  # the code is case-insensitive
    assert response.status_code == 200
    cert = response.get_json()
    assert cert["code"] == "TEST42" and cert["competency_count"] == 3
    assert cert["summary"].startswith("Une certification")
    assert cert["access_routes"] == ["VAE"]

    assert [b["code"] for b in cert["blocks"]] == ["B1", "B2"]
    b1 = cert["blocks"][0]
    assert b1["reference"] == "TEST42BC01" and b1["evaluations"] == ["E1"] and b1["evidence_examples"] == ["Rapport"]
    c1, c2 = b1["competencies"]
    assert c1 == {"code": "C1", "title": "Analyser un besoin", "expected": "En entreprise", "editable": False,
                  "evaluations": ["E1"],
                  "criteria": [{"code": "C1.1", "text": "Le besoin est reformulé"},
                               {"code": "C1.2", "text": "Les contraintes sont listées"}]}
    assert c2["editable"] is True

    scheme = cert["scheme"]
    assert scheme["total_minutes"] == 150
    e1, e2 = scheme["evaluations"]
    assert e1["duration_minutes"] == 120 and e1["deliverable"] == "Un rapport" and e1["max_score"] is None
    assert e2["max_score"] == 20 and e2["eliminatory_below"] == 10 and e2["competencies"] == ["C2", "C3"]
    assert scheme["schedule"] == [{"title": "Présentation", "duration_minutes": 20, "with_candidate": True},
                                  {"title": "Délibération", "duration_minutes": 10, "with_candidate": False}]

    rules = cert["rules"]
    assert [o["code"] for o in rules["outcomes"]] == ["valid", "refused"]
    assert rules["outcomes"][1]["comment_required"] is True
    assert rules["competency_scale"] == 5 and rules["competency_threshold"] == 3.5
    assert rules["averaging"] is False and rules["retakes"] == 1 and rules["retake_within_days"] == 365
    assert rules["retake_free"] is True and rules["block_validation"] is False

    assert cert["jury_rules"] == [{"key": "size", "text": "Deux membres au moins."}]
    assert cert["deadlines"] == [{"key": "written", "label": "Remise de l'écrit", "days": 10,
                                  "after": "la fin de la formation"}]
    assert cert["fee"]["amount_cents"] == 12050
    assert cert["notes"] == ["Intitulés à confirmer."]


def test_unknown_certification_is_a_json_404(client):
    response = _get(client, "/api/v1/certifications/NOPE999")
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "certification_not_found"
    assert body["error"]["message"] == "Cette page ou cette ressource n'existe pas."
    assert "details" in body["error"]


def test_certifications_are_public_but_a_bad_token_is_refused(client, throwaway_certification, bearer):
    assert client.get("/api/v1/certifications").status_code == 200
    response = client.get("/api/v1/certifications", headers=bearer("lvt_not-a-real-token"))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_certifications_accept_a_valid_token(client, throwaway_certification, create_user, make_token, bearer):
    secret = make_token(create_user())
    assert client.get("/api/v1/certifications/TEST42", headers=bearer(secret)).status_code == 200


def test_unknown_api_path_and_wrong_method_are_json(client):
    response = _get(client, "/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"

    response = client.post("/api/v1/certifications", json={})
    assert response.status_code == 405
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert response.get_json()["error"]["message"] == "Cette méthode n'est pas acceptée ici."
    assert "GET" in response.headers["Allow"]


@pytest.mark.skipif(importlib.util.find_spec("livret_rncp37827") is None,
                    reason="the RNCP37827 plugin is not installed")
def test_rncp37827_detail_has_21_competencies(client):
    response = client.get("/api/v1/certifications/RNCP37827")
    assert response.status_code == 200
    cert = response.get_json()
    codes = [c["code"] for b in cert["blocks"] for c in b["competencies"]]
    assert cert["competency_count"] == 21
    assert codes == [f"C{i}" for i in range(1, 22)]
    assert len(cert["blocks"]) == 3
