"""Fixtures of the signing suite: one development PKI and one local TSA/CRL
server per session (no Flask app needed)."""

import shutil

import pytest

from signing.testing import make_nss_db, qpdf_check, run_pdfsig  # noqa: F401 - also imported by tests
from weasyprint import HTML

from signing.config import SigningConfig
from signing.tsa import LocalPkiServer

ORG = "Certificateur d'Essai"


@pytest.fixture(scope="session")
def pki_server(tmp_path_factory):
    server = LocalPkiServer()  # binds a free port on 127.0.0.1
    cfg = SigningConfig(
        pki_dir=tmp_path_factory.mktemp("pki"), organisation=ORG,
        dev_base_url=server.base_url, tsa_timeout=5, revocation_fetch_timeout=5,
    )
    server.attach(cfg.dev()).start()
    yield server, cfg
    server.stop()


@pytest.fixture(scope="session")
def config(pki_server):
    return pki_server[1]


@pytest.fixture(scope="session")
def dev_pki(config):
    return config.dev()


@pytest.fixture(scope="session")
def root_pem(dev_pki, tmp_path_factory):
    return dev_pki.root_pem


@pytest.fixture(scope="session")
def input_pdf():
    html = """<html lang="fr"><body>
    <h1>Livret 2 — dossier de validation</h1>
    <p>Je soussignée déclare sur l'honneur l'exactitude des informations.</p>
    <p style="page-break-before: always">Annexes : 1. attestation.pdf (SHA-256 …)</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory, root_pem):
    if not shutil.which("certutil") or not shutil.which("pdfsig"):
        pytest.fail("certutil/pdfsig missing: install libnss3-tools and poppler-utils "
                    "(scripts/setup.sh)")
    return make_nss_db(tmp_path_factory.mktemp("nss"), root_pem)


@pytest.fixture(scope="session")
def pdfsig(nss_db):
    return lambda pdf_path: run_pdfsig(nss_db, pdf_path)


@pytest.fixture(scope="session")
def qpdf():
    return qpdf_check
