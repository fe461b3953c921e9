"""The dossier workflow through the API: open, save sections, check, submit."""
from __future__ import annotations

from dossier_api_data import CODE, DECLARATION, ETAT_CIVIL, LETTRE  # tests/dossiers_api/dossier_api_data.py


def _url(dossier: dict, suffix: str = "") -> str:
    return f"/api/v1/dossiers/{dossier['id']}{suffix}"


# -- opening ------------------------------------------------------------------

def test_open_a_dossier(api, open_dossier):
    dossier = open_dossier
    assert dossier["certification"] == CODE
    assert dossier["status"] == "draft" and dossier["status_label"] == "Brouillon" and dossier["editable"] is True
    assert dossier["reference"].startswith(f"{CODE}-")
    assert dossier["submitted_at"] is None and dossier["versions"] == []
    assert [(s["key"], s["state"]) for s in dossier["sections"]] == [
        ("etat_civil", "empty"), ("lettre_motivation", "empty"), ("annexes", "complete"),
        ("contenu", "complete"), ("declaration_honneur", "empty")]
    assert dossier["links"]["self"] == _url(dossier)
    codes = {p["code"] for p in dossier["problems"] if p["blocking"]}
    assert codes == {"section_empty"}


def test_open_answers_201_with_location(api, dossier_plugin):
    response = api.post("/api/v1/dossiers", json={"certification": CODE})
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/api/v1/dossiers/{response.get_json()['id']}")
    assert api.get(response.headers["Location"]).status_code == 200


def test_a_second_open_dossier_is_refused(api, open_dossier):
    response = api.post("/api/v1/dossiers", json={"certification": CODE})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "dossier_exists"
    assert error["details"] == {"dossier_id": open_dossier["id"]}
    assert open_dossier["reference"] in error["message"]


