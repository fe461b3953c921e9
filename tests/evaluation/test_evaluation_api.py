"""The juror's API: grid definition, draft save with revisions, completion, dossier reading; in OpenAPI."""
from __future__ import annotations

import hashlib

from openapi_spec_validator import validate

from tests.evaluation.conftest import PDF


def test_grid_definition_and_draft_cycle(make_jury, client, token_for):
    jury = make_jury("RNCP37827")
    headers = token_for(jury.jurors[0])
    body = client.get(jury.api("/grid"), headers=headers).json
    assert body["status"] == "new" and body["revision"] == 0 and body["editable"] is True
    definition = body["definition"]
    assert definition["mode"] == "criteria" and definition["block_proposals"] is True
    assert [b["code"] for b in definition["blocks"]] == ["BC01", "BC02", "BC03"]
    c1 = definition["blocks"][0]["competencies"][0]
    assert c1["code"] == "C1" and len(c1["criteria"]) == 7 and c1["expected"].startswith("E1.")
    assert sum(len(c["criteria"]) for b in definition["blocks"] for c in b["competencies"]) == 142
    assert [o["code"] for o in definition["outcomes"]] == ["admis", "admission_partielle", "non_admis"]
    assert [o["comment_required"] for o in definition["outcomes"]] == [False, True, True]
    assert body["expected"] == 142 + 3 + 1 and body["answered"] == 0

    saved = client.put(jury.api("/grid"), headers=headers, json={
        "revision": 0, "criteria": {"C1.1": "met", "C1.2": "not_met"}, "blocks": {"BC01": "validated"},
        "competencies": {"C1": {"comment": "Script robuste."}}, "proposal": "non_admis"})
    assert saved.status_code == 200, saved.json
    body = saved.json
    assert body["status"] == "draft" and body["revision"] == 1 and body["answered"] == 4
    assert body["data"]["criteria"] == {"C1.1": "met", "C1.2": "not_met"}
    assert body["data"]["competencies"]["C1"]["comment"] == "Script robuste."
    assert "criteria.C1.3" in body["problems"] and "comment" in body["problems"]
    assert "le commentaire général est obligatoire" in body["problems"]["comment"][0]

    stale = client.put(jury.api("/grid"), headers=headers, json={"revision": 0, "criteria": {"C1.1": "not_met"}})
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale_revision" and stale.json["error"]["details"] == {"revision": 1}

    unknown = client.put(jury.api("/grid"), headers=headers, json={"revision": 1, "criteria": {"C99.1": "met"},
                                                                  "blocks": {"BC01": "peut-être"}})
    assert unknown.status_code == 422
    assert set(unknown.json["error"]["details"]) == {"criteria.C99.1", "blocks.BC01"}
    missing_revision = client.put(jury.api("/grid"), headers=headers, json={"criteria": {}})
    assert missing_revision.status_code == 422 and "revision" in missing_revision.json["error"]["details"]

    incomplete = client.post(jury.api("/grid/complete"), headers=headers)
    assert incomplete.status_code == 422 and incomplete.json["error"]["code"] == "grid_incomplete"
    assert "criteria.C21.5" in incomplete.json["error"]["details"]

    whole = {"revision": 1, "criteria": {c["code"]: "met" for b in definition["blocks"] for comp in b["competencies"]
                                         for c in comp["criteria"]},
             "blocks": {"BC01": "validated", "BC02": "validated", "BC03": "validated"}, "proposal": "admis"}
    assert client.put(jury.api("/grid"), headers=headers, json=whole).json["problems"] == {}
    done = client.post(jury.api("/grid/complete"), headers=headers, json={"revision": 2})
    assert done.status_code == 200 and done.json["status"] == "completed" and done.json["editable"] is False
    again = client.put(jury.api("/grid"), headers=headers, json={**whole, "revision": 3})
    assert again.status_code == 409 and again.json["error"]["code"] == "grid_completed"
    reopened = client.post(jury.api("/grid/reopen"), headers=headers)
    assert reopened.status_code == 200 and reopened.json["status"] == "draft"

    # the other juror's grid is separate
    other = client.get(jury.api("/grid"), headers=token_for(jury.jurors[1])).json
    assert other["status"] == "new" and other["data"]["criteria"] == {}


