"""An organisation's retention settings and the register of rights requests."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.models import Organisation, User, utcnow
from core.extensions import db

_enum = dict(native_enum=False, length=32)


def _values(e):
    return [m.value for m in e]


class RetentionSetting(db.Model):
    """A period an organisation chose for one kind of data of one certification (within the rule's bounds,
    :class:`core.privacy.declarations.RetentionRule`)."""

    __tablename__ = "privacy_retention_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    certification_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RequestKind(str, enum.Enum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    OBJECTION = "objection"

    @property
    def label(self) -> str:
        return str(REQUEST_KIND_LABELS[self])


REQUEST_KIND_LABELS = {
    RequestKind.ACCESS: _l("Accès"),
    RequestKind.RECTIFICATION: _l("Rectification"),
    RequestKind.ERASURE: _l("Effacement"),
    RequestKind.OBJECTION: _l("Opposition"),
}


class RequestStatus(str, enum.Enum):
    OPEN = "open"
    DONE = "done"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return str(REQUEST_STATUS_LABELS[self])


REQUEST_STATUS_LABELS = {
    RequestStatus.OPEN: _l("À traiter"),
    RequestStatus.DONE: _l("Traitée"),
    RequestStatus.REFUSED: _l("Refusée"),
}


class PrivacyRequest(db.Model):
    """One request of a person about their data (RGPD art. 15 to 21), answered within one month (art. 12-3).

    Self-service requests (export, erasure from the account page) are recorded here already done;
    requests received by other channels are entered by the certifier's admin and handled here.
    """

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                        index=True)
    kind: Mapped[RequestKind] = mapped_column(Enum(RequestKind, values_callable=_values, **_enum))
    status: Mapped[RequestStatus] = mapped_column(Enum(RequestStatus, values_callable=_values, **_enum),
                                                  default=RequestStatus.OPEN)
    # the person: an account when there is one (kept as an id: the account may be erased), else words
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_label: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(40), default="self_service")  # self_service, email, letter...
    details: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    response: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation | None] = relationship()
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