def test_open_refusals(api, api_for, create_user, dossier_plugin):
    response = api.post("/api/v1/dossiers", json={"certification": "NOPE1"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "certification_not_found"
    response = api.post("/api/v1/dossiers", json={"certification": "DAPI02"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "no_online_dossier"
    response = api.post("/api/v1/dossiers", json={"certif": CODE})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"certif": ["Champ inconnu."],
                                                       "certification": ["Ce champ est obligatoire."]}
    response = api.post("/api/v1/dossiers", data="pas du json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"
    juror = api_for(create_user(role="juror"))
    response = juror.post("/api/v1/dossiers", json={"certification": CODE})
    # the policy's endpoint gate: only candidates open dossiers
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_list_shows_only_the_callers_dossiers(api, api_for, create_user, open_dossier):
    items = api.get("/api/v1/dossiers").get_json()["items"]
    assert [d["id"] for d in items] == [open_dossier["id"]]
    assert items[0]["status"] == "draft" and "sections" not in items[0]
    other = api_for(create_user(role="candidate"))
    assert other.get("/api/v1/dossiers").get_json() == {"items": []}


# -- sections -----------------------------------------------------------------

def test_put_a_valid_section_makes_it_complete(api, open_dossier):
    response = api.put(_url(open_dossier, "/sections/etat_civil"), json=ETAT_CIVIL)
    assert response.status_code == 200, response.get_json()
    section = response.get_json()
    assert section["key"] == "etat_civil" and section["state"] == "complete" and section["complete"] is True
    assert section["problems"] == {} and section["revision"] == 1 and section["updated_at"].endswith("Z")
    assert section["data"]["nom_famille"] == "Martin" and section["data"]["date_naissance"] == "1985-04-12"
    assert response.headers["ETag"] == '"1"'
    again = api.get(_url(open_dossier, "/sections/etat_civil"))
    assert again.status_code == 200 and again.get_json() == section and again.headers["ETag"] == '"1"'


def test_values_are_parsed_as_a_browser_would(api, open_dossier):
    data = {**ETAT_CIVIL, "telephone_portable": "06 12 34 56 78"}
    section = api.put(_url(open_dossier, "/sections/etat_civil"), json=data).get_json()
    assert section["complete"] is True
    assert section["data"]["telephone_portable"] == "+33612345678"


def test_put_a_wrong_date_is_a_422_with_the_path_and_saves_nothing(api, open_dossier):
    response = api.put(_url(open_dossier, "/sections/etat_civil"), json={**ETAT_CIVIL, "date_naissance": "1985-02-31"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert list(error["details"]) == ["date_naissance"]
    assert "date" in error["details"]["date_naissance"][0].lower()
    assert "rien n'a été enregistré" in error["message"]
    section = api.get(_url(open_dossier, "/sections/etat_civil")).get_json()
    assert section["state"] == "empty" and section["revision"] is None and section["data"] == {}


def test_put_an_unknown_field_or_a_wrong_type_is_a_422_with_the_path(api, open_dossier):
    response = api.put(_url(open_dossier, "/sections/etat_civil"), json={**ETAT_CIVIL, "surnom": "Clo"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"surnom": ["Champ inconnu."]}

    response = api.put(_url(open_dossier, "/sections/declaration_honneur"),
                       json={**DECLARATION, "exactitude": "peut-être", "fait_a": 12})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert set(details) == {"exactitude", "fait_a"}
    assert details["exactitude"] == ["Type de valeur invalide (attendu : booléen)."]

    response = api.put(_url(open_dossier, "/sections/etat_civil"), json=["pas", "un", "objet"])
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_failed"
    response = api.put(_url(open_dossier, "/sections/etat_civil"), data="{", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"
    assert api.get(_url(open_dossier, "/sections/etat_civil")).get_json()["revision"] is None


def test_put_an_incomplete_section_saves_it_with_its_problems(api, open_dossier):
    response = api.put(_url(open_dossier, "/sections/etat_civil"), json={"nom_famille": "Martin"})
    assert response.status_code == 200
    section = response.get_json()
    assert section["complete"] is False and section["state"] == "in_progress"
    assert section["data"]["nom_famille"] == "Martin"
    assert "prenoms" in section["problems"] and "nom_famille" not in section["problems"]
    assert section["problems"]["prenoms"] == ["Ce champ est obligatoire."]
    problems = api.get(_url(open_dossier, "/problems")).get_json()
    assert problems["ready"] is False
    invalid = [p for p in problems["items"] if p["code"] == "section_invalid"]
    assert {"section": "etat_civil", "field": "prenoms"} in [{"section": p["section"], "field": p["field"]}
                                                             for p in invalid]


def test_data_read_back_can_be_sent_again(api, open_dossier):
    saved = api.put(_url(open_dossier, "/sections/etat_civil"), json={"nom_famille": "Martin", "civilite": None})
    data = saved.get_json()["data"]
    assert "age" in data  # computed, read-only, but accepted back
    response = api.put(_url(open_dossier, "/sections/etat_civil"), json={**data, "prenoms": "Claire"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] == 2 and response.get_json()["data"]["prenoms"] == "Claire"


def test_a_stale_revision_is_refused(api, open_dossier):
    url = _url(open_dossier, "/sections/lettre_motivation")
    first = api.put(url, json={"lettre": "Premier jet."})
    assert first.get_json()["revision"] == 1
    second = api.put(url, json={"lettre": "Deuxième jet."}, headers={"If-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.get_json()["revision"] == 2

    stale = api.put(url, json={"lettre": "Écrit dans un autre onglet."}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "stale_revision"
    stale = api.put(url, json={"data": {"lettre": "Autre onglet."}, "revision": 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_revision"
    assert api.get(url).get_json()["data"] == {"lettre": "Deuxième jet."}

    fresh = api.put(url, json={"data": LETTRE, "revision": 2})
    assert fresh.status_code == 200 and fresh.get_json()["revision"] == 3 and fresh.get_json()["complete"] is True

    bad = api.put(url, json=LETTRE, headers={"If-Match": "nimporte"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_revision"
    both = api.put(url, json={"data": LETTRE, "revision": 3}, headers={"If-Match": '"2"'})
    assert both.status_code == 400 and both.get_json()["error"]["code"] == "invalid_revision"


def test_unknown_and_non_form_sections(api, open_dossier):
    response = api.get(_url(open_dossier, "/sections/inconnue"))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "section_not_found"
    response = api.put(_url(open_dossier, "/sections/inconnue"), json={})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "section_not_found"
    response = api.put(_url(open_dossier, "/sections/annexes"), json={})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "not_a_form_section"
    annexes = api.get(_url(open_dossier, "/sections/annexes")).get_json()
    assert annexes["kind"] == "annexes" and annexes["data"] is None


def test_get_dossier_shows_section_states_problems_and_coverage(api, open_dossier):
    api.put(_url(open_dossier, "/sections/etat_civil"), json=ETAT_CIVIL)
    api.put(_url(open_dossier, "/sections/lettre_motivation"), json={"lettre": ""})
    dossier = api.get(_url(open_dossier)).get_json()
    states = {s["key"]: s["state"] for s in dossier["sections"]}
    assert states == {"etat_civil": "complete", "lettre_motivation": "in_progress", "annexes": "complete",
                      "contenu": "complete", "declaration_honneur": "empty"}
    lettre = next(s for s in dossier["sections"] if s["key"] == "lettre_motivation")
    assert lettre["problems"] == {"lettre": ["Ce champ est obligatoire."]} and lettre["revision"] == 1
    blocking = [(p["section"], p["code"]) for p in dossier["problems"] if p["blocking"]]
    assert blocking == [("lettre_motivation", "section_invalid"), ("declaration_honneur", "section_empty")]
    assert [(c["competency"], c["annexes"]) for c in dossier["coverage"]] == [("C1", []), ("C2", [])]
    warnings = [p for p in dossier["problems"] if not p["blocking"]]
    assert {p["code"] for p in warnings} == {"competency_without_evidence"}


# -- submission ---------------------------------------------------------------

def test_submit_an_incomplete_dossier_is_a_409_with_the_problem_list(api, open_dossier):
    api.put(_url(open_dossier, "/sections/etat_civil"), json=ETAT_CIVIL)
    response = api.post(_url(open_dossier, "/submit"), json={"password": "motdepasse-solide"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "dossier_incomplete"
    assert error["details"] == [
        {"message": "La section « Lettre de motivation » n'est pas remplie.", "section": "lettre_motivation",
         "field": None, "code": "section_empty"},
        {"message": "La section « Déclaration sur l'honneur » n'est pas remplie.",
         "section": "declaration_honneur", "field": None, "code": "section_empty"},
    ]
    assert api.get(_url(open_dossier)).get_json()["status"] == "draft"


def test_submit_needs_the_password_to_sign(api, open_dossier, fill):
    fill(open_dossier["id"])
    missing = api.post(_url(open_dossier, "/submit"), json={})
    assert missing.status_code == 422 and "password" in missing.get_json()["error"]["details"]
    wrong = api.post(_url(open_dossier, "/submit"), json={"password": "pas-le-bon-mot-de-passe"})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "reauthentication_failed"
    assert api.get(_url(open_dossier)).get_json()["status"] == "draft"


def test_fill_everything_then_submit(api, open_dossier, fill, outbox):
    fill(open_dossier["id"])
    problems = api.get(_url(open_dossier, "/problems")).get_json()
    assert problems["ready"] is True and problems["blocking_count"] == 0

    response = api.post(_url(open_dossier, "/submit"), json={"password": "motdepasse-solide"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["dossier_id"] == open_dossier["id"] and body["status"] == "submitted"
    assert body["version"]["number"] == 1 and body["version"]["manifest"] == []
    documents = api.get(_url(open_dossier, "/documents")).get_json()["items"]
    assert {d["kind"] for d in documents} == {"livret2", "receipt"}
    assert body["version"]["submitted_at"].endswith("Z")

    dossier = api.get(_url(open_dossier)).get_json()
    assert dossier["status"] == "submitted" and dossier["editable"] is False
    assert dossier["submitted_at"] is not None
    assert [v["number"] for v in dossier["versions"]] == [1]
    assert any(open_dossier["reference"] in str(m) for m in outbox())

    locked = api.put(_url(open_dossier, "/sections/lettre_motivation"), json=LETTRE)
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "dossier_locked"
    locked = api.put(_url(open_dossier, "/sections/lettre_motivation"), json={"nope": 1})
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "dossier_locked"
    again = api.post(_url(open_dossier, "/submit"), json={"password": "motdepasse-solide"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "wrong_state"
    assert api.get(_url(open_dossier, "/problems")).get_json()["ready"] is False

    # a submitted dossier is still open: no second one for the same certification
    assert api.post("/api/v1/dossiers", json={"certification": CODE}).status_code == 409


def test_the_section_writes_are_audited(app, api, open_dossier):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    api.put(_url(open_dossier, "/sections/lettre_motivation"), json=LETTRE)
    api.put(_url(open_dossier, "/sections/lettre_motivation"), json={"lettre": 3})  # refused: nothing recorded
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "dossier.section_saved")).all()
        assert [(e.object_id, e.payload["section"], e.payload["revision"]) for e in events] == [
            (str(open_dossier["id"]), "lettre_motivation", 1)]

