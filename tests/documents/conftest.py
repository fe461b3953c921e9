"""Fixtures of the document tests: one application (rendering needs no database)
and the PDFs rendered once per session, written to files for the command-line tools."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from documents_samples import receipt_for, rncp_livret, rs_livret


@dataclass
class Rendered:
    data: bytes
    path: Path
    model: object

    def tool(self, *command: str, after: tuple[str, ...] = ()) -> str:
        """Run a command-line tool on the PDF file and return its standard output."""
        result = subprocess.run([*command, str(self.path), *after], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{command[0]} failed ({result.returncode}): {result.stderr}"
        return result.stdout

    def text(self, *options: str) -> str:
        """``pdftotext`` of the PDF (options such as ``-layout``, ``-f 3 -l 3``)."""
        return self.tool("pdftotext", "-enc", "UTF-8", *options, after=("-",))


@pytest.fixture(scope="session", autouse=True)
def _pdf_tools():
    missing = [tool for tool in ("qpdf", "pdfinfo", "pdffonts", "pdftotext") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"missing tools for the document tests: {', '.join(missing)} "
                    "(apt-get install poppler-utils qpdf)")


@pytest.fixture(scope="session")
def documents_app(tmp_path_factory):
    from core import create_app

    base = tmp_path_factory.mktemp("documents")
    return create_app({
        "INSTANCE_PATH": str(base / "instance"),
        "DATABASE_URL": "sqlite:///" + str(base / "livret.sqlite3"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TESTING": True,
        "BASE_URL": "http://localhost",
    })


@pytest.fixture
def doc_ctx(documents_app):
    with documents_app.app_context():
        yield documents_app


def _render(app, tmp_path_factory, name, render, model) -> Rendered:
    with app.app_context():
        data = render(model)
    path = tmp_path_factory.mktemp("pdf") / f"{name}.pdf"
    path.write_bytes(data)
    return Rendered(data, path, model)


@pytest.fixture(scope="session")
def rncp_pdf(documents_app, tmp_path_factory) -> Rendered:
    from core.documents.services import render_livret2

    return _render(documents_app, tmp_path_factory, "livret-rncp37827", render_livret2, rncp_livret())


@pytest.fixture(scope="session")
def rs_pdf(documents_app, tmp_path_factory) -> Rendered:
    from core.documents.services import render_livret2

    return _render(documents_app, tmp_path_factory, "livret-rs6776", render_livret2, rs_livret())


@pytest.fixture(scope="session")
def receipt_pdf(documents_app, tmp_path_factory, rncp_pdf) -> Rendered:
    from core.documents.services import render_receipt

    return _render(documents_app, tmp_path_factory, "recu", render_receipt,
                   receipt_for(rncp_pdf.model, rncp_pdf.data))

