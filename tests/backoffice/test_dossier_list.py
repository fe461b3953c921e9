"""The staff dossier list page and API: scoping, filters, search, sort, keyset pagination."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

import pytest

ROW_LINK = re.compile(r'<th scope="row"><a href="/dossiers/(\d+)">')


def listed(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [int(i) for i in ROW_LINK.findall(response.get_data(as_text=True))]


def link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def test_staff_sees_submitted_dossiers_of_their_certifications_only(client, login, staff, make_dossiers,
                                                                     create_user, org_with):
    mine = make_dossiers([{"code": "RNCP37827"}, {"code": "RS6776", "status": "admissible"}])
    draft = make_dossiers([{"code": "RNCP37827", "status": "draft"}])
    other = make_dossiers([{"code": "OTHER01"}])
    login(staff)
    response = client.get("/certificateur/dossiers")
    body = response.get_data(as_text=True)
    assert sorted(listed(response)) == sorted(mine)
    assert "2 dossiers correspondent." in body
    assert 'role="status"' in body and "<caption>" in body
    assert draft[0] not in listed(response) and other[0] not in listed(response)


def test_other_organisation_sees_nothing_and_gets_404(app, client, login, staff, make_dossiers, create_user,
                                                     org_with, api_token):
    ids = make_dossiers([{"code": "RNCP37827"}, {"code": "RS6776"}])
    outsider = create_user(role="certifier_admin", organisation=org_with("OTHER01", name="Autre organisme"))
    login(outsider)
    assert listed(client.get("/certificateur/dossiers")) == []
    assert client.get("/certificateur/dossiers?certification=RNCP37827").status_code == 400
    for dossier_id in ids:
        assert client.get(f"/dossiers/{dossier_id}").status_code == 404
    api = client.get("/api/v1/backoffice/dossiers", headers=api_token(outsider))
    assert api.status_code == 200 and api.get_json()["items"] == []
    assert client.get(f"/api/v1/dossiers/{ids[0]}", headers=api_token(outsider)).status_code == 404
    csv_body = client.get("/certificateur/dossiers/export.csv").get_data(as_text=True)
    assert "RNCP37827-2026" not in csv_body


def test_candidate_and_anonymous_are_refused(client, login, create_user, api_token, make_dossiers):
    make_dossiers([{}])
    assert client.get("/certificateur/dossiers").status_code in (302, 401)
    candidate = create_user(role="candidate")
    login(candidate)
    assert client.get("/certificateur/dossiers").status_code == 403
    assert client.get("/certificateur/dossiers/export.csv").status_code == 403
    assert client.get("/certificateur/dossiers/export.xlsx").status_code == 403
    api = client.get("/api/v1/backoffice/dossiers", headers=api_token(candidate))
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/backoffice/dossiers").status_code == 401


def test_filters(client, login, staff, make_dossiers):
    a, b, c, d = make_dossiers([
        {"code": "RNCP37827", "submitted_at": datetime(2026, 1, 10, 23, 30, tzinfo=timezone.utc)},
        {"code": "RNCP37827", "status": "admissible", "submitted_at": datetime(2026, 2, 1, 8, tzinfo=timezone.utc)},
        {"code": "RS6776", "submitted_at": datetime(2026, 2, 15, tzinfo=timezone.utc)},
        {"code": "RS6776", "status": "inadmissible", "submitted_at": datetime(2026, 3, 1, tzinfo=timezone.utc)},
    ])
    login(staff)
    get = lambda qs: sorted(listed(client.get("/certificateur/dossiers?" + qs)))  # noqa: E731
    assert get("certification=RS6776") == sorted([c, d])
    assert get("certification=rncp37827") == sorted([a, b])
    assert get("status=admissible") == [b]
    assert get("status=inadmissible&certification=RS6776") == [d]
    assert get("submitted_from=2026-02-01") == sorted([b, c, d])
    assert get("submitted_to=2026-01-10") == [a]  # the whole day is included
    assert get("submitted_from=01/02/2026&submitted_to=15/02/2026") == sorted([b, c])


@pytest.mark.parametrize("query", ["status=draft", "status=nope", "submitted_from=31-31-2026",
                                   "submitted_from=2026-03-01&submitted_to=2026-02-01", "sort=email",
                                   "direction=up", "cursor=garbage", "certification=UNKNOWN"])
def test_invalid_filters_are_explained(client, login, staff, make_dossiers, api_token, query):
    make_dossiers([{}])
    login(staff)
    response = client.get("/certificateur/dossiers?" + query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and "error-summary" in body
    api = client.get("/api/v1/backoffice/dossiers?" + query, headers=api_token(staff))
    assert api.status_code == 422
    error = api.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]) & {"status", "submitted_from", "submitted_to", "sort", "direction", "cursor",
                                    "certification"}


def test_search_by_name_email_reference(client, login, staff, make_dossiers):
    martin, dupont, other = make_dossiers([
        {"last_name": "Martin", "first_name": "Claire", "email": "claire.m@exemple.fr"},
        {"last_name": "Dupont", "first_name": "Martine", "email": "jd@exemple.fr"},
        {"last_name": "Leroy", "first_name": "Paul", "email": "paul@ailleurs.org"},
    ])
    login(staff)
    get = lambda q: sorted(listed(client.get("/certificateur/dossiers", query_string={"q": q})))  # noqa: E731
    assert get("MARTIN") == sorted([martin, dupont])  # last name Martin, first name Martine
    assert get("martin claire") == [martin]
    assert get("Paul") == [other]
    assert get("jd@") == [dupont]
    assert get("claire.m@EXEMPLE.fr") == [martin]
    assert get(f"rncp37827-2026-{other:06d}") == [other]
    assert get("RNCP37827-2026") == sorted([martin, dupont, other])
    assert get("%") == [] and get("_") == []  # wildcards are matched literally
    assert get("zzz") == []
    assert "Aucun dossier ne correspond." in client.get("/certificateur/dossiers?q=zzz").get_data(as_text=True)


def test_sort_orders(client, login, staff, make_dossiers):
    ids = make_dossiers([{"last_name": "Bernard"}, {"last_name": "alain"}, {"last_name": "Zola"},
                         {"last_name": "Bernard"}])
    login(staff)
    get = lambda qs: listed(client.get("/certificateur/dossiers?" + qs))  # noqa: E731
    assert get("") == list(reversed(ids))  # newest submission first by default
    assert get("sort=submitted_at&direction=asc") == ids
    assert get("sort=reference&direction=asc") == ids
    assert get("sort=reference&direction=desc") == list(reversed(ids))
    assert get("sort=last_name&direction=asc") == [ids[1], ids[0], ids[3], ids[2]]
    assert get("sort=last_name&direction=desc") == [ids[2], ids[3], ids[0], ids[1]]
    body = client.get("/certificateur/dossiers?sort=last_name&direction=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in body and body.count("aria-sort=") == 1


@pytest.mark.parametrize("sort", ["submitted_at", "reference", "last_name"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_pages_visit_each_dossier_once_both_ways(client, login, staff, make_dossiers, sort, direction):
    specs = [{"last_name": f"Nom{i % 7}", "submitted_at": datetime(2026, 1, 1 + i % 3, tzinfo=timezone.utc)}
             for i in range(120)]
    ids = make_dossiers(specs)
    login(staff)
    url = f"/certificateur/dossiers?sort={sort}&direction={direction}"
    pages, seen = [], []
    while url:
        response = client.get(url)
        rows = listed(response)
        pages.append(rows)
        seen += rows
        url = link(response, "next")
        assert len(pages) < 10
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 120
    assert "Première page" in response.get_data(as_text=True)
    # walk back with "previous" links from the last page
    back = [pages[-1]]
    url = link(response, "prev")
    while url:
        response = client.get(url)
        back.insert(0, listed(response))
        url = link(response, "prev")
    assert back == pages
    assert 'aria-label="Pagination des dossiers"' in response.get_data(as_text=True)


def test_keyset_pages_keep_filters(client, login, staff, make_dossiers):
    ids = make_dossiers([{"code": "RS6776"} for _ in range(60)] + [{"code": "RNCP37827"} for _ in range(5)])
    login(staff)
    first = client.get("/certificateur/dossiers?certification=RS6776")
    nxt = link(first, "next")
    assert parse_qs(urlparse(nxt).query)["certification"] == ["RS6776"]
    assert sorted(listed(first) + listed(client.get(nxt))) == sorted(ids[:60])


def test_capped_count(client, login, staff, make_dossiers, monkeypatch):
    from core.backoffice import services

    monkeypatch.setattr(services, "COUNT_CAP", 10)
    make_dossiers([{} for _ in range(12)])
    login(staff)
    body = client.get("/certificateur/dossiers").get_data(as_text=True)
    assert "Plus de 10 dossiers correspondent" in body


def test_api_cursor_walks_every_page(client, staff, make_dossiers, api_token):
    ids = make_dossiers([{} for _ in range(120)])
    headers = api_token(staff)
    seen, pages, cursor = [], 0, None
    while True:
        response = client.get("/api/v1/backoffice/dossiers", headers=headers,
                              query_string={"sort": "reference", "direction": "asc", **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        data = response.get_json()
        assert data["count"] == 120 and data["count_capped"] is False
        seen += [item["id"] for item in data["items"]]
        pages += 1
        cursor = data["next"]
        if cursor is None:
            break
    assert seen == ids and pages == 3
    last = data
    assert last["previous"]
    back = client.get("/api/v1/backoffice/dossiers", headers=headers,
                      query_string={"sort": "reference", "direction": "asc", "cursor": last["previous"]}).get_json()
    assert [i["id"] for i in back["items"]] == ids[50:100]
    item = last["items"][0]
    assert item["status"] == "submitted" and item["status_label"] == "Déposé"
    assert item["candidate"]["email"].endswith("@example.org")
    assert item["submitted_at"].endswith("Z") and item["links"]["html"] == f"/dossiers/{item['id']}"
    # a cursor made for another sort is refused
    wrong = client.get("/api/v1/backoffice/dossiers", headers=headers,
                       query_string={"sort": "last_name", "cursor": last["previous"]})
    assert wrong.status_code == 422 and "cursor" in wrong.get_json()["error"]["details"]


def test_api_in_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/backoffice/dossiers"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"certification", "status", "submitted_from",
                                                            "submitted_to", "q", "sort", "direction", "cursor"}
    assert "BackofficeDossierPage" in spec["components"]["schemas"]
    assert "BackofficeDossier" in spec["components"]["schemas"]
