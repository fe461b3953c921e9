"""Documents several people sign in turn: the grids (Annexe 3) and the procès-verbal (Annexe 4).

The life of a :class:`~core.jury.models.SignedDocument`:

1. :func:`create`: the rendered PDF gets an empty signature field per planned
   signer, one for the certification seal and one for the final seal
   (« Cachet »), all on the document's signature page; the organisation
   certifies it (DocMDP « form filling and signatures »: nothing but the
   planned signatures may follow); the bytes are stored; status ``signing``.
2. :func:`sign`: a planned signer whose turn it is (jurors in any order, the
   session manager once every juror has signed) re-authenticates and signs
   into their field with their personal certificate. The new bytes are stored
   under a new key, the row updated and committed, then the old object deleted.
3. After the last planned signature, the organisation seals last (B-LTA,
   « Cachet » field) through :func:`core.sealing.services.issue_document`,
   which records the :class:`~core.dossiers.models.Document` (verifiable on
   ``/verifier``); status ``sealed``. For a PV, :mod:`core.pv.closing` then
   seals the decisions, closes the session and notifies (webhooks, e-mails).

All or nothing: when anything fails (password, signature, TSA, storage,
database), the row and its stored bytes stay as they were. A sealed (or
replaced) document never changes again.

The work is split by responsibility, every name re-exported here: :mod:`core.pv.signed_documents` (kinds,
statuses, finding and reading the documents) and :mod:`core.pv.signers` (who signs, when); storage, the
transaction (:class:`Work`, :func:`run`) and creating, signing and sealing are here.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

import core.sealing.services as sealing
from core.audit.services import record
from core.auth.models import User, utcnow
from core.errors import Conflict
from core.extensions import db
from core.jury.models import JurySession, SessionCandidate, SignedDocument, SignedDocumentStatus
from core.pv.signed_documents import (
    CERTIFICATION_FIELD, GRID, JUROR, KIND_LABELS, MANAGER, PV, SEAL_FIELD, SIGN_REASONS, STATUS_LABELS, Content,
    content_of, content_response, documents_of, get_document, kind_label, latest_pv, status_label)
from core.pv.signers import (
    _check_can_sign, allowed_now, awaiting, awaits, can_manage, check_can_sign, not_a_signer_reason, planned_for,
    signer_rows, unsigned)

logger = logging.getLogger(__name__)

# Every name of the module before its split, kept importable from here.
__all__ = [
    "GRID", "PV", "JUROR", "MANAGER", "CERTIFICATION_FIELD", "SEAL_FIELD", "KIND_LABELS", "STATUS_LABELS",
    "SIGN_REASONS", "status_label", "kind_label", "_storage", "open_object", "read_bytes", "_put", "Work",
    "run", "documents_of", "get_document", "latest_pv", "planned_for", "unsigned", "allowed_now", "awaits",
    "awaiting", "_check_can_sign", "_prepare", "_certification_level", "create", "sign",
    "sign_reauthenticated", "_seal", "not_a_signer_reason", "can_manage", "signer_rows", "Content",
    "content_of", "content_response", "check_can_sign", "SigningRun", "sign_all",
]


# ---------------------------------------------------------------------------
# storage
# ---------------------------------------------------------------------------

def _storage():
    return current_app.extensions["livret"].storage


def open_object(key: str):
    return _storage().open(key)


def read_bytes(key: str) -> bytes:
    with _storage().open(key) as reader:
        return b"".join(reader)


def _put(session: JurySession, data: bytes):
    from storage import StorageError, new_key

    key = new_key("jury", session.id)
    try:
        return _storage().put(key, data, length=len(data), sha256=hashlib.sha256(data).hexdigest(),
                              content_type="application/pdf")
    except StorageError as exc:
        logger.error("storing %s failed: %s", key, exc)
        _storage().delete(key)
        raise sealing.SealingFailed(_("Le document signé n'a pas pu être enregistré : réessayez plus tard.")) from exc


@dataclass
class Work:
    """What one transaction left in storage and what to do once it is committed."""

    new_keys: list[str] = field(default_factory=list)  # deleted if the transaction fails
    old_keys: list[str] = field(default_factory=list)  # deleted once it is committed
    mails: list[dict[str, Any]] = field(default_factory=list)  # sent once it is committed
    callbacks: list[Any] = field(default_factory=list)  # called (no argument) once it is committed

    def after_commit(self) -> None:
        """Delete the replaced objects and send the e-mails; a failure here is logged, never undone."""
        for key in self.old_keys:
            try:
                _storage().delete(key)
            except Exception:  # noqa: BLE001 - an orphan object, harmless
                logger.warning("could not delete the replaced object %s", key)
        from core.mail import send_mail

        for mail in self.mails:
            try:
                send_mail(**mail)
            except Exception as exc:  # noqa: BLE001 - the documents are sealed and committed: log and go on
                to = mail.get("to") or ()
                count = 1 if isinstance(to, str) else len(to)  # never the addresses: no personal data in logs
                logger.error("could not send the e-mail %r to %d recipient(s): %s", mail.get("subject"), count,
                             type(exc).__name__)
        for callback in self.callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - same: committed, log and go on
                logger.exception("after-commit task %r failed", callback)

    def commit(self) -> None:
        db.session.commit()
        self.after_commit()

    def rollback(self) -> None:
        db.session.rollback()
        for key in self.new_keys:
            try:
                _storage().delete(key)
            except Exception:  # noqa: BLE001
                logger.warning("could not delete %s after a failed transaction", key)


def run(work: Work, action):
    """Run ``action()`` in one transaction: commit (then clean up and e-mail) or roll back everything."""
    try:
        result = action()
        db.session.commit()
    except Exception:
        work.rollback()
        raise
    work.after_commit()
    return result


# ---------------------------------------------------------------------------
# create, sign, seal
# ---------------------------------------------------------------------------

def _prepare(pdf: bytes, names: list[str]) -> bytes:
    from signing import SigningLayerError
    from signing.pades import Placement, prepare_signature_fields

    from core.pv.documents import signature_boxes

    try:
        for name, box in zip(names, signature_boxes(len(names))):
            pdf = prepare_signature_fields(pdf, [name], placement=Placement(page=-1, box=box))
    except SigningLayerError as exc:
        raise sealing.SealingFailed(str(exc)) from exc
    return pdf


def _certification_level() -> str:
    return "B-B" if current_app.config.get("SIGNING_LEVEL") == "B-B" else "B-T"


def create(kind: str, session: JurySession, candidate: SessionCandidate | None, pdf_bytes: bytes,
           planned: list[dict[str, Any]], actor: User, work: Work, *, number: int = 1,
           replaces: SignedDocument | None = None, reason: str = "") -> SignedDocument:
    """Prepare the fields, certify (DocMDP), store; the row is added (the caller commits ``work``)."""
    names = [CERTIFICATION_FIELD, *[p["field"] for p in planned], SEAL_FIELD]
    prepared = _prepare(pdf_bytes, names)
    certified = sealing.seal_pdf(prepared, reason=_("Document établi par %(org)s : seules les signatures "
                                                    "prévues peuvent y être ajoutées", org=session.organisation.name),
                                 level=_certification_level(), organisation=session.organisation, certify=True,
                                 field_name=CERTIFICATION_FIELD)
    stored = _put(session, certified)
    work.new_keys.append(stored.key)
    doc = SignedDocument(session_id=session.id, candidate_id=candidate.id if candidate else None, kind=kind,
                         number=number, replaces_id=replaces.id if replaces else None, correction_reason=reason,
                         status=SignedDocumentStatus.SIGNING, planned=planned, signatures=[],
                         storage_key=stored.key, sha256=stored.sha256, size=stored.size, created_by_id=actor.id)
    db.session.add(doc)
    db.session.flush()
    record("jury_document.created", "jury_document", doc.id, actor_id=actor.id,
           payload={"kind": kind, "session_id": session.id, "candidate_id": doc.candidate_id, "number": number,
                    "replaces_id": doc.replaces_id, "sha256": stored.sha256,
                    "planned": [p["user_id"] for p in planned]})
    return doc


def sign(doc: SignedDocument, user: User, password: str) -> SignedDocument:
    """Re-authenticate ``user``, then :func:`sign_reauthenticated`."""
    _check_can_sign(doc, user)
    sealing.reauthenticate(user, password)
    return sign_reauthenticated(doc, user)


def sign_reauthenticated(doc: SignedDocument, user: User) -> SignedDocument:
    """Sign ``doc`` for ``user`` (re-authenticated in this request); seal it after the last signature."""
    from storage import StorageError

    entry = _check_can_sign(doc, user)
    try:
        current = read_bytes(doc.storage_key)
    except (StorageError, KeyError) as exc:
        logger.error("document %s: stored bytes unreadable: %r", doc.id, exc)
        raise sealing.SealingFailed(_("Le document à signer n'a pas pu être lu : réessayez plus tard.")) from exc
    if hashlib.sha256(current).hexdigest() != doc.sha256:
        raise sealing.SealingFailed(_("Le document stocké ne correspond plus à son empreinte : il n'a pas été signé."))
    work = Work()
    read_sha256 = doc.sha256

    def action():
        # Claim the row: two signers of one document at the same moment must not both sign the same
        # bytes (the later commit would drop the earlier signature). The no-op UPDATE takes the row
        # lock (PostgreSQL) or the write lock (SQLite) and matches only if nobody signed since we read.
        claimed = db.session.execute(
            update(SignedDocument)
            .where(SignedDocument.id == doc.id, SignedDocument.sha256 == read_sha256,
                   SignedDocument.status == SignedDocumentStatus.SIGNING)
            .values(sha256=read_sha256).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise Conflict(_("Ce document vient d'être signé par une autre personne : rechargez la page, "
                             "puis signez à nouveau."), code="document_changed")
        signed = sealing.sign_as_person(current, user, field_name=entry["field"],
                                        reason=str(SIGN_REASONS[doc.kind]))
        stored = _put(doc.session, signed)
        work.new_keys.append(stored.key)
        work.old_keys.append(doc.storage_key)
        doc.signatures = [*(doc.signatures or []), {"user_id": user.id, "field": entry["field"],
                                                    "at": utcnow().isoformat(), "sha256": stored.sha256}]
        doc.storage_key, doc.sha256, doc.size = stored.key, stored.sha256, stored.size
        db.session.flush()
        record("jury_document.signed", "jury_document", doc.id, actor_id=user.id,
               payload={"field": entry["field"], "role": entry["role"], "sha256": stored.sha256})
        if not unsigned(doc):  # the last signature: the final seal goes through the job queue
            from core.pv.sealing import queue_seal

            queue_seal(doc, user, work)
        return doc

    return run(work, action)


def _seal(doc: SignedDocument, data: bytes, actor: User, work: Work) -> None:
    """The organisation's final seal (B-LTA by default) into « Cachet »; issues the Document."""
    from core.pv.closing import after_grid_sealed, after_pv_sealed, document_names

    title, filename = document_names(doc)
    issued = sealing.issue_document(
        data, dossier=doc.candidate.dossier if doc.candidate else None, kind=f"jury_{doc.kind}", title=title,
        filename=filename, organisation=doc.session.organisation, field_name=SEAL_FIELD, commit=False,
        actor_id=actor.id, reason=title)
    work.new_keys.append(issued.storage_key)
    doc.document_id = issued.id
    doc.status = SignedDocumentStatus.SEALED
    doc.sealed_at = utcnow()
    db.session.flush()
    record("jury_document.sealed", "jury_document", doc.id, actor_id=actor.id,
           payload={"kind": doc.kind, "document_id": issued.id, "sha256": issued.sha256})
    if doc.kind == PV:
        after_pv_sealed(doc, actor, work)
    else:
        after_grid_sealed(doc, actor)


@dataclass
class SigningRun:
    """What :func:`sign_all` did: the documents signed, and the one that failed with its refusal.

    Unpacks as ``(signed, failed document or None, French reason or None)``."""

    signed: list[SignedDocument]
    failed: SignedDocument | None = None
    error: Exception | None = None

    @property
    def reason(self) -> str | None:
        return str(self.error) if self.error is not None else None

    def __iter__(self):
        return iter((self.signed, self.failed, self.reason))


def sign_all(session: JurySession, user: User, docs: list[SignedDocument]) -> SigningRun:
    """Sign ``docs`` in turn for ``user`` (re-authenticated in this request), each in its own
    transaction (all or nothing for each); stop at the first failure: the documents signed before it
    stay signed, the following ones are not tried."""
    from core.errors import UserError

    done: list[SignedDocument] = []
    for doc in docs:
        try:
            sign_reauthenticated(doc, user)
        except UserError as exc:
            return SigningRun(done, doc, exc)
        done.append(doc)
    return SigningRun(done)
