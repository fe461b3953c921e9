"""The policy table covers the application: every endpoint listed, nothing stale, every action defined,
and an endpoint nobody listed refused to everybody (deny by default)."""
from __future__ import annotations

import pytest

from core.policy import ACTIONS, ENDPOINTS, OPERATOR, POLICY, PUBLIC, SIGNED_IN


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The application as installed (core and the default plugins); no database is needed to read its routes."""
    from core import create_app

    base = tmp_path_factory.mktemp("policy-table")
    return create_app({"INSTANCE_PATH": str(base / "instance"), "DATABASE_URL": f"sqlite:///{base}/unused.sqlite3",
                       "SECRET_KEY": "test-secret-key-not-for-production", "TESTING": True})


def _endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_endpoint_of_the_url_map_has_an_entry(bare_app):
    missing = sorted(e for e in _endpoints(bare_app) if e not in ENDPOINTS)
    assert not missing, ("endpoints without an entry in core/policy/endpoints.py (refused to everybody until "
                         "listed): " + ", ".join(missing))


def test_no_entry_names_an_endpoint_that_does_not_exist(bare_app):
    existing = _endpoints(bare_app)
    stale = sorted(e for e in ENDPOINTS if e not in existing)
    if not any(e.startswith("platform") for e in existing):
        # The platform's administration (platform.*, platform_api.*) was listed in the table before its views
        # were written: tolerated only while none of them exists. Once one does, a missing one is stale.
        stale = [e for e in stale if not e.startswith("platform")]
    assert not stale, "entries of core/policy/endpoints.py naming no endpoint: " + ", ".join(stale)


def test_every_action_of_the_endpoints_is_defined():
    used = set(ENDPOINTS.values()) - {PUBLIC, SIGNED_IN, OPERATOR}
    assert not sorted(used - set(ACTIONS)), f"actions missing from ACTIONS: {sorted(used - set(ACTIONS))}"
    assert not sorted(used - set(POLICY)), f"actions missing from POLICY: {sorted(used - set(POLICY))}"
    assert set(POLICY) == set(ACTIONS), "POLICY and ACTIONS must describe the same actions"
    for action, spec in ACTIONS.items():
        assert spec.target in ("dossier", "document", "session", "organisation", "none"), (action, spec.target)


def test_an_endpoint_nobody_listed_is_refused_to_everybody(app, create_user, create_organisation, login):
    """A route added without its line in the table answers 404 to every role, page or API, signed in or not."""
    from flask import Blueprint

    from core.api.auth import token_required

    unlisted = Blueprint("policy_unlisted", __name__)

    @unlisted.route("/essai-sans-politique", methods=["GET", "POST"])
    def page():
        return "atteint"

    @unlisted.get("/api/v1/essai-sans-politique")
    @token_required
    def api():
        return {"atteint": True}

    app.register_blueprint(unlisted)  # before the first request
    assert "policy_unlisted.page" not in ENDPOINTS and "policy_unlisted.api" not in ENDPOINTS

    org = create_organisation("Organisme de l'essai")
    people = [create_user(role, organisation=org if role in ("session_manager", "certifier_staff",
                                                             "certifier_admin") else None)
              for role in ("candidate", "juror", "session_manager", "certifier_staff", "certifier_admin",
                           "platform_admin")]
    answers = {}
    anonymous = app.test_client()
    answers["anonymous GET page"] = anonymous.get("/essai-sans-politique").status_code
    answers["anonymous POST page"] = anonymous.post("/essai-sans-politique", data={}).status_code
    answers["anonymous GET api"] = anonymous.get("/api/v1/essai-sans-politique").status_code
    for user in people:
        client = app.test_client()
        login(user, test_client=client)
        answers[f"{user.role.value} GET page"] = client.get("/essai-sans-politique").status_code
        answers[f"{user.role.value} POST page"] = client.post("/essai-sans-politique", data={}).status_code
        with app.app_context():
            from core.api.services import issue_token
            from core.auth.models import User
            from core.extensions import db

            secret, _token = issue_token(db.session.get(User, user.id), name="essai")
            db.session.commit()
        answers[f"{user.role.value} GET api"] = client.get(
            "/api/v1/essai-sans-politique", headers={"Authorization": f"Bearer {secret}"}).status_code
    wrong = {who: status for who, status in answers.items() if status != 404}
    assert not wrong, f"an unlisted endpoint answered something else than 404: {wrong}"
