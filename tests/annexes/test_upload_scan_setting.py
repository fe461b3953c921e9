"""Production (SIGNING_DEV_PKI=false) refuses to start without an antivirus, unless UPLOAD_SCAN=off on purpose;
with UPLOAD_SCAN=off, files are stored « non analysé »."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def production(app_config, tmp_path):
    """Settings of a production start: no development PKI, the files of a development PKI made here as the
    configured seal key, certificate and trust root (nothing is signed: the start-up only loads the key)."""
    from signing.config import SigningConfig

    pki = Path(tmp_path / "pki")
    SigningConfig(pki_dir=pki, organisation="Certificateur d'Essai", dev_base_url="http://127.0.0.1:9").dev()
    from signing.testing import make_person_ca

    return {**app_config, "SIGNING_DEV_PKI": False, **make_person_ca(pki),
            "SIGNING_SEAL_CERT": str(pki / "seal.crt.pem"),
            "SIGNING_SEAL_KEY": str(pki / "seal.key.pem"), "SIGNING_TSA_URL": "http://127.0.0.1:9/tsa",
            "SIGNING_TRUST_ROOTS": str(pki / "root.crt.pem")}


def test_production_without_clamd_refuses_to_start_naming_both_settings(app, production):
    from core import ConfigError, create_app

    with pytest.raises(ConfigError) as info:
        create_app(production)
    assert "CLAMD_ADDRESS" in str(info.value) and "UPLOAD_SCAN=off" in str(info.value)

    create_app({**production, "CLAMD_ADDRESS": "tcp://127.0.0.1:3310"})  # clamd is reached when scanning
    unscanned = create_app({**production, "UPLOAD_SCAN": "off"})  # the operator's explicit choice
    assert unscanned.config["UPLOAD_SCAN"] is False


def test_scan_off_with_an_address_is_a_contradiction(app, app_config):
    from core import ConfigError, create_app

    with pytest.raises(ConfigError) as info:
        create_app({**app_config, "UPLOAD_SCAN": "off", "CLAMD_ADDRESS": "tcp://127.0.0.1:3310"})
    assert "UPLOAD_SCAN" in str(info.value) and "CLAMD_ADDRESS" in str(info.value)


def test_development_starts_without_clamd(app):
    from core.annexes.services import antivirus_configured

    assert app.config["UPLOAD_SCAN"] is True and not app.config["CLAMD_ADDRESS"]
    with app.app_context():
        assert antivirus_configured() is False  # files are stored « non analysé »


def test_the_environment_variable_is_read(tmp_path):
    from core.config import load_config

    assert load_config(tmp_path, environ={"LIVRET_UPLOAD_SCAN": "off"})["UPLOAD_SCAN"] is False
    assert load_config(tmp_path, environ={})["UPLOAD_SCAN"] is True
