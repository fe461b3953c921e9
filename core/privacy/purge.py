"""Deleting and pseudonymising personal data: the primitives the retention run and erasure share.

Each function changes rows in the current transaction and returns the storage
keys whose objects must go; the caller commits, then calls :func:`delete_objects`
(an object left behind by a crash in between is an orphan that
``livret storage sweep`` removes; a row never points to a deleted object).
Sealed documents (:class:`core.dossiers.models.Document`), decisions, grids,
PVs, certificates and the audit trail are never touched here.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from core.auth.models import User, utcnow
from core.dossiers.models import Annex, Dossier, DossierVersion, SectionDraft
from core.extensions import db

log = logging.getLogger(__name__)

ERASED_DOMAIN = "efface.invalid"  # RFC 2606: never a real mailbox


@dataclass
class Purged:
    """What one purge removed (counts for the audit trail, keys for the storage)."""

    sections: int = 0
    versions: int = 0
    annexes: int = 0
    notes: int = 0
    dossiers: int = 0
    accounts: int = 0
    keys: list[str] = field(default_factory=list)

    def add(self, other: "Purged") -> "Purged":
        for name in ("sections", "versions", "annexes", "notes", "dossiers", "accounts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.keys.extend(other.keys)
        return self

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ("sections", "versions", "annexes", "notes", "dossiers",
                                                        "accounts") if getattr(self, name)}


def purge_dossier_contents(dossier: Dossier) -> Purged:
    """Delete what the candidate wrote and uploaded for ``dossier``, keep what proves the outcome.

    Goes: the section drafts, the content of every submitted version (the sealed Livret 2 keeps it),
    the annexes (rows and objects) and the staff's review notes. Stays: the dossier row (status,
    dates, reference), the versions' manifests reduced to file hashes, the fee, the sealed documents,
    the decisions. Idempotent: a purged dossier gives nothing more.
    """
    from core.review.models import StaffNote

    out = Purged()
    if dossier.purged_at is not None:
        return out
    out.sections = db.session.execute(delete(SectionDraft).where(SectionDraft.dossier_id == dossier.id)).rowcount
    for version in db.session.scalars(select(DossierVersion).where(DossierVersion.dossier_id == dossier.id)):
        version.content = {}
        version.manifest = [{k: entry[k] for k in ("number", "sha256", "size") if k in entry}
                            for entry in (version.manifest or []) if isinstance(entry, dict)]
        version.corrections = None if version.corrections is None else [
            {k: c[k] for k in ("section", "field") if k in c} for c in version.corrections if isinstance(c, dict)]
        out.versions += 1
    for annex in db.session.scalars(select(Annex).where(Annex.dossier_id == dossier.id)).all():
        out.keys.append(annex.storage_key)
        db.session.delete(annex)
        out.annexes += 1
    out.notes = db.session.execute(delete(StaffNote).where(StaffNote.dossier_id == dossier.id)).rowcount
    dossier.purged_at = utcnow()
    db.session.flush()
    return out


def delete_draft(dossier: Dossier) -> Purged:
    """Delete a dossier that was never submitted, with its sections, annexes and unpaid fee request.

    Refused (``ValueError``) for a dossier that has a submitted version: its sealed record must stay.
    """
    from core.fees.models import FeeRequest

    if dossier.submitted_at is not None or db.session.scalar(
            select(DossierVersion.id).where(DossierVersion.dossier_id == dossier.id).limit(1)) is not None:
        raise ValueError(f"dossier {dossier.id} was submitted: purge its contents instead")
    out = purge_dossier_contents(dossier)
    fee = db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == dossier.id))
    if fee is not None:
        if fee.receipt_document_id is not None or fee.invoice_number is not None:
            raise ValueError(f"dossier {dossier.id} has an invoiced fee: it must stay for the accounts")
        db.session.delete(fee)
    db.session.delete(dossier)
    out.dossiers = 1
    db.session.flush()
    return out


def pseudonymise_account(user: User, *, keep_name: bool) -> Purged:
    """Close ``user``'s account for good and strip it of everything but, when ``keep_name``, the name
    that the sealed records (PV, certificate) were signed with.

    The row stays (decisions, versions and the audit trail refer to it by id); the e-mail becomes
    an address that cannot exist, the password cannot match, sessions and API tokens go.
    Idempotent.
    """
    from core.api.models import ApiToken
    from core.auth.models import LoginSession

    out = Purged()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    if user.erased_at is None:
        out.accounts = 1
    user.email = f"efface-{user.id}@{ERASED_DOMAIN}"
    user.password_hash = "!erased:" + secrets.token_hex(16)  # no hash scheme matches it
    user.active = False
    user.locale = None
    user.email_verified_at = None
    if not keep_name:
        user.first_name, user.last_name = "", ""
    user.erased_at = user.erased_at or utcnow()
    db.session.flush()
    return out


def delete_objects(keys: list[str]) -> int:
    """Delete the storage objects of a committed purge; returns how many went (a failure is logged, the
    sweep will find the orphan)."""
    from flask import current_app

    storage = current_app.extensions["livret"].storage
    gone = 0
    for key in keys:
        try:
            storage.delete(key)
            gone += 1
        except Exception as exc:  # noqa: BLE001 - the row is gone; the object is an orphan for the sweep
            log.warning("purge: object %s not deleted (%s); livret storage sweep will remove it",
                        key, type(exc).__name__)
    return gone
