"""Behind a reverse proxy (TRUSTED_PROXIES), rate limits count per client address; without it, the header is ignored."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LOGIN_RATE_LIMIT": "2 per minute"}


def _attempts(app, address, n):
    client = app.test_client()
    return [client.post("/connexion", data={"email": f"{address}@example.org", "password": "faux-mot-de-passe"},
                        headers={"X-Forwarded-For": address}).status_code for _ in range(n)]


def test_each_client_behind_the_proxy_has_its_own_limit(app, app_config):
    from core import create_app

    app = create_app({**app_config, "TRUSTED_PROXIES": 1})  # on the database of ``app``, emptied after the test
    assert _attempts(app, "198.51.100.7", 3) == [422, 422, 429]
    assert _attempts(app, "198.51.100.8", 1) == [422]  # another person behind the same proxy


def test_without_a_trusted_proxy_the_header_cannot_dodge_the_limit(app):
    first = _attempts(app, "198.51.100.7", 2)
    assert first == [422, 422]
    assert _attempts(app, "198.51.100.9", 1) == [429]  # same TCP peer: the forged header changes nothing
