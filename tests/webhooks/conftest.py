"""Fixtures of the webhook tests: local HTTP receivers, an organisation with an admin and staff, the test
certifications, and what a receiver checks in a delivery (signature, envelope, payload schema)."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from core.certifications.descriptor import Fee
from core.dossiers.sections import SectionSpec
from core.hookspecs import hookimpl
from core.sealing.testing import signing_env  # noqa: F401 - admissibility letters are sealed
from core.testing import make_certification
from forms.sections import get

FEE_CODE = "WHK01"
REVIEW_CODE = "WHK02"
ALL = ["dossier.submitted", "dossier.corrections_requested", "dossier.admissibility_decided", "fee.paid",
       "fee.waived", "session.opened", "decision.sealed", "certificate.issued", "pv.sealed", "erasure.done"]


class WebhookPlugin:
    __name__ = "webhookplugin"

    @hookimpl
    def livret_certifications(self):
        return [make_certification(FEE_CODE, "Certification payante", fee=Fee(30000, label="Frais de recevabilité")),
                make_certification(REVIEW_CODE, "Certification à recevabilité", fee=None)]

    @hookimpl
    def livret_dossier_sections(self, certification):
        if certification.code != REVIEW_CODE:
            return None
        return [SectionSpec("lettre_motivation", "Votre lettre de motivation", form=get("lettre_motivation")),
                SectionSpec("declaration_honneur", "Déclaration sur l'honneur", form=get("declaration_honneur"))]


@pytest.fixture
def plugin(register_plugin):
    return register_plugin(WebhookPlugin(), "webhookplugin")


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def register(client, token: str, url: str, events=("fee.paid", "dossier.admissibility_decided")):
    return client.post("/api/v1/webhooks", json={"url": url, "events": list(events), "description": "SI"},
                       headers=auth(token))


def verify(request: dict, secret: str) -> None:
    """The receiver's check: HMAC-SHA256 of the raw body with the endpoint's secret, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Livret-Signature"], expected)


def check_delivery(request: dict, secret: str, spec: dict) -> dict:
    """A delivery as a receiver checks it: signed with ``secret``, headers and envelope consistent, the body
    valid against the OpenAPI document's ``x-webhooks`` schema of its event and ``data`` exactly its payload
    schema (no field missing nor undeclared). Returns the body."""
    from openapi_schema_validator import OAS30Validator, validate

    from core.webhooks.schemas import payload_errors

    verify(request, secret)
    body = request["json"]
    headers = request["headers"]
    assert set(body) == {"id", "event", "timestamp", "created_at", "data"}
    assert headers["X-Livret-Event"] == body["event"] and headers["X-Livret-Delivery"] == str(body["id"])
    assert headers["X-Livret-Timestamp"] == str(body["timestamp"])
    schema = spec["x-webhooks"][body["event"]]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validate(body, {**schema, "components": spec["components"]}, cls=OAS30Validator)
    assert payload_errors(body["event"], body["data"]) is None
    return body


class Receiver:
    """A real HTTP server on 127.0.0.1 (free port) recording every POST; answers ``status``."""


@pytest.fixture
def app_config(app_config, signing_env):
    return {**app_config, **signing_env, "WEBHOOKS_ALLOW_LOOPBACK": True}


class Receiver:
    """A real HTTP server on 127.0.0.1 (free port) recording every POST; answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "json": json.loads(body)})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def make_receiver():
    """``make_receiver()``: another running :class:`Receiver`, stopped after the test."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(Receiver())


@pytest.fixture
def spec(client):
    """The OpenAPI document, as a receiver's developer downloads it."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def events_of(receiver: Receiver) -> list[str]:
    return [r["json"]["event"] for r in receiver.requests]


@pytest.fixture
def make_token(app):
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def factory(user) -> str:
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="test")
            db.session.commit()
        return secret

    return factory


@pytest.fixture
def org_with_admin(app, create_organisation, create_user, make_token):
    """``org_with_admin(*codes)`` → namespace(org, admin, staff, token), the certifications enabled."""
    from core.auth.models import OrganisationCertification
    from core.extensions import db

    def factory(*codes: str, name: str = "Certificateur Webhooks"):
        org = create_organisation(name, siret="73282932000074", address="55 rue de Vincennes, 93100 Montreuil")
        with app.app_context():
            for code in codes:
                db.session.add(OrganisationCertification(organisation_id=org.id, certification_code=code))
            db.session.commit()
        admin = create_user("certifier_admin", organisation=org)
        staff = create_user("certifier_staff", organisation=org, first_name="Sacha", last_name="Durand")
        return SimpleNamespace(org=org, admin=admin, staff=staff, token=make_token(admin))

    return factory
