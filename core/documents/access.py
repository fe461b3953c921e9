"""Who may see an issued :class:`~core.dossiers.models.Document`, and which ones a person may list.

The rule is the policy action ``document.view`` (:mod:`core.policy.table`); this module answers the
questions its relations ask about a document and builds the list of the generic documents route:

- a document **issued by a jury session**: the sealed PV and the sealed grids (a
  :class:`~core.jury.models.SignedDocument` points at them with ``document_id``) and the nominative
  certificates issued when the PV was sealed (:func:`core.pv.closing.issue_certificate`: a document of
  kind ``certificate`` — or another of :data:`RESULT_KINDS`, issued per outcome by
  :mod:`core.pv.outcome_documents` — of a dossier that was a candidate of the session, issued at or
  after the moment its PV was sealed — the latest such session);
- the list: a query per role that may only return too much (never too little), each row then checked
  with :func:`core.policy.allowed` — the one rule decides.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, false, or_, select

from core.auth.models import Role, User
from core.dossiers.models import Document, Dossier, DossierStatus
from core.extensions import db
from core.jury.models import JurySession, SessionCandidate, SessionJuror, SignedDocument

CERTIFICATE_KIND = "certificate"  # core.pv.closing.CERTIFICATE_KIND (not imported: it pulls the PV rendering)
# what a sealed PV issues to a candidate's dossier: the certificate (RS6776) and the documents a plugin's
# outcomes issue (core.pv.outcome_documents.KINDS)
RESULT_KINDS = (CERTIFICATE_KIND, "parchment_record", "blocks_attestation")
LIVRET2_KIND = "livret2"  # core.evaluation.reading.LIVRET2_KIND


def signed_document_of(document: Any) -> SignedDocument | None:
    """The PV or grid whose final seal issued ``document``, if any."""
    if not isinstance(document, Document) or document.id is None:
        return None
    return db.session.scalar(select(SignedDocument).where(SignedDocument.document_id == document.id).limit(1))


def issuing_session(document: Any) -> JurySession | None:
    """The jury session that issued ``document`` (its sealed PV or grid, or a certificate issued when its
    PV was sealed); ``None`` for any other document."""
    signed = signed_document_of(document)
    if signed is not None:
        return signed.session
    if not isinstance(document, Document) or document.kind not in RESULT_KINDS or document.dossier_id is None:
        return None
    return db.session.scalar(
        select(JurySession)
        .join(SessionCandidate, SessionCandidate.session_id == JurySession.id)
        .join(SignedDocument, SignedDocument.session_id == JurySession.id)
        .where(SessionCandidate.dossier_id == document.dossier_id, SignedDocument.kind == "pv",
               SignedDocument.sealed_at.is_not(None), SignedDocument.sealed_at <= document.created_at)
        .order_by(SignedDocument.sealed_at.desc(), JurySession.id.desc()).limit(1))


# ---------------------------------------------------------------------------
# the list of the generic route
# ---------------------------------------------------------------------------

def _sessions_seen(user: User) -> Select:
    """The ids of the sessions whose documents the session manager or the certifier's staff may see."""
    condition = JurySession.manager_id == user.id
    if user.organisation_id is not None:
        condition = or_(condition, JurySession.organisation_id == user.organisation_id)
    return select(JurySession.id).where(condition)


def _issued_by(sessions: Select, *, certificates: bool = True):
    """Documents issued by one of ``sessions`` (a superset for certificates: any certificate of a candidate)."""
    signed = Document.id.in_(select(SignedDocument.document_id).where(
        SignedDocument.session_id.in_(sessions), SignedDocument.document_id.is_not(None)))
    if not certificates:
        return signed
    return or_(signed, and_(Document.kind.in_(RESULT_KINDS), Document.dossier_id.in_(
        select(SessionCandidate.dossier_id).where(SessionCandidate.session_id.in_(sessions)))))


def _candidates_of(user: User):
    """What the role may see, as a condition on documents (a superset of the policy's answer)."""
    role = user.role
    if role is Role.CANDIDATE:
        return Document.dossier_id.in_(select(Dossier.id).where(Dossier.candidate_id == user.id))
    if role is Role.SESSION_MANAGER:
        return _issued_by(_sessions_seen(user))
    if role in (Role.CERTIFIER_STAFF, Role.CERTIFIER_ADMIN):
        condition = _issued_by(_sessions_seen(user))
        if user.organisation_id is not None:
            condition = or_(condition, Document.dossier_id.in_(select(Dossier.id).where(
                Dossier.organisation_id == user.organisation_id, Dossier.status != DossierStatus.DRAFT)))
        return condition
    if role is Role.JUROR:
        sits_on = select(SessionJuror.session_id).where(SessionJuror.user_id == user.id)
        return or_(_issued_by(sits_on, certificates=False),
                   and_(Document.kind == LIVRET2_KIND, Document.dossier_id.in_(
                       select(SessionCandidate.dossier_id).where(SessionCandidate.session_id.in_(sits_on)))))
    return false()


def visible_page(user: User, *, dossier_id: int | None = None, session_id: int | None = None,
                 kind: str | None = None, after_id: int | None = None, limit: int = 50
                 ) -> tuple[list[Document], int | None]:
    """One page of the documents ``user`` may see (``document.view``), by id: ``(rows, next after_id)``.

    ``session_id`` keeps the documents that session issued (PV, grids, certificates)."""
    from core.policy import allowed

    stmt = select(Document).where(_candidates_of(user))
    if dossier_id is not None:
        stmt = stmt.where(Document.dossier_id == dossier_id)
    if session_id is not None:
        stmt = stmt.where(_issued_by(select(JurySession.id).where(JurySession.id == session_id)))
    if kind is not None:
        stmt = stmt.where(Document.kind == kind)
    if after_id is not None:
        stmt = stmt.where(Document.id > after_id)
    found = list(db.session.scalars(stmt.order_by(Document.id).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    rows = [d for d in found if allowed(user, "document.view", d)
            and (session_id is None or getattr(issuing_session(d), "id", None) == session_id)]
    return rows, (found[-1].id if more and found else None)


def get_document_for(user: User, document_id: int) -> Document:
    """The document ``document_id`` if ``user`` may see it (``document.view``); 404 ``document_not_found``."""
    from core.errors import NotFound
    from core.policy import require

    doc = db.session.get(Document, document_id)
    if doc is None:
        raise NotFound(code="document_not_found")
    require(user, "document.view", doc, code="document_not_found")
    return doc
