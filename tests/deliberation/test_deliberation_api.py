"""Deliberation API: consolidated grids and disagreements, recording (201, 422 naming the rules),
the session's decisions, and their place in the OpenAPI document."""
from __future__ import annotations

from openapi_spec_validator import validate

from tests.deliberation.deliberation_support import add_grid, decisions, rncp_grid, rs_grid, token


def test_deliberation_record_and_list(app, client, jury_session):
    s = jury_session("RNCP37827")
    cid = s.candidates[0]
    add_grid(app, cid, s.jurors[0], rncp_grid())
    add_grid(app, cid, s.jurors[1], rncp_grid(validated=("BC02", "BC03"), not_met=("C1.1",),
                                              proposal="admission_partielle"))
    headers = token(app, s.jurors[0])
    base = f"/api/v1/sessions/{s.id}/candidates/{cid}"

    body = client.get(base + "/deliberation", headers=headers).get_json()
    assert body["mode"] == "criteria" and body["can_record"] is True and body["blocked_by"] is None
    assert [j["name"] for j in body["jurors"]] == ["Alice Jurée", "Bruno Juré"]
    assert set(body["disagreements"]) == {"C1.1", "BC01", "proposal"}
    row = next(r for r in body["rows"] if r["code"] == "C1.1")
    assert row["values"] == ["met", "not_met"] and row["disagreement"] is True
    assert body["proposal"]["outcome"] == "admission_partielle"
    assert body["proposal"]["validated_blocks"] == ["BC02", "BC03"]
    assert body["proposal"]["extra"]["vae_outcome"] == "validation_totale_blocs"
    assert body["consolidation"]["criteria"]["C1.1"] == {"met": 1, "not_met": 1}
    assert body["decision"] is None

    refused = client.post(base + "/decision", headers=headers, json={
        "outcome": "admis", "validated_blocks": ["BC02", "BC03"], "vae_outcome": "validation_totale_titre"})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "decision_rules"
    assert any("« Pour obtenir le titre, le candidat doit valider les trois (3) blocs de compétences. »" in m
               for m in error["details"]["rules"])
    assert "validated_blocks" in error["details"]["fields"]
    unknown = client.post(base + "/decision", headers=headers, json={"outcome": "admis", "extra": 1})
    assert unknown.status_code == 422 and "extra" in unknown.get_json()["error"]["details"]

    created = client.post(base + "/decision", headers=headers, json={
        "outcome": "admission_partielle", "validated_blocks": ["BC03", "BC02"],
        "vae_outcome": "validation_totale_blocs", "comment": "BC01 à représenter."})
    assert created.status_code == 201, created.get_json()
    decision = created.get_json()
    assert decision["outcome_label"] == "Admission partielle"
    assert decision["validated_blocks"] == ["BC02", "BC03"]  # in the descriptor's order
    assert decision["vae_outcome_label"] == ("Validation totale des compétences pour l'obtention d'un ou de "
                                             "plusieurs blocs")
    assert decision["recorded_by"] == "Alice Jurée" and decision["sealed_at"] is None
    assert decision["recorded_at"].endswith("Z")

    listing = client.get(f"/api/v1/sessions/{s.id}/decisions", headers=token(app, s.manager)).get_json()
    assert listing["locked"] is None
    [entry] = listing["candidates"]
    assert entry["name"] == "Camille1 Candidate" and entry["grids_completed"] == 2 and entry["jurors"] == 2
    assert entry["decision"]["id"] == decision["id"]
    # the manager reads the deliberation but may not record: can_record is false, without a blocking reason
    seen = client.get(base + "/deliberation", headers=token(app, s.manager)).get_json()
    assert seen["can_record"] is False and seen["decision"]["id"] == decision["id"]


def test_rs6776_marks_through_the_api(app, client, jury_session):
    s = jury_session("RS6776")
    cid = s.candidates[0]
    for juror in s.jurors:
        add_grid(app, cid, juror, rs_grid(marks={"C5": 3.0}, proposal="non_acquise"))
    headers = token(app, s.jurors[1])
    url = f"/api/v1/sessions/{s.id}/candidates/{cid}/decision"
    marks = {f"C{n}": 4.0 for n in range(1, 7)}
    missing = client.post(url, headers=headers, json={"outcome": "non_acquise", "marks": marks})
    assert missing.status_code == 422
    assert "scores.ORAL" in missing.get_json()["error"]["details"]["fields"]
    refused = client.post(url, headers=headers, json={"outcome": "non_acquise", "marks": marks,
                                                      "scores": {"ORAL": 11}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["rules"][0].startswith("« Certification non obtenue » contredit")
    created = client.post(url, headers=headers, json={"outcome": "non_acquise", "marks": {**marks, "C5": 3.0},
                                                      "scores": {"ORAL": 11}})
    assert created.status_code == 201
    assert created.get_json()["retake_until"] is not None
    assert decisions(app, cid)[0]["acquired"] == ["C1", "C2", "C3", "C4", "C6"]


def test_endpoints_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    get_one = paths["/api/v1/sessions/{session_id}/candidates/{candidate_id}/deliberation"]["get"]
    post = paths["/api/v1/sessions/{session_id}/candidates/{candidate_id}/decision"]["post"]
    listing = paths["/api/v1/sessions/{session_id}/decisions"]["get"]
    assert get_one["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Deliberation"}
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JuryDecisionRequest"}
    assert {"201", "403", "404", "409", "422"} <= set(post["responses"])
    assert listing["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SessionDecisions"}
    for operation in (get_one, post, listing):
        assert operation["tags"] == ["deliberation"] and operation["security"] == [{"bearerAuth": []}]
    assert any(t["name"] == "deliberation" for t in spec["tags"])
