"""Sending the signed grids and the PV to the certifier's quality committee.

Seed 004 §2 « 5. Grille d'évaluation individuelle »: « La grille complétée et signée est transmise
par le responsable de session au Comité de Contrôle et de Conformité Qualité (certification@simplon.co)
avec le procès-verbal de jury. » A certification names its committee in its referential's ``[extra]``
(``quality_committee_name``, ``quality_committee_email``); without an address nothing is sent.

When a PV is sealed (the session's closing), :func:`dispatch` queues the job :func:`deliver` once the
transaction is committed. The job reads the sealed PDFs (the sealed PV and the session's sealed grids,
each checked against its SHA-256), e-mails them as attachments and records the outcome in the audit
trail: ``pv.quality_committee_sent`` or ``pv.quality_committee_failed`` (the closing is never undone
by a failed e-mail). :func:`status` reads the latest of them for the session page and the API;
:func:`resend` (session manager) sends again.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.audit.services import record
from core.errors import Conflict, NotFound
from core.extensions import db
from core.jury.models import JurySession, SignedDocument, SignedDocumentStatus
from core.jury.services import certification_of, manages

logger = logging.getLogger(__name__)

SENT, FAILED = "pv.quality_committee_sent", "pv.quality_committee_failed"
JOB = "core.pv.committee.deliver"


def committee_of(cert) -> dict[str, str] | None:
    """``{"name", "email"}`` of the certification's quality committee, or ``None``."""
    email = str(cert.extra.get("quality_committee_email") or "").strip()
    if not email:
        return None
    return {"name": str(cert.extra.get("quality_committee_name") or email).strip(), "email": email}


def sealed_documents(session: JurySession) -> list:
    """The issued Documents to send: the latest sealed PV, then the session's sealed grids."""
    from core.pv.services import GRID, latest_pv

    pv = latest_pv(session, SignedDocumentStatus.SEALED)
    if pv is None or pv.document is None:
        return []
    grids = db.session.scalars(select(SignedDocument).where(
        SignedDocument.session_id == session.id, SignedDocument.kind == GRID,
        SignedDocument.status == SignedDocumentStatus.SEALED, SignedDocument.document_id.is_not(None))
        .order_by(SignedDocument.id))
    return [pv.document, *[g.document for g in grids]]


def dispatch(session_id: int, actor_id: int | None) -> None:
    """Queue :func:`deliver`; a queue that refuses the job is recorded as a failed sending."""
    try:
        current_app.extensions["livret"].jobs.enqueue(JOB, session_id=session_id, actor_id=actor_id)
    except Exception as exc:  # noqa: BLE001 - the session is closed and committed: record and go on
        logger.exception("could not queue the quality committee e-mail of session %s", session_id)
        db.session.rollback()
        record(FAILED, "jury_session", session_id, actor_id=actor_id, outcome="failure",
               payload={"error": type(exc).__name__})
        db.session.commit()


def deliver(session_id: int, actor_id: int | None = None) -> None:
    """Job: e-mail the sealed PV and grids to the committee; record ``sent`` or ``failed``."""
    session = db.session.get(JurySession, session_id)
    cert = certification_of(session) if session is not None else None
    committee = committee_of(cert) if cert is not None else None
    if committee is None:
        return
    docs = sealed_documents(session)
    try:
        message = _message(session, cert, committee, docs)
        from core.mail import deliver as send_now

        send_now(**message)
    except Exception as exc:  # noqa: BLE001 - recorded, shown on the session page with « Renvoyer »
        logger.exception("e-mail to the quality committee of session %s failed", session_id)
        db.session.rollback()
        record(FAILED, "jury_session", session_id, actor_id=actor_id, outcome="failure",
               payload={"error": type(exc).__name__, "documents": [d.id for d in docs]})
        db.session.commit()
        return
    record(SENT, "jury_session", session_id, actor_id=actor_id,
           payload={"documents": [{"document_id": d.id, "sha256": d.sha256} for d in docs]})
    db.session.commit()


def _message(session: JurySession, cert, committee: dict[str, str], docs: list) -> dict[str, Any]:
    from core.pv.services import read_bytes
    from core.utils import absolute_url

    if not docs:
        raise RuntimeError("no sealed procès-verbal to send")
    attachments = []
    for doc in docs:
        data = read_bytes(doc.storage_key)
        if hashlib.sha256(data).hexdigest() != doc.sha256:
            raise RuntimeError(f"document {doc.id}: stored bytes do not match their SHA-256")
        attachments.append((doc.filename, "application/pdf", data))
    text = render_template("pv/email/quality_committee.txt", session=session, cert=cert, committee=committee,
                           documents=docs, manager=session.manager, verify_link=absolute_url("verify.page"))
    subject = _("Procès-verbal de jury et grilles d'évaluation individuelle signés – %(code)s – %(title)s",
                code=cert.code, title=session.title)
    return {"to": [committee["email"]], "subject": subject, "text": text, "attachments": attachments}


def _latest_event(session: JurySession) -> AuditEvent | None:
    return db.session.scalar(select(AuditEvent).where(
        AuditEvent.action.in_((SENT, FAILED)), AuditEvent.object_type == "jury_session",
        AuditEvent.object_id == str(session.id)).order_by(AuditEvent.id.desc()).limit(1))


def status(session: JurySession) -> dict[str, Any] | None:
    """The transmission to the committee: ``None`` when the certification names none; else its
    ``state`` (``waiting``: no sealed PV yet; ``queued``; ``sent``; ``failed``), ``at``, ``name``,
    ``email``, ``can_resend``."""
    from core.pv.services import latest_pv

    committee = committee_of(certification_of(session))
    if committee is None:
        return None
    sealed = latest_pv(session, SignedDocumentStatus.SEALED)
    event = _latest_event(session)
    if sealed is None:
        state = "waiting"
    elif event is None or (sealed.sealed_at is not None and _aware(event.at) < _aware(sealed.sealed_at)):
        state = "queued"
    else:
        state = "sent" if event.action == SENT else "failed"
    return {**committee, "state": state, "at": event.at if event is not None and state in ("sent", "failed") else None,
            "can_resend": sealed is not None and state in ("sent", "failed")}


def _aware(value):
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def resend(session: JurySession, actor) -> dict[str, Any]:
    """Send the sealed PV and grids to the committee again (session manager)."""
    from core.pv.services import latest_pv

    if not manages(actor, session):
        raise NotFound(code="session_not_found")
    if committee_of(certification_of(session)) is None:
        raise Conflict(_("Cette certification ne prévoit pas de transmission à un comité qualité."),
                       code="no_quality_committee")
    if latest_pv(session, SignedDocumentStatus.SEALED) is None:
        raise Conflict(_("Le procès-verbal n'est pas encore signé et scellé : il sera transmis à sa clôture."),
                       code="pv_not_sealed")
    before = _latest_event(session)
    dispatch(session.id, actor.id)
    after = _latest_event(session)
    found = status(session)
    if after is None or (before is not None and after.id == before.id):  # a worker sends it later
        found = {**found, "state": "queued", "at": None, "can_resend": False}
    return found
