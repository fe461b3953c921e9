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
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

import core.sealing.services as sealing
from core.audit.services import record
from core.auth.models import User, utcnow
from core.errors import Conflict, Forbidden, NotFound
from core.extensions import db
from core.jury.models import JurySession, SessionCandidate, SignedDocument, SignedDocumentStatus
from core.jury.services import manages

logger = logging.getLogger(__name__)

GRID, PV = "grid", "pv"
JUROR, MANAGER = "juror", "session_manager"
CERTIFICATION_FIELD, SEAL_FIELD = "Certification", "Cachet"
KIND_LABELS = {GRID: _l("Grille d'évaluation individuelle"), PV: _l("Procès-verbal")}
STATUS_LABELS = {SignedDocumentStatus.SIGNING: _l("En cours de signature"),
                 SignedDocumentStatus.SEALING: _l("Signé, scellement en cours"),
                 SignedDocumentStatus.SEALED: _l("Signé et scellé"),
                 SignedDocumentStatus.REPLACED: _l("Remplacé")}
SIGN_REASONS = {GRID: _l("Signature de la grille d'évaluation individuelle"),
                PV: _l("Signature du procès-verbal de délibération du jury")}


def status_label(doc: SignedDocument) -> str:
    return str(STATUS_LABELS[doc.status])


def kind_label(doc: SignedDocument) -> str:
    return str(KIND_LABELS.get(doc.kind, doc.kind))


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
# access
# ---------------------------------------------------------------------------

def documents_of(session: JurySession, kind: str | None = None) -> list[SignedDocument]:
    stmt = select(SignedDocument).where(SignedDocument.session_id == session.id)
    if kind:
        stmt = stmt.where(SignedDocument.kind == kind)
    return list(db.session.scalars(stmt.order_by(SignedDocument.kind, SignedDocument.id)))  # grids, then the PV


def get_document(session: JurySession, document_id: int, kind: str | None = None) -> SignedDocument:
    """A signed document of ``session`` (already checked with ``get_session_for``); 404 otherwise."""
    doc = db.session.get(SignedDocument, document_id)
    if doc is None or doc.session_id != session.id or (kind and doc.kind != kind):
        raise NotFound(code="document_not_found")
    return doc


def latest_pv(session: JurySession, status: SignedDocumentStatus | None = None) -> SignedDocument | None:
    stmt = select(SignedDocument).where(SignedDocument.session_id == session.id, SignedDocument.kind == PV)
    if status is not None:
        stmt = stmt.where(SignedDocument.status == status)
    return db.session.scalar(stmt.order_by(SignedDocument.number.desc(), SignedDocument.id.desc()).limit(1))


# ---------------------------------------------------------------------------
# who signs, when
# ---------------------------------------------------------------------------

def planned_for(session: JurySession, kind: str) -> list[dict[str, Any]]:
    """Every juror (session order), then for a PV the session manager (who has no vote)."""
    planned = [{"user_id": j.user_id, "role": JUROR, "field": f"Jure{i}"} for i, j in enumerate(session.jurors, 1)]
    if kind == PV:
        planned.append({"user_id": session.manager_id, "role": MANAGER, "field": "Responsable"})
    return planned


def unsigned(doc: SignedDocument) -> list[dict[str, Any]]:
    done = {s["field"] for s in doc.signatures or []}
    return [p for p in doc.planned or [] if p["field"] not in done]


def allowed_now(doc: SignedDocument) -> list[dict[str, Any]]:
    """The planned signers who may sign now: the jurors still to sign, else the session manager."""
    if doc.status is not SignedDocumentStatus.SIGNING:
        return []
    left = unsigned(doc)
    jurors = [p for p in left if p["role"] == JUROR]
    return jurors or left


def awaits(doc: SignedDocument, user: User) -> bool:
    return any(p["user_id"] == user.id for p in allowed_now(doc))


