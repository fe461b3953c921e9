"""The juror's space: a session of RNCP37827 or RS6776 with two jurors and one candidate whose
submitted version lists annexes stored for real (rows and objects, no submission run)."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@dataclass
class Jury:
    session_id: int
    candidate_id: int
    dossier_id: int
    manager: Any
    jurors: list
    candidate: Any
    code: str

    def url(self, tail: str = "") -> str:
        return f"/jury/sessions/{self.session_id}/candidats/{self.candidate_id}{tail}"

    def api(self, tail: str = "") -> str:
        return f"/api/v1/sessions/{self.session_id}/candidates/{self.candidate_id}{tail}"


def store_annex(app, dossier_id: int, user_id: int, number: int, content: bytes, media_type: str, filename: str,
                competencies: list[str], scan_state: str = "clean"):
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        stored = app.extensions["livret"].storage.put(new_key("annexes", dossier_id), io.BytesIO(content),
                                                      content_type=media_type)
        annex = Annex(dossier_id=dossier_id, number=number, title=f"Preuve {number}", filename=filename,
                      media_type=media_type, size=stored.size, sha256=stored.sha256, storage_key=stored.key,
                      scan_state=ScanState(scan_state), uploaded_by_id=user_id,
                      competencies=[AnnexCompetency(competency_code=c) for c in competencies])
        db.session.add(annex)
        db.session.commit()
        return annex.id


def seal_manifest(app, dossier_id: int, *, livret2: bytes | None = PDF) -> None:
    """Put the dossier's annexes in its (only) version's manifest and store a Livret 2 document."""
    from core.dossiers.models import Document, Dossier
    from core.dossiers.services import active_annexes, manifest_of
    from core.extensions import db
    from storage import new_key

    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        version = dossier.latest_version
        version.manifest = manifest_of(active_annexes(dossier))
        if livret2 is not None:
            stored = app.extensions["livret"].storage.put(new_key("documents", dossier_id), io.BytesIO(livret2),
                                                          content_type="application/pdf")
            db.session.add(Document(dossier_id=dossier.id, version_id=version.id, kind="livret2",
                                    title="Livret 2", filename=f"livret2-{dossier.reference}-v1.pdf",
                                    size=stored.size, sha256=stored.sha256, storage_key=stored.key))
        db.session.commit()


@pytest.fixture
def make_jury(app, create_user, create_admissible_dossier, create_jury_session):
    """``make_jury(code="RNCP37827", status="open", annexes=True)`` -> :class:`Jury`."""

    def factory(code: str = "RNCP37827", status: str = "open", annexes: bool = True) -> Jury:
        from core.extensions import db
        from core.jury.models import JurySession

        jurors = [create_user("juror", first_name="Alex", last_name="Martin"),
                  create_user("juror", first_name="Sam", last_name="Bernard")]
        candidate = create_user("candidate", first_name="Camille", last_name="Durand")
        dossier = create_admissible_dossier(code, candidate=candidate)
        if annexes:
            store_annex(app, dossier.id, candidate.id, 1, PDF, "application/pdf", "preuve-1.pdf", ["C1", "C2"])
            store_annex(app, dossier.id, candidate.id, 2, PNG, "image/png", "capture.png", ["C2"])
            store_annex(app, dossier.id, candidate.id, 3, b"PK\x03\x04 odt", "application/vnd.oasis.opendocument.text",
                        "notes.odt", [])
            store_annex(app, dossier.id, candidate.id, 4, PDF + b"%4", "application/pdf", "attente.pdf", ["C1"],
                        scan_state="pending")
            seal_manifest(app, dossier.id)
        session_id = create_jury_session(code, jurors=jurors, dossiers=[dossier], status=status)
        with app.app_context():
            session = db.session.get(JurySession, session_id)
            return Jury(session_id=session_id, candidate_id=session.candidates[0].id, dossier_id=dossier.id,
                        manager=session.manager, jurors=jurors, candidate=candidate, code=code)

    return factory


@pytest.fixture
def token_for(app):
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
def as_user(app, login):
    """``as_user(user)`` -> a new test client signed in as ``user``."""

    def factory(user):
        other = app.test_client()
        login(user, test_client=other)
        return other

    return factory


@pytest.fixture
def change(app):
    """``change(model, id, **values)``: update a row directly."""

    def apply(model, row_id: int, **values):
        from core.extensions import db

        with app.app_context():
            row = db.session.get(model, row_id)
            for key, value in values.items():
                setattr(row, key, value)
            db.session.commit()

    return apply
