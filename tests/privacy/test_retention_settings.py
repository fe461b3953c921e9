"""The certifier admin's « Conservation des données »: rules, periods changed within bounds (page and API),
what goes next month, and nobody else reaching it."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.utils import add_months
from tests.privacy.retention_support import (CODE, NOW, decided, draft, inadmissible, months_ago,  # noqa: F401
                                             org_admin, retention_plugin, token_headers)

PAGE = "/certificateur/organisation/conservation"
API = "/api/v1/organisation/retention"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _setting(app, org_id, kind):
    from core.extensions import db
    from core.privacy.models import RetentionSetting

    with app.app_context():
        row = db.session.get(RetentionSetting, (org_id, CODE, kind))
        return row.months if row else None


def _events(app, action="retention.setting_changed"):
    from core.audit.models import AuditEvent
    from core.extensions import db

    with app.app_context():
        return [e.payload for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                      .order_by(AuditEvent.id))]


@pytest.fixture
def next_month(app, org_admin, create_user, monkeypatch):
    """Dossiers of the admin's organisation due within a month, one due already, and another organisation's."""
    other_admin = create_user("certifier_admin", first_name="Autre", last_name="Admin")
    from core.auth.models import Organisation, OrganisationCertification
    from core.extensions import db

    with app.app_context():
        org_id = org_admin.organisation_id
        soon = decided(app, org_id, sealed_at=months_ago(12) + timedelta(days=10))
        declared, _ = inadmissible(app, org_id, declared_at=months_ago(12) + timedelta(days=20),
                                   monkeypatch=monkeypatch)
        reminder, _ = draft(app, org_id, last=months_ago(6) + timedelta(days=5))
        due_now, _ = draft(app, org_id, last=months_ago(13), reminded=NOW - timedelta(days=40))
        later = decided(app, org_id, sealed_at=months_ago(9))
        theirs_org = db.session.get(Organisation, other_admin.organisation_id)
        theirs_org.certifications.append(OrganisationCertification(certification_code=CODE))
        theirs = decided(app, other_admin.organisation_id, sealed_at=months_ago(12) + timedelta(days=3))
        db.session.commit()
        return {"soon": soon, "inadmissible": declared.reference, "inadmissible_id": declared.id,
                "reminder": reminder.id, "due_now": due_now.id, "later": later, "theirs": theirs,
                "other_admin": other_admin}


def test_the_report_lists_the_rules_and_what_goes_next_month(app, client, login, org_admin, next_month):
    login(org_admin)
    assert "Conservation des données" in text(client.get("/espace/"))
    assert PAGE in text(client.get("/certificateur/organisation"))
    page = text(client.get(PAGE))
    assert page.count("<h1") == 1 and "Conservation des données" in page
    for expected in ("RET01 – Certification à conserver", "RET02 – Autre certification",
                     "Dossiers jamais déposés (brouillons abandonnés) et leurs pièces", "la décision finale du jury",
                     "Code de commerce, art. L123-22", "Conservation sans limite de durée", "Sessions de connexion",
                     "Ce qui sera supprimé le mois prochain", "Dossiers jugés : sections et pièces jointes supprimées",
                     "Rappels avant suppression d'un brouillon"):
        assert expected in page, expected
    assert next_month["soon"].extra["reference"] in page and next_month["inadmissible"] in page
    assert f"Brouillon n° {next_month['reminder']} (jamais déposé)" in page
    assert f"Brouillon n° {next_month['due_now']}" not in page  # due already: counted, not listed
    assert "1 élément est déjà arrivé à échéance" in page
    assert next_month["later"].extra["reference"] not in page
    assert next_month["theirs"].extra["reference"] not in page  # another organisation's dossier


def test_periods_changed_on_the_page_within_bounds(app, client, login, org_admin):
    login(org_admin)
    org_id = org_admin.organisation_id
    url = f"{PAGE}/{CODE}"
    fields = {f"{CODE}-{kind}": value for kind, value in (
        ("draft_reminder", "6"), ("draft", "12"), ("dossier_after_decision", "12"), ("inadmissible", "12"),
        ("fee_records", "120"))}

    refused = client.post(url, data={**fields, f"{CODE}-draft": "500"}, page=PAGE)
    assert refused.status_code == 422
    body = text(refused)
    assert 'id="duree-RET01-draft-error"' in body and "Indiquez une durée entre 1 et 120 mois." in body
    assert 'value="500"' in body and 'aria-invalid="true"' in body
    assert _setting(app, org_id, "draft") is None and _events(app) == []

    typed = text(client.post(url, data={**fields, f"{CODE}-inadmissible": "douze"}, page=PAGE))
    assert "Saisissez un nombre entier." in typed and 'value="douze"' in typed
    empty = text(client.post(url, data={**fields, f"{CODE}-inadmissible": ""}, page=PAGE))
    assert "Indiquez une durée en mois." in empty
    order = client.post(url, data={**fields, f"{CODE}-draft_reminder": "12"}, page=PAGE)
    assert order.status_code == 422 and "Le rappel doit partir avant la suppression du brouillon" in text(order)
    assert _events(app) == []

    saved = client.post(url, data={**fields, f"{CODE}-draft": "18", f"{CODE}-fee_records": "130"}, page=PAGE)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"#regles-{CODE}")
    page = text(client.get(PAGE))
    assert "RET01 : 2 durées de conservation modifiées." in page
    assert "18 mois" in page and "(12 mois par défaut)" in page and 'value="18"' in page
    assert (_setting(app, org_id, "draft"), _setting(app, org_id, "fee_records")) == (18, 130)
    assert _events(app) == [
        {"certification": CODE, "kind": "draft", "months": 18, "previous": 12, "default": 12},
        {"certification": CODE, "kind": "fee_records", "months": 130, "previous": 120, "default": 120}]

    same = client.post(url, data={**fields, f"{CODE}-draft": "18", f"{CODE}-fee_records": "130"}, page=PAGE)
    assert same.status_code == 302 and "Aucune modification à enregistrer." in text(client.get(PAGE))
    back = client.post(url, data=fields, page=PAGE)  # the certification's periods again: the settings go
    assert back.status_code == 302 and _setting(app, org_id, "draft") is None
    assert len(_events(app)) == 4

    token = client.csrf_token_for(url, page=PAGE)  # the page's token, sent to a URL no form of it posts to
    assert client.post(f"{PAGE}/XYZ99", data={**fields, "csrf_token": token}).status_code == 404
    assert client.post(f"{PAGE}/{'X' * 3000}", data={**fields, "csrf_token": token}).status_code == 404


def test_the_organisations_period_applies_to_its_dossiers_only(app, org_admin, create_user, retention_plugin):
    from core.auth.models import Organisation, OrganisationCertification, User
    from core.errors import NotFound, ValidationFailed
    from core.extensions import db
    from core.privacy.models import RetentionSetting
    from core.privacy.retention_plan import plan
    from core.privacy.retention_settings import set_periods

    other = create_user("certifier_admin")
    with app.app_context():
        org = db.session.get(Organisation, org_admin.organisation_id)
        other_org = db.session.get(Organisation, other.organisation_id)
        other_org.certifications.append(OrganisationCertification(certification_code=CODE))
        mine, _ = draft(app, org.id, last=months_ago(13), reminded=NOW - timedelta(days=40))
        theirs, _ = draft(app, other_org.id, last=months_ago(13), reminded=NOW - timedelta(days=40))
        db.session.commit()
        actor = db.session.get(User, org_admin.id)
        due = {item.dossier_id for item in plan(NOW).items["draft"]}
        assert due == {mine.id, theirs.id}

        assert set_periods(org, CODE, {"draft": 24}, actor=actor) == ["draft"]
        db.session.commit()
        due = {item.dossier_id for item in plan(NOW).items["draft"]}
        assert due == {theirs.id}
        # a year later, the organisation's own period is over too
        assert {i.dossier_id for i in plan(add_months(NOW, 12)).items["draft"]} >= {mine.id, theirs.id}

        for months, kind in ((0, "draft"), (121, "draft"), (119, "fee_records"), (None, "draft"), (True, "draft"),
                             ("12", "draft"), (6, "login_records"), (12, "decision_records"), (12, "audit_events")):
            with pytest.raises(ValidationFailed) as refused:
                set_periods(org, CODE, {kind: months}, actor=actor)
            assert kind in refused.value.details and str(refused.value), (kind, months)
        with pytest.raises(NotFound):
            set_periods(org, CODE, {"brouillons": 12}, actor=actor)
        with pytest.raises(NotFound):
            set_periods(org, "ZZZ01", {"draft": 12}, actor=actor)
        db.session.rollback()
        # a row outside the bounds (written by hand) is ignored: the certification's period applies
        db.session.add(RetentionSetting(organisation_id=other_org.id, certification_code=CODE, kind="draft",
                                        months=1000))
        db.session.commit()
        assert theirs.id in {item.dossier_id for item in plan(NOW).items["draft"]}


def test_nobody_else_reaches_the_report_or_changes_a_period(app, client, login, org_admin, create_user,
                                                             token_headers):
    from core.auth.models import Organisation

    staff = create_user("certifier_staff", organisation=Organisation(id=org_admin.organisation_id))
    candidate = create_user("candidate")
    other_admin = create_user("certifier_admin")  # of another organisation, without RET01
    platform = create_user("platform_admin")
    for user in (staff, candidate, platform):
        assert client.get(API, headers=token_headers(user)).status_code in (403, 404)
        assert client.put(f"{API}/{CODE}/draft", headers=token_headers(user), json={"months": 24}).status_code \
            in (403, 404)
        person = app.test_client()
        login(user, test_client=person)
        assert person.get(PAGE).status_code in (403, 404)
    theirs = client.get(API, headers=token_headers(other_admin)).get_json()
    assert theirs["certifications"] == [] and theirs["upcoming"]["items"] == []
    refused = client.put(f"{API}/{CODE}/draft", headers=token_headers(other_admin), json={"months": 24})
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "certification_not_found"
    other = app.test_client()
    login(other_admin, test_client=other)
    assert "aucune certification" in text(other.get(PAGE))
    assert other.post(f"{PAGE}/{CODE}", data={f"{CODE}-draft": "24"}).status_code == 404
    assert _setting(app, org_admin.organisation_id, "draft") is None
    assert client.get(API).status_code == 401


def test_the_api_reads_the_report_and_changes_one_period(app, client, org_admin, next_month, token_headers):
    mine = token_headers(org_admin)
    got = client.get(API, headers=mine)
    assert got.status_code == 200
    body = got.get_json()
    assert [c["code"] for c in body["certifications"]] == ["RET01", "RET02"]
    rules = {r["kind"]: r for r in body["certifications"][0]["rules"]}
    assert rules["draft"] == {
        "kind": "draft", "label": "Dossiers jamais déposés (brouillons abandonnés) et leurs pièces", "months": 12,
        "default_months": 12, "minimum": 1, "maximum": 120, "adjustable": True, "action": "delete",
        "action_label": "Suppression", "starts": "la dernière modification du brouillon",
        "basis": "Minimisation (RGPD art. 5-1-e) : un dossier abandonné ne sert plus à rien."}
    assert rules["decision_records"]["months"] is None and not rules["decision_records"]["adjustable"]
    assert "login_records" not in rules
    assert {r["kind"] for r in body["platform_rules"]} == {"audit_events", "login_records", "rate_limit_records"}
    items = body["upcoming"]["items"]
    assert {(i["kind"], i["dossier_id"]) for i in items} == {
        ("draft_reminder", next_month["reminder"]), ("dossier_after_decision", next_month["soon"].dossier_id),
        ("inadmissible", next_month["inadmissible_id"])}
    assert body["upcoming"]["due_now"] == {"draft": 1}

    ok = client.put(f"{API}/{CODE}/dossier_after_decision", headers=mine, json={"months": 13})
    assert ok.status_code == 200, ok.get_json()
    changed = {r["kind"]: r for r in ok.get_json()["rules"]}["dossier_after_decision"]
    assert (changed["months"], changed["default_months"]) == (13, 12)
    assert _events(app)[-1]["kind"] == "dossier_after_decision"
    # one month more: the decided dossier is no longer due next month
    items = client.get(API, headers=mine).get_json()["upcoming"]["items"]
    listed = {(i["kind"], i["dossier_id"]) for i in items}
    assert ("dossier_after_decision", next_month["soon"].dossier_id) not in listed

    for path, body_, status, code in (
            (f"{API}/{CODE}/draft", {"months": 0}, 422, "validation_failed"),
            (f"{API}/{CODE}/draft", {"months": "12"}, 422, "validation_failed"),
            (f"{API}/{CODE}/draft", {"months": 10 ** 30}, 422, "validation_failed"),
            (f"{API}/{CODE}/draft", {}, 422, "validation_failed"),
            (f"{API}/{CODE}/draft", {"months": 12, "extra": 1}, 422, "validation_failed"),
            (f"{API}/{CODE}/login_records", {"months": 6}, 422, "validation_failed"),
            (f"{API}/{CODE}/decision_records", {"months": 6}, 422, "validation_failed"),
            (f"{API}/{CODE}/brouillons", {"months": 6}, 404, "retention_kind_not_found"),
            (f"{API}/XYZ99/draft", {"months": 6}, 404, "certification_not_found"),
            (f"{API}/{'9' * 40}/{'k' * 300}", {"months": 6}, 404, "certification_not_found")):
        refused = client.put(path, headers=mine, json=body_)
        assert refused.status_code == status, (path, body_, refused.get_json())
        error = refused.get_json()["error"]
        assert error["code"] == code and error["message"], error
        if status == 422 and "months" in body_ and isinstance(body_.get("months"), int) and "extra" not in body_:
            assert "months" in error["details"], error
    assert len(_events(app)) == 1