def test_marks_grid_keeps_typed_text(make_jury, client, token_for):
    jury = make_jury("RS6776")
    headers = token_for(jury.jurors[0])
    definition = client.get(jury.api("/grid"), headers=headers).json["definition"]
    assert definition["mode"] == "marks" and definition["scale"] == 5 and definition["threshold"] == 3.5
    assert definition["scores"] == [{"key": "ORAL", "label": "Épreuve orale : Échange entre le candidat et le jury",
                                     "maximum": 20.0, "eliminatory_below": 10.0, "step": 0.5}]
    body = client.put(jury.api("/grid"), headers=headers, json={
        "revision": 0, "competencies": {"C1": {"mark": "3,5"}, "C2": {"mark": 4}, "C3": {"mark": "beaucoup"}},
        "scores": {"ORAL": 25}}).json
    assert body["data"]["competencies"]["C1"]["mark"] == 3.5 and body["data"]["competencies"]["C2"]["mark"] == 4
    assert body["data"]["typed"] == {"competencies.C3.mark": "beaucoup"}
    assert "n'est pas une note" in body["problems"]["competencies.C3.mark"][0]
    assert "comprise entre 0 et 20" in body["problems"]["scores.ORAL"][0]
    assert "competencies.C4.mark" in body["problems"]
    criteria = client.put(jury.api("/grid"), headers=headers, json={"revision": 1, "criteria": {"C1.1": "met"}})
    assert criteria.status_code == 422  # no criteria to tick in a marks grid


def test_dossier_api_lists_annexes_by_competency(make_jury, client, token_for):
    jury = make_jury("RNCP37827")
    headers = token_for(jury.jurors[0])
    body = client.get(jury.api("/dossier"), headers=headers).json
    assert body["candidate_name"] == "Camille Durand" and body["version"] == 1
    by_code = {row["code"]: [a["number"] for a in row["annexes"]] for row in body["competencies"]}
    assert len(by_code) == 21 and by_code["C1"] == [1, 4] and by_code["C2"] == [1, 2] and by_code["C3"] == []
    assert [a["number"] for a in body["unlinked"]] == [3]
    annexes = {a["number"]: a for a in body["annexes"]}
    assert annexes[1]["readable"] and annexes[1]["inline"] and annexes[4]["readable"] is False
    assert annexes[4]["scan_state"] == "pending" and annexes[3]["inline"] is False

    content = client.get(annexes[1]["links"]["content"], headers=headers)
    assert content.status_code == 200 and content.data == PDF
    assert content.headers["Content-Disposition"].startswith("inline;")
    assert client.get(annexes[4]["links"]["content"], headers=headers).status_code == 409

    livret = client.get(body["livret2"]["links"]["content"], headers=headers)
    assert livret.status_code == 200 and livret.data == PDF
    # issue 13 §1: what the juror's listing says is what its link serves
    assert body["livret2"]["sha256"] == hashlib.sha256(PDF).hexdigest() and body["livret2"]["size"] == len(PDF)
    assert livret.headers["ETag"] == f'"{body["livret2"]["sha256"]}"'


def test_dossier_api_closed_while_session_is_draft(make_jury, client, token_for):
    jury = make_jury("RNCP37827", status="draft")
    headers = token_for(jury.jurors[0])
    response = client.get(jury.api("/dossier"), headers=headers)
    assert response.status_code == 409 and response.json["error"]["code"] == "session_not_open"
    assert client.get(jury.api("/annexes/1/content"), headers=headers).status_code == 409
    # nor the grid: a planned session opens nothing of its candidates to the jury
    grid = client.get(jury.api("/grid"), headers=headers)
    assert grid.status_code == 409 and grid.json["error"]["code"] == "session_not_open"
    assert "l'ouverture de la session" in grid.json["error"]["message"]
    assert client.put(jury.api("/grid"), headers=headers, json={"revision": 0}).status_code == 409


def test_endpoints_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    base = "/api/v1/sessions/{session_id}/candidates/{candidate_id}"
    expected = {(base + "/grid", "get"): "JurorGrid", (base + "/grid", "put"): "JurorGrid",
                (base + "/grid/complete", "post"): "JurorGrid", (base + "/grid/reopen", "post"): "JurorGrid",
                (base + "/dossier", "get"): "JurorDossier"}
    for (path, method), schema in expected.items():
        operation = spec["paths"][path][method]
        assert operation["tags"] == ["jury"] and operation["security"] == [{"bearerAuth": []}]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"}
        assert "404" in operation["responses"]
    assert spec["paths"][base + "/grid"]["put"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JurorGridInput"}
    assert {"409", "422"} <= set(spec["paths"][base + "/grid/complete"]["post"]["responses"])
    annex = spec["paths"][base + "/annexes/{number}/content"]["get"]["responses"]["200"]
    assert annex == {"$ref": "#/components/responses/AnnexFile"}
    assert "application/pdf" in spec["components"]["responses"]["AnnexFile"]["content"]
    assert "jury" in {t["name"] for t in spec["tags"]}
    assert set(spec["components"]["schemas"]["JurorGridDefinition"]["properties"]) >= {
        "blocks", "scale", "threshold", "scores", "outcomes"}
