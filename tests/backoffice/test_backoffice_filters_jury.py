"""The staff dossier list filtered by jury session and by fee state: page, API, exports, pagination."""
from __future__ import annotations

import html
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest

ROW_LINK = re.compile(r'<th scope="row"><a href="/dossiers/(\d+)">')
LIST = "/certificateur/dossiers"
API = "/api/v1/backoffice/dossiers"


def listed(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return sorted(int(i) for i in ROW_LINK.findall(response.get_data(as_text=True)))


@pytest.fixture
def session_of(create_user, create_jury_session):
    """``session_of(org, code, dossier_ids, title=...)``: a jury session of ``org`` with those candidates."""

    def factory(org, code, dossier_ids, title="Session"):
        manager = create_user("session_manager", organisation=org)
        return create_jury_session(code, manager=manager, dossiers=[SimpleNamespace(id=i) for i in dossier_ids],
                                   title=title)

    return factory


@pytest.fixture
def fees(app):
    """``fees({dossier_id: "paid", ...})``: one fee request per dossier, in that state."""
    from core.extensions import db
    from core.fees.models import FeeRequest, FeeState

    def factory(states: dict[int, str]) -> None:
        with app.app_context():
            for dossier_id, state in states.items():
                db.session.add(FeeRequest(dossier_id=dossier_id, amount_cents=30000, label="Frais de recevabilité",
                                          transfer_reference=f"VAE-{dossier_id:08d}", state=FeeState(state)))
            db.session.commit()

    return factory


@pytest.fixture
def staff_org(app, staff):
    from core.auth.models import Organisation
    from core.extensions import db

    with app.app_context():
        org = db.session.get(Organisation, staff.organisation_id)
        db.session.expunge(org)
        return org


def test_session_filter_lists_the_candidates_of_that_session(client, login, staff, staff_org, make_dossiers,
                                                             session_of, api_token):
    a, b, c, d = make_dossiers([{"code": "RNCP37827", "status": "scheduled"},
                                {"code": "RNCP37827", "status": "scheduled"},
                                {"code": "RNCP37827", "status": "admissible"},
                                {"code": "RS6776", "status": "scheduled"}])
    first = session_of(staff_org, "RNCP37827", [a, b], title="Jury de mars")
    second = session_of(staff_org, "RS6776", [d], title="Jury RS de mars")
    login(staff)
    assert listed(client.get(f"{LIST}?session={first}")) == sorted([a, b])
    assert listed(client.get(f"{LIST}?session={second}")) == [d]
    assert listed(client.get(f"{LIST}?session={first}&certification=RS6776")) == []
    assert listed(client.get(f"{LIST}?session={first}&q=zzz")) == []
    assert listed(client.get(LIST)) == sorted([a, b, c, d])
    page = html.unescape(client.get(f"{LIST}?session={first}").get_data(as_text=True))
    assert '<label for="session">Session de jury</label>' in page
    assert re.search(rf'<option value="{first}" selected>Jury de mars – \d\d/\d\d/\d{{4}} \(RNCP37827\)</option>', page)
    assert f'<option value="{second}">Jury RS de mars' in page
    data = client.get(API, headers=api_token(staff), query_string={"session": first}).get_json()
    assert sorted(item["id"] for item in data["items"]) == sorted([a, b]) and data["count"] == 2


@pytest.mark.parametrize("value", ["other", "999999", "abc", "0", "-3", "99999999999999"])
def test_session_of_another_organisation_or_unknown_is_a_validation_error(client, login, staff, make_dossiers,
                                                                         org_with, session_of, api_token, value):
    mine = make_dossiers([{"code": "RNCP37827"}])
    theirs = make_dossiers([{"code": "RNCP37827"}])
    other_org = org_with("RNCP37827", name="Autre certificateur")
    other_session = session_of(other_org, "RNCP37827", theirs)
    value = str(other_session) if value == "other" else value
    login(staff)
    response = client.get(f"{LIST}?session={value}")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Session de jury inconnue ou d'un autre organisme." in page
    assert 'id="session-error"' in page and 'aria-describedby="session-error"' in page and 'href="#session"' in page
    assert ROW_LINK.findall(page) == []
    assert f'<option value="{other_session}"' not in page  # another organisation's sessions are never offered
    api = client.get(API, headers=api_token(staff), query_string={"session": value})
    assert api.status_code == 422
    assert api.get_json()["error"]["details"]["session"] == ["Session de jury inconnue ou d'un autre organisme."]
    assert client.get(f"{LIST}/export.csv?session={value}").status_code == 422
    assert mine  # the staff's own dossier exists but nothing is listed with a refused filter


def test_fee_filter(client, login, staff, make_dossiers, fees, api_token):
    requested, paid, waived, cancelled, none = make_dossiers([{} for _ in range(5)])
    fees({requested: "requested", paid: "paid", waived: "waived", cancelled: "cancelled"})
    login(staff)
    assert listed(client.get(f"{LIST}?fee=requested")) == [requested]
    assert listed(client.get(f"{LIST}?fee=paid")) == [paid]
    assert listed(client.get(f"{LIST}?fee=WAIVED")) == [waived]
    assert listed(client.get(f"{LIST}?fee=cancelled")) == [cancelled]
    assert listed(client.get(f"{LIST}?fee=none")) == [none]
    page = html.unescape(client.get(f"{LIST}?fee=paid").get_data(as_text=True))
    assert '<label for="fee">Frais de recevabilité</label>' in page
    assert '<option value="paid" selected>Réglés</option>' in page
    assert '<option value="none">Aucuns frais demandés</option>' in page
    bad = client.get(f"{LIST}?fee=rembourse")
    assert bad.status_code == 400
    assert "État des frais inconnu. Valeurs possibles : requested, paid, waived, cancelled, none." in \
        html.unescape(bad.get_data(as_text=True))
    headers = api_token(staff)
    assert [i["id"] for i in client.get(API, headers=headers, query_string={"fee": "none"}).get_json()["items"]] \
        == [none]
    api = client.get(API, headers=headers, query_string={"fee": "rembourse"})
    assert api.status_code == 422 and "fee" in api.get_json()["error"]["details"]


def test_session_and_fee_together_keep_keyset_pages(client, login, staff, staff_org, make_dossiers, session_of,
                                                    fees):
    in_session = make_dossiers([{"code": "RNCP37827"} for _ in range(64)])
    outside = make_dossiers([{"code": "RNCP37827"} for _ in range(6)])
    session_id = session_of(staff_org, "RNCP37827", in_session)
    fees({i: "paid" for i in in_session[:60] + outside})
    fees({i: "waived" for i in in_session[60:]})
    login(staff)
    first = client.get(f"{LIST}?session={session_id}&fee=paid")
    assert "60 dossiers correspondent." in first.get_data(as_text=True)
    found = re.search(r'<a href="([^"]+)" rel="next">', first.get_data(as_text=True))
    nxt = html.unescape(found.group(1))
    query = parse_qs(urlparse(nxt).query)
    assert query["session"] == [str(session_id)] and query["fee"] == ["paid"]
    pages = listed(first) + listed(client.get(nxt))
    assert sorted(pages) == sorted(in_session[:60]) and len(set(pages)) == 60


def test_exports_apply_and_record_the_new_filters(app, client, login, staff, staff_org, make_dossiers,
                                                  session_of, fees):
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.extensions import db

    a, b, c = make_dossiers([{"last_name": "Alpha"}, {"last_name": "Bravo"}, {"last_name": "Charlie"}])
    session_id = session_of(staff_org, "RNCP37827", [a, b])
    fees({a: "paid", b: "requested", c: "paid"})
    login(staff)
    text = client.get(f"{LIST}/export.csv?session={session_id}&fee=paid").get_data().decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and ";Alpha;" in lines[1]
    with app.app_context():
        payload = db.session.scalars(select(AuditEvent.payload).where(AuditEvent.action == "dossiers.exported")).one()
    assert payload["filters"]["session"] == str(session_id) and payload["filters"]["fee"] == "paid"
    assert payload["count"] == 1
    # the page's export links carry the filters
    page = html.unescape(client.get(f"{LIST}?session={session_id}&fee=paid").get_data(as_text=True))
    assert re.search(rf'/certificateur/dossiers/export\.csv\?[^"]*session={session_id}', page)


def test_new_parameters_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"][API]["get"]["parameters"]}
    assert parameters["session"]["schema"]["type"] == "integer"
    assert parameters["fee"]["schema"]["enum"] == ["requested", "paid", "waived", "cancelled", "none"]
