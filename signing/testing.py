"""Checks of signed PDFs by independent tools, for test suites: Debian's ``pdfsig`` (poppler) with
an NSS database trusting a given root, and ``qpdf --check``."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


def make_nss_db(directory: Path, root_pem: bytes) -> Path:
    """An NSS database in ``directory`` (created if needed) trusting ``root_pem`` for signatures."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory / "root.pem"
    root.write_bytes(root_pem)
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{directory}"], check=True)
    subprocess.run(["certutil", "-A", "-t", "CT,C,C", "-n", "root", "-i", str(root), "-d", f"sql:{directory}"],
                   check=True)
    return directory


def run_pdfsig(nss_db: Path, pdf_path: Path) -> list[dict]:
    """Run pdfsig with the NSS database and parse its per-signature output."""
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(pdf_path)], capture_output=True, text=True)
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
