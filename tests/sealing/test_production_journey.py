"""Issue 16, « Done when »: the journey passes with ``SIGNING_DEV_PKI=false`` and a configured CA.

A live platform with production signing settings: the seal from configured PEM files, an RFC 3161 TSA named
by ``SIGNING_TSA_URL``, trust in the configured root only, and the personal signatures issued by the CA of
``SIGNING_PERSON_CA_*`` (itself issued by that root). The Python client of docs/api.md takes an RS6776
candidate from sign-up to the sealed PV and certificate; every personal signature of the PV and of the
grids names its signer and chains through the configured CA, and the platform's own verification (the
public ``/verify`` API) finds each document valid.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest

from core.sealing.testing import signing_env  # noqa: F401 - the shared signing fixture
from signing.testing import make_person_ca
from tests.api.test_api_client_example import (PASSWORD, _admissible, _jury, _pdf, client_module,  # noqa: F401
                                               confirmation_token, rs6776_sections)


@pytest.fixture(scope="module")
def production_platform(tmp_path_factory, signing_env):  # noqa: F811
    from core.testing import live_platform

    pki = Path(signing_env["SIGNING_PKI_DIR"])
    from signing.config import SigningConfig  # the development files stand for the operator's own

    SigningConfig(pki_dir=pki, organisation=signing_env["SIGNING_ORGANISATION"],
                  dev_base_url=signing_env["SIGNING_DEV_BASE_URL"]).dev()
    production = {
        **signing_env, "SIGNING_DEV_PKI": False, "UPLOAD_SCAN": False,
        "SIGNING_SEAL_CERT": str(pki / "seal.crt.pem"), "SIGNING_SEAL_KEY": str(pki / "seal.key.pem"),
        "SIGNING_TSA_URL": signing_env["SIGNING_DEV_BASE_URL"] + "/tsa",
        "SIGNING_TRUST_ROOTS": str(pki / "root.crt.pem"), **make_person_ca(pki, name="Autorité Livret – personnes"),
    }
    with live_platform(tmp_path_factory.mktemp("production-live"), production, "livret-production") as app:
        app.api_url = app.live_url + "/api/v1"
        yield app


def _signers(data: bytes) -> list[tuple[str, str]]:
    """(signer's common name, issuer's common name) of every signature of a PDF (document timestamps aside)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    out = []
    for signature in PdfFileReader(BytesIO(data), strict=False).embedded_regular_signatures:
        cert = signature.signer_cert
        out.append((cert.subject.native["common_name"], cert.issuer.native["common_name"]))
    return out


@pytest.mark.slow
def test_the_journey_passes_with_the_production_ca(client_module, production_platform, tmp_path):  # noqa: F811
    import requests

    lc, platform, code = client_module, production_platform, "RS6776"
    with platform.app_context():
        from core.sealing.services import signing_config

        assert not signing_config().dev_pki and signing_config().person_authority() is not None
    email = "production.rs6776@example.org"
    sections = rs6776_sections("Yasmine", "Prod", email)
    annexes = [(_pdf(tmp_path / "newsletter.pdf", "Newsletter"), "Newsletter : prompt et versions", "evidence",
                ["C1"]), (_pdf(tmp_path / "affiche.pdf", "Affiche"), "Affiche générée", "evidence", [])]
    me, submission = lc.candidate_journey(
        platform.api_url, email=email, password=PASSWORD, first_name="Yasmine", last_name="Prod",
        certification=code, sections=sections, annexes=annexes, confirmation_token=confirmation_token(platform))
    assert submission["status"] == "admissible"
    dossier_id = submission["dossier_id"]
    _admissible(lc, platform, code, dossier_id, me, sections)
    manager, sid = _jury(lc, platform, code, dossier_id)

    result, _files = lc.result_and_documents(me, dossier_id)
    assert result["sittings"][-1]["decision"]["outcome"] == "acquise"
    pv = manager.get(f"/sessions/{sid}/pv")
    people = set()
    for item in pv["items"] + pv["grids"]:
        data = manager.download(item["links"]["content"], item["sha256"], item["size"])
        signers = _signers(data)
        persons = [(cn, issuer) for cn, issuer in signers if "cachet" not in cn]
        assert persons, signers
        # every personal signature comes from the configured CA, none from the development PKI's root
        assert {issuer for _cn, issuer in persons} == {"Autorité Livret – personnes"}, signers
        people |= {cn for cn, _issuer in persons}
        report = requests.post(platform.api_url + "/verify", files={"file": ("pv.pdf", data, "application/pdf")},
                               timeout=120).json()
        assert report["valid"], report["reasons"]
        assert all(s["trusted"] for s in report["signatures"]), report["signatures"]
    assert {"Inès Petit", "Hugo Robert", "Paul Girard"} <= people, people  # the two jurors and the manager
