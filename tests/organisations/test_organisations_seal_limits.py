"""Wrong passwords of an uploaded seal count like wrong account passwords (core.auth.attempts): per account and
per address, 429 with Retry-After, nothing stored."""
from __future__ import annotations

import base64

import pytest

SEAL_PASSWORD = "mot-de-passe-du-p12"
URL = "/api/v1/organisation/seal"


@pytest.fixture
def org(create_organisation):
    return create_organisation("Organisme Alpha")


def _put(client, headers, p12, password):
    return client.put(URL, headers=headers, json={"pkcs12": base64.b64encode(p12).decode("ascii"),
                                                  "password": password})


def test_the_eleventh_wrong_seal_password_is_429_and_nothing_is_stored(client, create_user, org, api_headers,
                                                                        make_p12):
    headers = api_headers(create_user("certifier_admin", organisation=org))
    p12 = make_p12()
    for _ in range(10):
        wrong = _put(client, headers, p12, "pas le bon")
        assert wrong.status_code == 422 and wrong.json["error"]["details"]["password"]
    blocked = _put(client, headers, p12, SEAL_PASSWORD)  # the right one, too late
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert blocked.json["error"]["code"] == "rate_limited"
    assert "Trop de mots de passe erronés" in blocked.json["error"]["message"]
    assert client.get(URL, headers=headers).json["seal"] is None
    # a file without a password is not a password check: it does not count, but the limit still applies
    colleague = api_headers(create_user("certifier_admin", organisation=org))
    assert _put(client, colleague, p12, SEAL_PASSWORD).status_code == 429  # same address
