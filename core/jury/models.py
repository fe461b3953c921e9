"""Jury: sessions, jurors, candidates, declarations, grids, decisions, signed documents.

One session (``JurySession``) of one certification gathers candidates
(``SessionCandidate``, one per dossier and sitting) and jurors
(``SessionJuror``). Each juror declares, per candidate, no link and no part
in the training (``JurorDeclaration``) and fills their own grid
(``EvaluationGrid``). The jury records one decision per candidate
(``JuryDecision``); the grids and the procès-verbal are documents signed by
several people in turn (``SignedDocument``).
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import Organisation, User, utcnow
from core.dossiers.models import Document, Dossier
from core.extensions import db

_enum = dict(native_enum=False, length=32)


def _values(e):
    return [m.value for m in e]


class SessionStatus(str, enum.Enum):
    DRAFT = "draft"  # being planned: jurors and candidates may change
    OPEN = "open"  # composition checked; jurors read the dossiers and grade
    CLOSED = "closed"  # PV sealed

    @property
    def label(self) -> str:
        return str(SESSION_STATUS_LABELS[self])


SESSION_STATUS_LABELS = {
    SessionStatus.DRAFT: _l("En préparation"),
    SessionStatus.OPEN: _l("Ouverte"),
    SessionStatus.CLOSED: _l("Close"),
}


class Attendance(str, enum.Enum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return str(ATTENDANCE_LABELS[self])


ATTENDANCE_LABELS = {
    Attendance.UNKNOWN: _l("Non renseignée"),
    Attendance.PRESENT: _l("Présent ou présente"),
    Attendance.ABSENT: _l("Absent ou absente"),
}


class JurySession(db.Model):
    """A jury session of one certification, run by a session manager."""

    __tablename__ = "jury_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    certification_code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # first candidate's slot
    ends_on: Mapped[date | None] = mapped_column(Date)  # last day of the session (PV: « Fin de la session »)
    centre: Mapped[str] = mapped_column(String(200), default="")  # « Centre organisateur de la session »
    address: Mapped[str] = mapped_column(String(500), default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    # [{"title": str, "minutes": int, "with_candidate": bool}] per candidate, from the plugin's example
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[SessionStatus] = mapped_column(Enum(SessionStatus, values_callable=_values, **_enum),
                                                  default=SessionStatus.DRAFT)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    manager_position: Mapped[str] = mapped_column(String(200), default="")  # « Fonction du responsable »
    observations: Mapped[str] = mapped_column(Text, default="")  # the manager's observations (PV part 4)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # a correction of the sealed PV under way: decisions may be amended, then a new PV replaces the old one
    correction_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    # when the jurors' convocations carried the plugin's règlement (``livret_jury_regulation``); None: never sent
    regulation_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()
    manager: Mapped[User] = relationship()
    jurors: Mapped[list["SessionJuror"]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                        order_by="SessionJuror.id")
    candidates: Mapped[list["SessionCandidate"]] = relationship(back_populates="session",
                                                                cascade="all, delete-orphan",
                                                                order_by="SessionCandidate.position")

    @property
    def editable(self) -> bool:
        return self.status == SessionStatus.DRAFT

    @property
    def slot_minutes(self) -> int:
        return sum(int(step.get("minutes") or 0) for step in self.schedule or [])


class SessionJuror(db.Model):
    """A juror sitting on a session, with what the composition rules look at."""

    __tablename__ = "jury_session_jurors"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("jury_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    position: Mapped[str] = mapped_column(String(200), default="")  # « Poste occupé »
    company: Mapped[str] = mapped_column(String(200), default="")  # « Entreprise »
    professional: Mapped[bool] = mapped_column(Boolean, default=True)  # a professional of the field
    experience_years: Mapped[int] = mapped_column(Integer, default=0)  # in the field (development and AI)
    # outside the certifier and the evaluating body; None: not answered yet (a required answer, no default)
    external: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[JurySession] = relationship(back_populates="jurors")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)


class SessionCandidate(db.Model):
    """One dossier sitting in one session (a retake is a new row in another session)."""

    __tablename__ = "jury_session_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("jury_sessions.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order of passage
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # slot (editable)
    attempt: Mapped[int] = mapped_column(Integer, default=1)  # 2 for a retake
    access_route: Mapped[str] = mapped_column(String(40), default="VAE")  # PV « Voie d'accès »
    attendance: Mapped[Attendance] = mapped_column(Enum(Attendance, values_callable=_values, **_enum),
                                                   default=Attendance.UNKNOWN)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[JurySession] = relationship(back_populates="candidates")
    dossier: Mapped[Dossier] = relationship()
    declarations: Mapped[list["JurorDeclaration"]] = relationship(back_populates="candidate",
                                                                  cascade="all, delete-orphan")
    grids: Mapped[list["EvaluationGrid"]] = relationship(back_populates="candidate", cascade="all, delete-orphan")
    decisions: Mapped[list["JuryDecision"]] = relationship(back_populates="candidate",
                                                           order_by="JuryDecision.id")

    __table_args__ = (UniqueConstraint("session_id", "dossier_id"),)

    @property
    def decision(self) -> "JuryDecision | None":
        """The current decision (the latest not superseded)."""
        current = [d for d in self.decisions if d.superseded_at is None]
        return current[-1] if current else None


class JurorDeclaration(db.Model):
    """What a juror declares about one candidate (no link, no part in the training)."""

    __tablename__ = "jury_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("jury_session_candidates.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    no_link: Mapped[bool] = mapped_column(Boolean)  # no professional or personal link with the candidate
    no_training: Mapped[bool] = mapped_column(Boolean)  # no part in the candidate's training or preparation
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    candidate: Mapped[SessionCandidate] = relationship(back_populates="declarations")
    juror: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("candidate_id", "juror_id"),)

    @property
    def clear(self) -> bool:
        return bool(self.no_link and self.no_training)


class GridStatus(str, enum.Enum):
    DRAFT = "draft"
    COMPLETED = "completed"


class EvaluationGrid(db.Model):
    """One juror's grid for one candidate, saved as typed (drafts), completed when whole.

    ``data``: ``{"criteria": {"C1.1": "met" | "not_met"}, "competencies": {"C1": {"mark": 4.0,
    "comment": "..."}}, "blocks": {"BC01": "validated" | "not_validated"}, "scores": {"ORAL": 12.5},
    "proposal": outcome code, "comment": "..."}``.
    """

    __tablename__ = "jury_grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("jury_session_candidates.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[GridStatus] = mapped_column(Enum(GridStatus, values_callable=_values, **_enum),
                                               default=GridStatus.DRAFT)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    candidate: Mapped[SessionCandidate] = relationship(back_populates="grids")
    juror: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("candidate_id", "juror_id"),)


class JuryDecision(db.Model):
    """The decision recorded by the jury for one candidate. Never edited: a
    correction (corrective PV) supersedes it with a new row."""

    __tablename__ = "jury_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("jury_session_candidates.id", ondelete="RESTRICT"),
                                              index=True)
    outcome: Mapped[str] = mapped_column(String(40))  # an Outcome code of the grid, or "absent"
    validated_blocks: Mapped[list[str]] = mapped_column(JSON, default=list)
    acquired_competencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    marks: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    vae_outcome: Mapped[str] = mapped_column(String(40), default="")
    remaining: Mapped[str] = mapped_column(Text, default="")  # what is left to acquire (partial)
    comment: Mapped[str] = mapped_column(Text, default="")
    computed_outcome: Mapped[str] = mapped_column(String(40), default="")  # what the rules proposed
    consolidation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # snapshot of the grids
    retake_until: Mapped[date | None] = mapped_column(Date)  # last day of the retake window, if any
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its PV was sealed
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    candidate: Mapped[SessionCandidate] = relationship(back_populates="decisions")
    recorded_by: Mapped[User] = relationship()


class SignedDocumentStatus(str, enum.Enum):
    SIGNING = "signing"  # certified; waiting for the planned signatures
    SEALING = "sealing"  # every planned signature applied; the final seal is queued (core.pv.sealing)
    SEALED = "sealed"  # every signature and the final seal applied: immutable
    REPLACED = "replaced"  # sealed, then replaced by a corrective document


class SignedDocument(db.Model):
    """A document several people sign in turn: a candidate's grid (Annexe 3)
    or a session's procès-verbal (Annexe 4).

    Generated, then certified (DocMDP: only the planned signature fields may
    be filled), signed by each planned person in order (``planned``), then
    sealed by the certifier at B-LTA, which issues the :class:`Document`.
    The bytes in progress live in storage under ``storage_key``.
    """

    __tablename__ = "jury_signed_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("jury_sessions.id", ondelete="RESTRICT"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("jury_session_candidates.id",
                                                                ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))  # "grid" | "pv"
    number: Mapped[int] = mapped_column(Integer, default=1)  # PV n°1, n°2 (corrective)...
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("jury_signed_documents.id", ondelete="RESTRICT"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SignedDocumentStatus] = mapped_column(
        Enum(SignedDocumentStatus, values_callable=_values, **_enum), default=SignedDocumentStatus.SIGNING)
    # [{"user_id": int, "role": "juror" | "session_manager", "field": str}] in signing order
    planned: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"user_id": int, "field": str, "at": iso datetime, "sha256": hex}]
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)  # current bytes
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the queued final seal (status SEALING): when a job last tried it, and why it failed (French, shown)
    seal_attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seal_error: Mapped[str | None] = mapped_column(Text)

    session: Mapped[JurySession] = relationship()
    candidate: Mapped[SessionCandidate | None] = relationship()
    replaces: Mapped["SignedDocument | None"] = relationship(remote_side=[id])
    document: Mapped[Document | None] = relationship()

    @property
    def signed_user_ids(self) -> list[int]:
        return [s["user_id"] for s in self.signatures or []]

    @property
    def next_signer(self) -> dict[str, Any] | None:
        done = {s["field"] for s in self.signatures or []}
        return next((p for p in self.planned or [] if p["field"] not in done), None)