def awaiting(session: JurySession, user: User) -> list[SignedDocument]:
    """The documents of ``session`` waiting for ``user``'s signature now (grids first, then the PV)."""
    return [d for d in documents_of(session) if awaits(d, user)]


def _check_can_sign(doc: SignedDocument, user: User) -> dict[str, Any]:
    """The planned entry ``user`` signs now; a French refusal otherwise."""
    if doc.status is not SignedDocumentStatus.SIGNING:
        raise Conflict(_("Ce document est au statut « %(s)s » : il ne peut plus être signé ni modifié.",
                         s=status_label(doc)), code="document_sealed", details={"status": doc.status.value})
    mine = [p for p in doc.planned or [] if p["user_id"] == user.id]
    if not mine:
        raise Forbidden(not_a_signer_reason(), code="not_a_signer")
    left = [p for p in unsigned(doc) if p["user_id"] == user.id]
    if not left:
        raise Conflict(_("Vous avez déjà signé ce document."), code="already_signed",
                       details={"status": doc.status.value})
    entry = left[0]
    if entry not in allowed_now(doc):
        waiting = [p for p in unsigned(doc) if p["role"] == JUROR]
        raise Conflict(_("Le responsable de session signe après l'ensemble des membres du jury : "
                         "%(n)d signature(s) de juré manquent encore.", n=len(waiting)),
                       code="not_your_turn", details={"status": doc.status.value,
                                                      "waiting_for": [p["user_id"] for p in waiting]})
    return entry


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


def not_a_signer_reason() -> str:
    return _("Vous n'êtes pas signataire de ce document : seuls les membres du jury et le responsable de la "
             "session le signent.")


def can_manage(user: User, session: JurySession) -> bool:
    return manages(user, session)


def signer_rows(doc: SignedDocument) -> list[dict[str, Any]]:
    """The planned signers with their name, when they signed, and whether they may sign now."""
    from datetime import datetime

    signed = {s["field"]: s for s in doc.signatures or []}
    allowed = {p["field"] for p in allowed_now(doc)}
    ids = [p["user_id"] for p in doc.planned or []]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = []
    for entry in doc.planned or []:
        done = signed.get(entry["field"])
        user = users.get(entry["user_id"])
        rows.append({**entry, "name": user.full_name if user else "", "user": user,
                     "signed_at": datetime.fromisoformat(done["at"]) if done else None,
                     "can_sign_now": entry["field"] in allowed})
    return rows


class Content(NamedTuple):
    """What a reader of a signed document gets: the stored object, its size, SHA-256 and file name."""

    key: str
    size: int
    sha256: str
    filename: str


def content_of(doc: SignedDocument) -> Content:
    """What a reader gets: the sealed PDF (the issued Document) once issued, else the current bytes being
    signed. The listings report this size and SHA-256: those of the exact bytes served."""
    from core.pv.closing import document_names

    if doc.document is not None:
        issued = doc.document
        return Content(issued.storage_key, issued.size, issued.sha256, issued.filename)
    _title, filename = document_names(doc)
    return Content(doc.storage_key, doc.size, doc.sha256, filename.replace(".pdf", "-en-cours-de-signature.pdf"))


def content_response(doc: SignedDocument, user: User):
    """The document as a download (verified whole against its SHA-256; ``jury_document.read`` audited and
    committed before the first byte leaves, not for a 304). Callers check the access first."""
    from core.downloads import WHOLE, stored_response

    content = content_of(doc)

    def audit() -> None:
        record("jury_document.read", "jury_document", doc.id, actor_id=user.id)
        db.session.commit()

    return stored_response(content.key, filename=content.filename, media_type="application/pdf",
                           size=content.size, sha256=content.sha256, verify=WHOLE, before_send=audit)


def check_can_sign(doc: SignedDocument, user: User) -> None:
    """Refuse (French reason) unless ``user`` may sign ``doc`` now: before asking for a password."""
    _check_can_sign(doc, user)


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
