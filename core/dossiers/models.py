"""Dossiers: the candidate's working copy, immutable submitted versions, annexes, documents."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, func)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import Organisation, User, utcnow
from core.extensions import db


class DossierStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CORRECTIONS_REQUESTED = "corrections_requested"
    ADMISSIBLE = "admissible"
    INADMISSIBLE = "inadmissible"
    SCHEDULED = "scheduled"
    EVALUATED = "evaluated"
    DECIDED = "decided"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    DossierStatus.DRAFT: _l("Brouillon"),
    DossierStatus.SUBMITTED: _l("Déposé"),
    DossierStatus.CORRECTIONS_REQUESTED: _l("Corrections demandées"),
    DossierStatus.ADMISSIBLE: _l("Recevable"),
    DossierStatus.INADMISSIBLE: _l("Irrecevable"),
    DossierStatus.SCHEDULED: _l("Convoqué en session"),
    DossierStatus.EVALUATED: _l("Évalué"),
    DossierStatus.DECIDED: _l("Décision rendue"),
    DossierStatus.CLOSED: _l("Clos"),
}

_enum = dict(native_enum=False, length=32)


class ScanState(str, enum.Enum):
    PENDING = "pending"
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"
    NOT_SCANNED = "not_scanned"


class Dossier(db.Model):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    certification_code: Mapped[str] = mapped_column(String(40), index=True)
    # the organisation (certifier or habilitated centre) the dossier was opened with: its staff review it,
    # its session managers put it in a session; nobody else's query ever reaches it
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"),
                                                        index=True)
    status: Mapped[DossierStatus] = mapped_column(
        Enum(DossierStatus, values_callable=lambda e: [m.value for m in e], **_enum), default=DossierStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the access route (Certification.routes) the dossier was opened on; None: the certification's default
    route: Mapped[str | None] = mapped_column(String(40))
    # the one block a candidate presents (a route with blocks_alone); None: the whole certification
    target_block: Mapped[str | None] = mapped_column(String(40))
    # retention (core.privacy.retention): the draft's owner was reminded; the contents were deleted
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    candidate: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    sections: Mapped[list["SectionDraft"]] = relationship(back_populates="dossier", cascade="all, delete-orphan")
    versions: Mapped[list["DossierVersion"]] = relationship(back_populates="dossier", order_by="DossierVersion.number")
    annexes: Mapped[list["Annex"]] = relationship(back_populates="dossier", order_by="Annex.number")

    @property
    def latest_version(self) -> "DossierVersion | None":
        return self.versions[-1] if self.versions else None

    @property
    def editable(self) -> bool:
        return self.status in (DossierStatus.DRAFT, DossierStatus.CORRECTIONS_REQUESTED)


class SectionDraft(db.Model):
    """The working copy of one section: what the candidate typed, saved as is."""

    __tablename__ = "dossier_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    complete: Mapped[bool] = mapped_column(default=False)
    problems: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="sections")

    __table_args__ = (UniqueConstraint("dossier_id", "key"),)


class DossierVersion(db.Model):
    """An immutable submitted version: the sections and the annex manifest as they were."""

    __tablename__ = "dossier_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    manifest: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # corrections the certifier asked for on this version: [{"section", "annex", "message"}]
    corrections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    corrections_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the signed Livret 2 and the receipt are issued by a job (core.dossiers.submission_queue) when the
    # timestamping authority was too slow to answer within the request; the last attempt and its reason
    documents_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    seal_attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seal_error: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("dossier_id", "number"),)


class Annex(db.Model):
    """An evidence file. The stored object never changes; replacing means a new annex."""

    __tablename__ = "annexes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), default="evidence")  # evidence, cv, deliverable...
    # role "deliverable": the code of the route's Deliverable it is (e.g. "E2"), page count checked on upload
    deliverable: Mapped[str | None] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))  # sanitised, for display and download only
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    pages: Mapped[int | None] = mapped_column(Integer)
    scan_state: Mapped[ScanState] = mapped_column(
        Enum(ScanState, values_callable=lambda e: [m.value for m in e], **_enum), default=ScanState.PENDING)
    scan_signature: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    dossier: Mapped[Dossier] = relationship(back_populates="annexes")
    # loaded with the annexes in one query (lists and coverage read every annex's competencies: no N+1)
    competencies: Mapped[list["AnnexCompetency"]] = relationship(cascade="all, delete-orphan",
                                                                 back_populates="annex", lazy="selectin")

    __table_args__ = (UniqueConstraint("dossier_id", "number"),)

    @property
    def competency_codes(self) -> list[str]:
        return sorted((link.competency_code for link in self.competencies), key=_code_order)


def _code_order(code: str) -> tuple[str, int]:
    head = code.rstrip("0123456789")
    tail = code[len(head):]
    return head, int(tail) if tail else 0


class AnnexCompetency(db.Model):
    __tablename__ = "annex_competencies"

    annex_id: Mapped[int] = mapped_column(ForeignKey("annexes.id", ondelete="CASCADE"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(String(20), primary_key=True)

    annex: Mapped[Annex] = relationship(back_populates="competencies")


class Document(db.Model):
    """A document issued by the platform (Livret 2, receipt, ...), stored as an object."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_versions.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    dossier: Mapped[Dossier | None] = relationship()


Index("ix_dossiers_cert_status", Dossier.certification_code, Dossier.status)
# Staff dossier lists (core/backoffice): keyset pages walk these in order, whatever the table's size.
Index("ix_dossiers_list_submitted", Dossier.organisation_id, Dossier.certification_code, Dossier.submitted_at,
      Dossier.id, postgresql_where=Dossier.status != "draft", sqlite_where=Dossier.status != "draft")
Index("ix_dossiers_list_status", Dossier.organisation_id, Dossier.certification_code, Dossier.status,
      Dossier.submitted_at, Dossier.id)
Index("ix_dossiers_reference_prefix", func.upper(Dossier.reference).label("reference_upper"),
      postgresql_ops={"reference_upper": "varchar_pattern_ops"})
