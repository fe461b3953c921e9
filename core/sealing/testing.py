"""Pytest fixtures shared by the sealing, verification and audit tests.

Import them into a ``conftest.py``::

    from core.sealing.testing import app_config, input_pdf, signing_env  # noqa: F401

One development PKI and one local TSA/CRL server (free port) per test
session; every app of the session uses them (``SIGNING_PKI_DIR``,
``SIGNING_DEV_BASE_URL``), so keys are generated once.
"""
from __future__ import annotations

import pytest

from signing.testing import make_nss_db, qpdf_check, run_pdfsig  # noqa: F401 - re-exported for the suites

ORGANISATION = "Certificateur d'Essai"


@pytest.fixture(scope="session")
def signing_env(tmp_path_factory):
    from signing.config import SigningConfig
    from signing.tsa import LocalPkiServer

    server = LocalPkiServer()
    pki_dir = tmp_path_factory.mktemp("pki")
    cfg = SigningConfig(pki_dir=pki_dir, organisation=ORGANISATION, dev_base_url=server.base_url)
    server.attach(cfg.dev()).start()
    try:
        yield {
            "SIGNING_PKI_DIR": str(pki_dir),
            "SIGNING_DEV_BASE_URL": server.base_url,
            "SIGNING_ORGANISATION": ORGANISATION,
            "SIGNING_TSA_TIMEOUT": 5,
        }
    finally:
        server.stop()


@pytest.fixture
def app_config(app_config, signing_env):
    return {**app_config, **signing_env}


@pytest.fixture(scope="session")
def input_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="""<html lang="fr"><body><h1>Procès-verbal de jury</h1>
    <p>Session du 12 mars : décisions de validation.</p></body></html>""").write_pdf()


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
