"""What the export of a person's data holds (RGPD art. 15 and 20): ``donnees.json`` and the list of files.

:func:`collect` reads, for the signed-in person only, everything the platform holds about them:

- the account (names, address, role, language, dates), its browser sessions and API tokens (never a secret);
- as a candidate, every dossier: its current drafts (sections), every submitted version (sections as
  sealed, the annex manifest, the corrections asked for), its annexes and issued documents (the files
  themselves go into the ZIP), the fee request, the review notes written about it (without their author),
  the jury sessions it sat in with the decisions recorded;
- their rights requests, and the audit events about them, their dossiers, annexes and documents, or
  made by them (an event a staff member made on somebody else's object: without its payload).

Staff members get their own account, sessions, tokens, requests and events: the dossiers they handle
belong to their candidates (whose own export carries them). Everything is read in this request, before
the ZIP streams (:mod:`core.privacy.export`): the stream itself never queries the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from core.auth.models import User, utcnow
from core.dossiers.models import Annex, Document, Dossier, DossierVersion, SectionDraft
from core.extensions import db

FORMAT = "livret-donnees-personnelles/1"


@dataclass
class ExportFile:
    """One stored object going into the ZIP under ``path``; ``entry`` is its record in ``donnees.json``."""

    path: str
    storage_key: str
    size: int
    sha256: str  # as recorded when it was stored
    entry: dict[str, Any]


@dataclass
class Export:
    data: dict[str, Any]
    files: list[ExportFile]
    dossier_ids: list[int]
    organisation_ids: list[int]


def iso(value: Any) -> Any:
    """Dates as ISO 8601 (date-times in UTC with ``Z``; SQLite's naive values are UTC)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _certification_title(code: str) -> str:
    from core.certifications.services import get_certification
    from core.errors import NotFound

    try:
        return get_certification(code).title
    except NotFound:
        return code


def _folder(dossier: Dossier) -> str:
    return "fichiers/dossier-" + (dossier.reference or str(dossier.id))


def _file_name(prefix: str, name: str) -> str:
    from storage.safety import safe_filename

    return f"{prefix}-{safe_filename(name, max_length=100)}"


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "role": _enum(user.role),
        "organisation": ({"id": user.organisation.id, "name": user.organisation.name}
                         if user.organisation is not None else None),
        "language": user.locale, "email_verified_at": iso(user.email_verified_at), "active": bool(user.active),
        "created_at": iso(user.created_at), "password_changed_at": iso(user.password_changed_at),
    }


def _sessions_and_tokens(user: User) -> tuple[list[dict], list[dict]]:
    from core.api.models import ApiToken
    from core.auth.models import LoginSession

    sessions = [{"created_at": iso(s.created_at), "last_seen_at": iso(s.last_seen_at),
                 "revoked_at": iso(s.revoked_at), "ip_address": s.ip_address, "user_agent": s.user_agent}
                for s in db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                            .order_by(LoginSession.id))]
    tokens = [{"name": t.name, "hint": t.hint, "created_at": iso(t.created_at), "last_used_at": iso(t.last_used_at),
               "expires_at": iso(t.expires_at), "revoked_at": iso(t.revoked_at)}
              for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))]
    return sessions, tokens


def _fee(dossier: Dossier) -> dict[str, Any] | None:
    from core.fees.models import FeeRequest

    fee = db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == dossier.id))
    if fee is None:
        return None
    return {
        "id": fee.id, "label": fee.label, "amount_cents": fee.amount_cents, "currency": fee.currency,
        "state": _enum(fee.state), "payer_kind": _enum(fee.payer_kind), "financing_mode": fee.financing_mode,
        "provider": fee.provider, "transfer_reference": fee.transfer_reference, "payer_name": fee.payer_name,
        "payer_email": fee.payer_email, "payer_siret": fee.payer_siret, "payer_address": fee.payer_address,
        "purchase_order": fee.purchase_order, "paid_amount_cents": fee.paid_amount_cents,
        "paid_on": iso(fee.paid_on), "invoice_number": fee.invoice_number, "waived_at": iso(fee.waived_at),
        "waived_reason": fee.waived_reason, "cancelled_at": iso(fee.cancelled_at),
        "receipt_document_id": fee.receipt_document_id, "created_at": iso(fee.created_at),
    }


