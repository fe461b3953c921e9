"""An organisation's own seal certificate (uploaded PKCS#12, stored encrypted) and signing settings.

At most one seal per organisation is active (partial unique index). A new
upload deactivates the previous one and a removal deactivates it: an inactive
row keeps the description of the certificate (subject, serial, fingerprint,
validity) for the history, and its encrypted key material is erased.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import Organisation, User, utcnow
from core.extensions import db


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


class OrganisationSeal(db.Model):
    """A seal certificate with its private key, as uploaded by the organisation's admin."""

    __tablename__ = "organisation_seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    # Fernet tokens (core.organisations.seals.encrypt); None once the seal is inactive
    pkcs12_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    password_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    subject_cn: Mapped[str] = mapped_column(String(300), default="")
    subject_o: Mapped[str] = mapped_column(String(300), default="")
    subject: Mapped[str] = mapped_column(String(1000), default="")  # RFC 4514
    issuer: Mapped[str] = mapped_column(String(1000), default="")  # RFC 4514
    serial: Mapped[str] = mapped_column(String(80))  # hexadecimal
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64))  # hexadecimal, lower case
    # [{"subject", "issuer", "not_before", "not_after"}] of the other certificates of the file
    chain: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])

    def valid_at(self, moment: datetime) -> bool:
        return aware(self.not_before) <= moment <= aware(self.not_after)

    def days_left(self, moment: datetime) -> int:
        return (aware(self.not_after) - moment).days


# one active seal per organisation
Index("uq_organisation_seals_active", OrganisationSeal.organisation_id, unique=True,
      postgresql_where=text("active"), sqlite_where=text("active"))


class OrganisationSigningSettings(db.Model):
    """Signing settings of an organisation (one row, created on first change)."""

    __tablename__ = "organisation_signing_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    tsa_url: Mapped[str] = mapped_column(String(500), default="")  # empty: the platform's TSA
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
