"""Accounts, organisations and server-side login sessions."""
from __future__ import annotations

import enum
import hashlib
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Role(str, enum.Enum):
    CANDIDATE = "candidate"
    JUROR = "juror"
    SESSION_MANAGER = "session_manager"
    CERTIFIER_STAFF = "certifier_staff"
    CERTIFIER_ADMIN = "certifier_admin"
    PLATFORM_ADMIN = "platform_admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def needs_organisation(self) -> bool:
        return self in (Role.CERTIFIER_STAFF, Role.CERTIFIER_ADMIN)


ROLE_LABELS = {
    Role.CANDIDATE: _l("Candidat ou candidate"),
    Role.JUROR: _l("Membre de jury"),
    Role.SESSION_MANAGER: _l("Responsable de session"),
    Role.CERTIFIER_STAFF: _l("Équipe du certificateur"),
    Role.CERTIFIER_ADMIN: _l("Administration du certificateur"),
    Role.PLATFORM_ADMIN: _l("Administration de la plateforme"),
}


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    siret: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list["User"]] = relationship(back_populates="organisation")
    certifications: Mapped[list["OrganisationCertification"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan")

    @property
    def certification_codes(self) -> set[str]:
        """The certifications the organisation delivers now: granted by a platform admin and enabled."""
        return {link.certification_code for link in self.certifications if link.active}

    @property
    def granted_codes(self) -> set[str]:
        """The certifications a platform admin granted (enabled or not by the organisation's admin)."""
        return {link.certification_code for link in self.certifications if link.granted}

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class DeliveryRole(str, enum.Enum):
    """How an organisation delivers a certification."""

    CERTIFIER = "certifier"  # the certifier the plugin names (one per certification)
    CENTRE = "centre"  # a partner centre habilitated by the certifier

    @property
    def label(self) -> str:
        return str(DELIVERY_ROLE_LABELS[self])


DELIVERY_ROLE_LABELS = {
    DeliveryRole.CERTIFIER: _l("Certificateur"),
    DeliveryRole.CENTRE: _l("Centre habilité"),
}


class OrganisationCertification(db.Model):
    """A certification (from an installed plugin) that an organisation delivers or asked to deliver.

    Only a platform admin grants it (``granted_at``); the organisation's admin may ask for it
    (a row with ``requested_at`` and no ``granted_at``) and enables or disables what was granted.
    A row created without saying otherwise is a grant (fixtures, the demo, the CLI).
    """

    __tablename__ = "organisation_certifications"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    certification_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    role: Mapped[DeliveryRole] = mapped_column(Enum(DeliveryRole, native_enum=False, length=16,
                                                    values_callable=lambda e: [m.value for m in e]),
                                               default=DeliveryRole.CERTIFIER)
    granted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(back_populates="certifications")

    @property
    def granted(self) -> bool:
        return self.granted_at is not None

    @property
    def active(self) -> bool:
        return self.granted and bool(self.enabled)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32,
                                            values_callable=lambda e: [m.value for m in e]))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    locale: Mapped[str | None] = mapped_column(String(8))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # set when the account was erased or pseudonymised (core.privacy.purge): the row stays for the records
    # that prove a title, with the name they were signed with and nothing else
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class LoginSession(db.Model):
    """A signed-in browser session, so that sign-out and timeouts are enforced on the server.

    The cookie carries a random session id; only its SHA-256 is stored.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_sid(sid: str) -> str:
        return hashlib.sha256(sid.encode("ascii")).hexdigest()
