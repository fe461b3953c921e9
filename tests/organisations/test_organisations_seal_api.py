"""/api/v1/organisation/seal (GET, PUT, DELETE) and /api/v1/organisation/seal/tsa, in the OpenAPI document."""
from __future__ import annotations

import base64
import datetime as dt

import pytest

SEAL_PASSWORD = "mot-de-passe-du-p12"
URL = "/api/v1/organisation/seal"


@pytest.fixture
def org(create_organisation):
    return create_organisation("Organisme Alpha")


@pytest.fixture
def admin_headers(create_user, org, api_headers):
    return api_headers(create_user("certifier_admin", organisation=org))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_get_put_delete_round_trip(client, admin_headers, make_p12):
    body = client.get(URL, headers=admin_headers).get_json()
    assert body == {"state": "none", "in_use": False, "days_left": None, "expiring_soon": False, "seal": None,
                    "tsa_url": None}

    p12 = make_p12(cn="Organisme Alpha — cachet", days=20)
    response = client.put(URL, headers=admin_headers, json={"pkcs12": b64(p12), "password": SEAL_PASSWORD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "valid" and body["in_use"] is True
    assert body["expiring_soon"] is True and body["days_left"] in (19, 20)
    seal = body["seal"]
    assert seal["subject_cn"] == "Organisme Alpha — cachet" and seal["subject_o"] == "Organisme Alpha"
    assert len(seal["fingerprint_sha256"]) == 64 and seal["serial"]
    assert seal["not_after"].endswith("Z") and seal["chain"][0]["subject"].startswith("CN=Certificateur d'Essai")
    raw = response.get_data(as_text=True)
    assert SEAL_PASSWORD not in raw and b64(p12)[:40] not in raw and "password" not in raw
    assert client.get(URL, headers=admin_headers).get_json() == body

    response = client.delete(URL, headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["state"] == "none" and response.get_json()["seal"] is None


@pytest.mark.parametrize("options, password, field, fragment", [
    ({}, "faux", "password", "Le mot de passe ne déchiffre pas ce fichier PKCS#12."),
    ({"start": dt.timedelta(days=-400), "days": 30}, SEAL_PASSWORD, "pkcs12", "Le certificat a expiré le"),
    ({"usage": None}, SEAL_PASSWORD, "pkcs12", "aucun usage de clé"),
    ({"mismatched": True}, SEAL_PASSWORD, "pkcs12", "La clé privée du fichier ne correspond pas au certificat"),
])
def test_refused_uploads_are_422_seal_refused_with_the_reason(client, admin_headers, make_p12, options, password,
                                                              field, fragment):
    response = client.put(URL, headers=admin_headers, json={"pkcs12": b64(make_p12(**options)),
                                                            "password": password})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "seal_refused"
    assert fragment in error["message"] and fragment in error["details"][field][0]
    assert client.get(URL, headers=admin_headers).get_json()["state"] == "none"


def test_garbage_and_bad_base64_are_refused(client, admin_headers):
    response = client.put(URL, headers=admin_headers, json={"pkcs12": b64(b"pas un PKCS#12"), "password": ""})
    assert response.status_code == 422
    assert "n'est pas au format PKCS#12" in response.get_json()["error"]["details"]["pkcs12"][0]
    response = client.put(URL, headers=admin_headers, json={"pkcs12": "%%% pas du base64 %%%"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["pkcs12"] == [
        "Le champ doit contenir le fichier PKCS#12 encodé en base64."]
    response = client.put(URL, headers=admin_headers, json={"password": "x"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["pkcs12"] == ["Ce champ est obligatoire."]


def test_tsa_url(client, admin_headers):
    response = client.put(f"{URL}/tsa", headers=admin_headers, json={"tsa_url": "https://1.1.1.1/tsa"})
    assert response.status_code == 200 and response.get_json()["tsa_url"] == "https://1.1.1.1/tsa"
    response = client.put(f"{URL}/tsa", headers=admin_headers, json={"tsa_url": "http://192.168.1.5/tsa"})
    assert response.status_code == 422
    assert "192.168.1.5 est privée" in response.get_json()["error"]["details"]["tsa_url"][0]
    assert client.get(URL, headers=admin_headers).get_json()["tsa_url"] == "https://1.1.1.1/tsa"
    response = client.put(f"{URL}/tsa", headers=admin_headers, json={"tsa_url": None})
    assert response.status_code == 200 and response.get_json()["tsa_url"] is None


def test_other_accounts_get_404_or_only_their_own_organisation(client, create_user, create_organisation, org,
                                                                admin_headers, api_headers, make_p12):
    client.put(URL, headers=admin_headers, json={"pkcs12": b64(make_p12()), "password": SEAL_PASSWORD})
    staff = api_headers(create_user("certifier_staff", organisation=org))
    candidate = api_headers(create_user("candidate"))
    for headers in (staff, candidate):
        assert client.get(URL, headers=headers).status_code == 404
        assert client.delete(URL, headers=headers).status_code == 404
        assert client.put(f"{URL}/tsa", headers=headers, json={"tsa_url": ""}).status_code == 404
    other_admin = api_headers(create_user("certifier_admin", organisation=create_organisation("Organisme Bêta")))
    assert client.get(URL, headers=other_admin).get_json()["state"] == "none"
    assert client.delete(URL, headers=other_admin).status_code == 200
    assert client.get(URL, headers=admin_headers).get_json()["state"] == "valid"
    assert client.get(URL).status_code == 401


def test_endpoints_and_schemas_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = spec["paths"]["/api/v1/organisation/seal"]
    assert {"get", "put", "delete"} <= set(operations)
    assert "put" in spec["paths"]["/api/v1/organisation/seal/tsa"]
    schemas = spec["components"]["schemas"]
    for name in ("OrganisationSealSettings", "OrganisationSealCertificate", "OrganisationSealUpload",
                 "OrganisationTsa", "SealChainCertificate"):
        assert name in schemas
    assert "password" not in schemas["OrganisationSealSettings"]["properties"]
    assert "422" in operations["put"]["responses"]
