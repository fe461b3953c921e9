"""Helpers of the deliberation tests: grids written as rows, page text, API tokens."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def text(response) -> str:
    """What a reader sees: tags removed, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page(response)).split())


def rncp_grid(validated=("BC01", "BC02", "BC03"), not_met=(), proposal="admis", comment=""):
    """An RNCP37827 grid: every criterion met except ``not_met``; blocks proposed as given."""
    from livret_rncp37827.descriptor import CERTIFICATION

    criteria = {k.code: ("not_met" if k.code in not_met else "met") for c in CERTIFICATION.competencies
                for k in c.criteria}
    return {"criteria": criteria,
            "competencies": {c.code: {"comment": ""} for c in CERTIFICATION.competencies},
            "blocks": {b.code: ("validated" if b.code in validated else "not_validated")
                       for b in CERTIFICATION.blocks},
            "scores": {}, "proposal": proposal, "comment": comment}


def rs_grid(marks=None, oral=12.0, proposal="acquise"):
    """An RS6776 grid: 4/5 for every competency unless ``marks`` says otherwise."""
    values = {f"C{n}": 4.0 for n in range(1, 7)}
    values.update(marks or {})
    return {"criteria": {}, "competencies": {k: {"mark": v, "comment": ""} for k, v in values.items()},
            "blocks": {}, "scores": {"ORAL": oral}, "proposal": proposal, "comment": ""}


def add_grid(app, candidate_id: int, juror, data: dict, completed: bool = True) -> None:
    from core.extensions import db
    from core.jury.models import EvaluationGrid, GridStatus

    with app.app_context():
        db.session.add(EvaluationGrid(candidate_id=candidate_id, juror_id=juror.id, data=data,
                                      status=GridStatus.COMPLETED if completed else GridStatus.DRAFT,
                                      completed_at=datetime.now(timezone.utc) if completed else None))
        db.session.commit()


def set_attendance(app, candidate_id: int, value: str) -> None:
    from core.extensions import db
    from core.jury.models import Attendance, SessionCandidate

    with app.app_context():
        db.session.get(SessionCandidate, candidate_id).attendance = Attendance(value)
        db.session.commit()


def decisions(app, candidate_id: int) -> list[dict]:
    from core.extensions import db
    from core.jury.models import SessionCandidate

    with app.app_context():
        candidate = db.session.get(SessionCandidate, candidate_id)
        return [{"id": d.id, "outcome": d.outcome, "validated_blocks": d.validated_blocks,
                 "acquired": d.acquired_competencies, "comment": d.comment, "vae_outcome": d.vae_outcome,
                 "remaining": d.remaining, "marks": d.marks, "scores": d.scores, "computed": d.computed_outcome,
                 "retake_until": d.retake_until, "superseded": d.superseded_at is not None,
                 "sealed": d.sealed_at is not None, "consolidation": d.consolidation}
                for d in candidate.decisions]


def dossier_status(app, dossier_id: int) -> str:
    from core.dossiers.models import Dossier
    from core.extensions import db

    with app.app_context():
        return db.session.get(Dossier, dossier_id).status.value


def seal_decisions(app, candidate_ids) -> None:
    """What the PV area does once the PV is sealed: the current decisions get ``sealed_at``."""
    from core.extensions import db
    from core.jury.models import SessionCandidate

    with app.app_context():
        for cid in candidate_ids:
            db.session.get(SessionCandidate, cid).decision.sealed_at = datetime.now(timezone.utc)
        db.session.commit()


def pv_in_signing(app, session_id: int, user_id: int) -> None:
    """Simulate the PV area's state: a PV generated and waiting for its signatures."""
    from core.extensions import db
    from core.jury.models import SignedDocument, SignedDocumentStatus

    with app.app_context():
        db.session.add(SignedDocument(session_id=session_id, kind="pv", planned=[], signatures=[],
                                      storage_key=f"pv/{session_id}/test.pdf", sha256="0" * 64, size=1,
                                      created_by_id=user_id, status=SignedDocumentStatus.SIGNING))
        db.session.commit()


def token(app, user) -> dict:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        secret, _token = issue_token(db.session.get(User, user.id), name="tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}