def _juries(dossier: Dossier) -> list[dict[str, Any]]:
    from core.jury.models import JuryDecision, SessionCandidate

    out = []
    for sitting in db.session.scalars(select(SessionCandidate).where(SessionCandidate.dossier_id == dossier.id)
                                      .order_by(SessionCandidate.id)):
        session = sitting.session
        decisions = db.session.scalars(select(JuryDecision).where(JuryDecision.candidate_id == sitting.id)
                                       .order_by(JuryDecision.id))
        out.append({
            "session": {"id": session.id, "title": session.title, "certification": session.certification_code,
                        "status": _enum(session.status), "starts_at": iso(session.starts_at),
                        "ends_on": iso(session.ends_on), "centre": session.centre, "address": session.address,
                        "video_link": session.video_link},
            "attempt": sitting.attempt, "access_route": sitting.access_route, "slot": iso(sitting.starts_at),
            "attendance": _enum(sitting.attendance),
            "decisions": [{"id": d.id, "outcome": d.outcome, "validated_blocks": d.validated_blocks,
                           "acquired_competencies": d.acquired_competencies, "marks": d.marks, "scores": d.scores,
                           "vae_outcome": d.vae_outcome, "remaining": d.remaining, "comment": d.comment,
                           "retake_until": iso(d.retake_until), "recorded_at": iso(d.recorded_at),
                           "sealed_at": iso(d.sealed_at), "superseded_at": iso(d.superseded_at)}
                          for d in decisions],
        })
    return out


def _dossier(dossier: Dossier, files: list[ExportFile]) -> dict[str, Any]:
    from core.fees.models import FeeRequest
    from core.review.models import StaffNote

    folder = _folder(dossier)
    sections = db.session.scalars(select(SectionDraft).where(SectionDraft.dossier_id == dossier.id)
                                  .order_by(SectionDraft.key))
    versions = db.session.scalars(select(DossierVersion).where(DossierVersion.dossier_id == dossier.id)
                                  .order_by(DossierVersion.number))
    annexes = []
    for annex in db.session.scalars(select(Annex).where(Annex.dossier_id == dossier.id).order_by(Annex.number)):
        entry = {"number": annex.number, "title": annex.title, "role": annex.role,
                 "deliverable": annex.deliverable, "filename": annex.filename, "media_type": annex.media_type,
                 "size": annex.size, "sha256": annex.sha256, "competencies": annex.competency_codes,
                 "scan_state": _enum(annex.scan_state), "created_at": iso(annex.created_at),
                 "removed_at": iso(annex.removed_at), "file": None}
        files.append(ExportFile(f"{folder}/annexes/{_file_name(f'{annex.number:03d}', annex.filename)}",
                                annex.storage_key, annex.size, annex.sha256, entry))
        annexes.append(entry)
    receipt_ids = select(FeeRequest.receipt_document_id).where(FeeRequest.dossier_id == dossier.id,
                                                               FeeRequest.receipt_document_id.is_not(None))
    documents = []
    for doc in db.session.scalars(select(Document).where(or_(Document.dossier_id == dossier.id,
                                                             Document.id.in_(receipt_ids))).order_by(Document.id)):
        entry = {"id": doc.id, "kind": doc.kind, "title": doc.title, "filename": doc.filename,
                 "media_type": doc.media_type, "size": doc.size, "sha256": doc.sha256,
                 "version_id": doc.version_id, "created_at": iso(doc.created_at), "file": None}
        files.append(ExportFile(f"{folder}/documents/{_file_name(f'{doc.id:06d}', doc.filename)}",
                                doc.storage_key, doc.size, doc.sha256, entry))
        documents.append(entry)
    notes = db.session.scalars(select(StaffNote).where(StaffNote.dossier_id == dossier.id).order_by(StaffNote.id))
    return {
        "id": dossier.id, "reference": dossier.reference, "certification": dossier.certification_code,
        "certification_title": _certification_title(dossier.certification_code),
        "organisation": ({"id": dossier.organisation.id, "name": dossier.organisation.name}
                         if dossier.organisation is not None else None),
        "status": _enum(dossier.status), "route": dossier.route, "target_block": dossier.target_block,
        "created_at": iso(dossier.created_at), "updated_at": iso(dossier.updated_at),
        "submitted_at": iso(dossier.submitted_at), "contents_erased_at": iso(dossier.purged_at),
        "sections": [{"key": s.key, "data": s.data, "complete": bool(s.complete), "revision": s.revision,
                      "updated_at": iso(s.updated_at)} for s in sections],
        "versions": [{"number": v.number, "submitted_at": iso(v.submitted_at), "content": v.content,
                      "manifest": v.manifest, "corrections": v.corrections,
                      "corrections_requested_at": iso(v.corrections_requested_at)} for v in versions],
        "annexes": annexes,
        "documents": documents,
        "fee": _fee(dossier),
        "review_notes": [{"text": n.text, "created_at": iso(n.created_at)} for n in notes],
        "jury": _juries(dossier),
    }


