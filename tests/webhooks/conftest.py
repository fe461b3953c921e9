"""Fixtures of the webhook tests: a local HTTP receiver, an organisation with an admin and staff."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from core.sealing.testing import signing_env  # noqa: F401 - admissibility letters are sealed


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
