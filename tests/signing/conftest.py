"""Fixtures of the signing suite: one development PKI and one local TSA/CRL
server per session (no Flask app needed)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
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
    d = tmp_path_factory.mktemp("nss")
    root = d / "root.pem"
    root.write_bytes(root_pem)
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{d}"], check=True)
    subprocess.run(["certutil", "-A", "-t", "CT,C,C", "-n", "root", "-i", str(root),
                    "-d", f"sql:{d}"], check=True)
    return d


@pytest.fixture(scope="session")
def pdfsig(nss_db):
    return lambda pdf_path: run_pdfsig(nss_db, pdf_path)


@pytest.fixture(scope="session")
def qpdf():
    return qpdf_check


def run_pdfsig(nss_db: Path, pdf_path: Path) -> list[dict]:
    """Run pdfsig with the NSS database and parse its per-signature output."""
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(pdf_path)],
                         capture_output=True, text=True)
    sigs: list[dict] = []
    for line in out.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append({})
        m = re.match(r"^\s+- ([^:]+): (.*)$", line)
        if m and sigs:
            sigs[-1][m.group(1)] = m.group(2)
    return sigs


def qpdf_check(pdf_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)