def _audit_events(user: User, dossier_ids: list[int], annex_ids: list[int], document_ids: list[int]) -> list[dict]:
    from core.audit.models import AuditEvent

    def about(kind: str, ids: list[int]):
        return and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_([str(i) for i in ids])) if ids else None

    own = [c for c in (and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)),
                       about("dossier", dossier_ids), about("annex", annex_ids), about("document", document_ids))
           if c is not None]
    events = []
    for event in db.session.scalars(select(AuditEvent).where(or_(AuditEvent.actor_id == user.id, *own))
                                    .order_by(AuditEvent.id)):
        mine = (event.object_type == "user" and event.object_id == str(user.id)) or (
            event.object_type == "dossier" and event.object_id in {str(i) for i in dossier_ids}) or (
            event.object_type == "annex" and event.object_id in {str(i) for i in annex_ids}) or (
            event.object_type == "document" and event.object_id in {str(i) for i in document_ids})
        events.append({"id": event.id, "at": iso(event.at), "action": event.action,
                       "object_type": event.object_type, "object_id": event.object_id, "outcome": event.outcome,
                       "by_you": event.actor_id == user.id, "payload": (event.payload or {}) if mine else None})
    return events


def _requests(user: User) -> list[dict[str, Any]]:
    from core.privacy.self_service import requests_of

    return [{"id": r.id, "kind": _enum(r.kind), "status": _enum(r.status), "channel": r.channel,
             "organisation": ({"id": r.organisation.id, "name": r.organisation.name}
                              if r.organisation is not None else None),
             "details": r.details, "received_at": iso(r.received_at), "due_at": iso(r.due_at),
             "handled_at": iso(r.handled_at), "response": r.response}
            for r in requests_of(user)]


def collect(user: User) -> Export:
    """Everything the platform holds about ``user`` (see the module), and the files to put in the ZIP."""
    from core.privacy.self_service import dossiers_of

    files: list[ExportFile] = []
    dossiers = dossiers_of(user)
    dossier_rows = [_dossier(d, files) for d in dossiers]
    dossier_ids = [d.id for d in dossiers]
    annex_ids = list(db.session.scalars(select(Annex.id).where(Annex.dossier_id.in_(dossier_ids)))) \
        if dossier_ids else []
    document_ids = sorted({row["id"] for d in dossier_rows for row in d["documents"]})
    sessions, tokens = _sessions_and_tokens(user)
    data = {
        "format": FORMAT,
        "generated_at": iso(utcnow()),
        "about": _("Toutes les données que la plateforme Livret détient sur vous à la date de cet export. Les "
                   "fichiers (pièces jointes, documents délivrés) sont dans le dossier « fichiers » ; le fichier "
                   "SHA256SUMS donne l'empreinte SHA-256 de chaque fichier de l'archive (sha256sum -c SHA256SUMS)."),
        "account": _account(user),
        "login_sessions": sessions,
        "api_tokens": tokens,
        "dossiers": dossier_rows,
        "privacy_requests": _requests(user),
        "audit_events": _audit_events(user, dossier_ids, annex_ids, document_ids),
    }
    organisation_ids = sorted({d.organisation_id for d in dossiers if d.organisation_id is not None})
    return Export(data, files, dossier_ids, organisation_ids)
