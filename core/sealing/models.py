"""Every hash under which the platform issued a document.

A sealed document's bytes change when its timestamps are renewed (a new
document timestamp is appended), so :class:`core.dossiers.models.Document`
holds only the current hash; this table keeps all of them, so that the
verification page recognises any version the platform ever issued, and the
time of each version's last timestamp, used by ``livret seal renew``.
"""
from __future__ import annotations

from datetime import datetime

from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.auth.models import utcnow
from core.extensions import db


class DocumentHash(db.Model):
    __tablename__ = "document_hashes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the issued document (``None`` for a file sealed with ``livret seal IN OUT``, not stored here)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(20))  # issued, renewed, cli
    storage_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: generation time of the latest RFC 3161 timestamp in these bytes (None: no timestamp)
    last_timestamp_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: expiry of the certificate of the TSA that issued that timestamp
    tsa_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: set when a renewal replaced these bytes by newer ones
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the verification report of these bytes computed when they were issued (``signing.verify``,
    #: ``VerificationReport.to_dict()`` plus ``trust`` and ``checked_at``); ``None`` for rows
    #: recorded before it was kept: the verification page then verifies the file in full
    verification_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
