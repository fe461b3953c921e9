"""Schemathesis against the app's own OpenAPI document, through the WSGI app (no network).

For each role (a candidate with a dossier, certifier staff with a submitted
dossier to review, a session manager with a session), every operation of
``/api/v1/openapi.json`` is called with bounded Hypothesis examples, valid
(positive) and invalid (negative) ones, half of them aimed at the role's real
objects (ids, section keys, certification code) so that they go past the 404.
Every answer must be:

- never a server error (``not_a_server_error``);
- a status the document declares for that operation (``status_code_conformance``);
- of a content type the document declares (``content_type_conformance``);
- with the headers the document declares (``response_headers_conformance``).

Runs are deterministic (``derandomize``): the suite never turns red by chance.
To explore further, ``LIVRET_SCHEMATHESIS_EXAMPLES`` sets the number of
examples per operation (default 25) and ``LIVRET_SCHEMATHESIS_SEED`` makes
Hypothesis draw at random (a number: that seed; ``random``: a new one each run).
"""
from __future__ import annotations

import io
import os
import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, status_code_conformance)

from core.sealing import testing as sealing_testing

app_config = sealing_testing.app_config  # fixtures: sealing and signing use the test PKI and TSA
signing_env = sealing_testing.signing_env

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance]
EXAMPLES = int(os.environ.get("LIVRET_SCHEMATHESIS_EXAMPLES", "25"))
SEED = os.environ.get("LIVRET_SCHEMATHESIS_SEED", "")
PASSWORD = "motdepasse-solide"
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
# operations that render a PDF each time: fewer examples, the time goes to WeasyPrint
SLOW_OPERATIONS = {"GET /api/v1/dossiers/{dossier_id}/preview": 3}


def _settings(examples: int = EXAMPLES):
    return settings(max_examples=examples, deadline=None, database=None, derandomize=not SEED,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                    print_blob=False, report_multiple_bugs=False)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(app, create_user, certifier_org, create_admissible_dossier, create_jury_session):
    """The objects each role reaches: ids and keys, by path parameter name."""
    from sqlalchemy import select

    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db
    from core.jury.models import SessionCandidate, SessionJuror

    org = certifier_org("RNCP37827", "RS6776", name="Certificateur schemathesis")
    candidate = create_user("candidate", password=PASSWORD)
    staff = create_user("certifier_staff", organisation=org, password=PASSWORD)
    manager = create_user("session_manager", organisation=org, password=PASSWORD)
    juror = create_user("juror", password=PASSWORD)
    submitted = create_admissible_dossier("RNCP37827")
    session_id = create_jury_session("RNCP37827", manager=manager, jurors=[juror], dossiers=[submitted])

    client = app.test_client()
    secrets = {}
    token_ids = {}
    with app.app_context():
        for role, user in (("candidate", candidate), ("staff", staff), ("manager", manager)):
            secret, token = issue_token(db.session.get(User, user.id), name="schemathesis")
            secrets[role], token_ids[role] = secret, token.id
        db.session.commit()
        session_candidate = db.session.scalar(select(SessionCandidate.id).where(
            SessionCandidate.session_id == session_id))
        session_juror = db.session.scalar(select(SessionJuror.id).where(SessionJuror.session_id == session_id))

    created = client.post("/api/v1/dossiers", json={"certification": "RNCP37827"},
                          headers={"Authorization": f"Bearer {secrets['candidate']}"})
    assert created.status_code == 201, created.get_data(as_text=True)
    own_dossier = created.get_json()["id"]
    uploaded = client.post(f"/api/v1/dossiers/{own_dossier}/annexes", content_type="multipart/form-data",
                           headers={"Authorization": f"Bearer {secrets['candidate']}"},
                           data={"file": (io.BytesIO(_png()), "capture.png"), "title": "Capture"})
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)

    common = {"code": "RNCP37827", "key": "etat_civil", "number": 1}
    return {
        "candidate": (secrets["candidate"], {**common, "dossier_id": own_dossier,
                                             "token_id": token_ids["candidate"]}),
        "staff": (secrets["staff"], {**common, "dossier_id": submitted.id, "token_id": token_ids["staff"]}),
        "manager": (secrets["manager"], {**common, "dossier_id": submitted.id, "session_id": session_id,
                                         "candidate_id": session_candidate, "juror_id": session_juror,
                                         "document_id": 1, "pv_id": 1, "token_id": token_ids["manager"]}),
    }


def _strategy(operation, known: dict[str, Any]):
    from schemathesis import GenerationMode

    names = {p.name for p in operation.path_parameters}
    aimed = {name: value for name, value in known.items() if name in names}
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if aimed:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=aimed))
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=aimed))
    return st.one_of(strategies)


def _run(app, role: str, world: dict) -> tuple[list[str], dict[str, int]]:
    from core.api.models import ApiToken
    from core.api.services import issue_token
    from core.extensions import db

    secret, known = world[role]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    statuses: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Reads first, deletions last: the role's objects stay in place for as long as possible.
    operations.sort(key=lambda op: (METHOD_ORDER.get(op.method.lower(), 5), op.path))
    for operation in operations:
        with app.app_context():  # a fresh token when an operation revoked the previous one
            token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(secret)))
            if token.revoked_at is not None:
                secret, _token = issue_token(token.user, name="schemathesis")
                db.session.commit()
        headers = {"Authorization": f"Bearer {secret}"}

        @_settings(min(EXAMPLES, SLOW_OPERATIONS.get(operation.label, EXAMPLES)))
        @given(case=_strategy(operation, known))
        def call(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            key = f"{response.status_code}"
            statuses[key] = statuses.get(key, 0) + 1

        if SEED.isdigit():
            call = seed(int(SEED))(call)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried, failures listed at the end
            failures.append(f"{role} {operation.label}: {type(exc).__name__}: {str(exc)[:3000]}")
    return failures, statuses


@pytest.mark.parametrize("role", ["candidate", "staff", "manager"])
def test_api_conforms_to_its_openapi_document(app, world, role):
    """A failure lists each operation's findings with a curl command; the captured log has the tracebacks."""
    started = time.monotonic()
    failures, statuses = _run(app, role, world)
    elapsed = time.monotonic() - started
    print(f"schemathesis {role}: {sum(statuses.values())} calls in {elapsed:.1f}s, statuses {sorted(statuses.items())}")
    assert not failures, "\n\n".join(failures)
