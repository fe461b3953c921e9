"""The signed documents of a jury session (grids, PV): their kinds and statuses with their French labels,
finding them (:func:`documents_of`, :func:`get_document`, :func:`latest_pv`) and reading them
(:func:`content_of`, :func:`content_response`).

Part of :mod:`core.pv.services`, which re-exports every name.
"""
from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import User
from core.errors import NotFound
from core.extensions import db
from core.jury.models import JurySession, SignedDocument, SignedDocumentStatus

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
# reading
# ---------------------------------------------------------------------------

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
