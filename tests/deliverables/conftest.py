"""Fixtures of the deliverable tests: RNCP37827 delivered by one organisation, candidates opening dossiers on
the training route (« formation », deliverables E1–E5) or the VAE route, PDFs of a given page count, and
signing (a submission signs and seals the Livret 2)."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from core.sealing.testing import app_config, signing_env  # noqa: F401  (submissions sign and seal)

CODE = "RNCP37827"
E2_REFUSAL = ("Le rapport E2 doit compter de 15 à 20 pages ; le vôtre en compte 9 (règle : E2 : Présentation orale "
              "(15 min) - Livrable: Rapport 15-20p).")
PAGES = {"E1": 3, "E2": 16, "E3": 15, "E4": 20, "E5": 2}  # within each deliverable's range


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def pdf_pages(count: int, *, mark: str = "") -> bytes:
    """A PDF of ``count`` blank pages (``mark`` in its metadata makes distinct files of the same count)."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page()
    if mark:
        pdf.docinfo["/Title"] = mark
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@dataclass
class Candidate:
    user: Any
    headers: dict[str, str]
    dossier_id: int

    def deliverable(self, code: str) -> str:
        return f"/api/v1/dossiers/{self.dossier_id}/deliverables/{code}"


@pytest.fixture
def organisation(certifier_org):
    return certifier_org(CODE, name="Simplon Lyon")


@pytest.fixture
def token_for(app) -> Callable[[Any], dict[str, str]]:
    def factory(user) -> dict[str, str]:
        from core.api.services import issue_token
        from core.auth.models import User
        from core.extensions import db

        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="tests")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory


@pytest.fixture
def open_dossier(client, organisation, create_user, token_for) -> Callable[..., Candidate]:
    """``open_dossier(route="formation", block=None, **user_fields)``: a candidate and their dossier, through
    the API as a client would open it."""

    def factory(route: str | None = "formation", block: str | None = None, **user_fields: Any) -> Candidate:
        user = create_user("candidate", **user_fields)
        headers = token_for(user)
        body = {"certification": CODE, **({"route": route} if route else {}), **({"block": block} if block else {})}
        response = client.post("/api/v1/dossiers", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        return Candidate(user=user, headers=headers, dossier_id=response.get_json()["id"])

    return factory


@pytest.fixture
def upload(client) -> Callable[..., Any]:
    """``upload(candidate, code, pages_or_bytes, filename="rapport.pdf")``: the API upload of a deliverable."""

    def do(candidate: Candidate, code: str, content: int | bytes, filename: str = "rapport.pdf", headers=None):
        data = pdf_pages(content, mark=f"{code}-{content}") if isinstance(content, int) else content
        return client.post(candidate.deliverable(code), data={"file": (io.BytesIO(data), filename)},
                           headers=headers or candidate.headers, content_type="multipart/form-data")

    return do


@pytest.fixture
def annex_rows(app) -> Callable[[int], list[tuple]]:
    """``annex_rows(dossier_id)`` -> [(number, role, deliverable, pages, removed)] of every annex row."""

    def read(dossier_id: int) -> list[tuple]:
        from sqlalchemy import select

        from core.dossiers.models import Annex
        from core.extensions import db

        with app.app_context():
            return [(a.number, a.role, a.deliverable, a.pages, a.removed_at is not None) for a in db.session.scalars(
                select(Annex).where(Annex.dossier_id == dossier_id).order_by(Annex.number))]

    return read




@pytest.fixture
def browser(app, login) -> Callable[[Any], Any]:
    """``browser(user)``: a test client of its own, signed in as ``user`` through the sign-in form."""

    def factory(user):
        test_client = app.test_client()
        login(user, test_client=test_client)
        return test_client

    return factory
