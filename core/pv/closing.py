"""What follows the sealing of a signed document.

A grid sealed replaces the grid it corrects. A procès-verbal sealed:

- seals the candidates' current decisions (``JuryDecision.sealed_at``);
- moves their dossiers to « Décision rendue » (``decided``), audited;
- marks the PV it corrects as ``replaced``;
- closes the session (``closed_at``; a correction under way ends);
- queues the webhooks ``decision.sealed`` (one per newly sealed decision), ``pv.sealed`` and
  ``certificate.issued`` (one per certificate issued);
- prepares the candidates' e-mails, sent after the commit (:class:`core.pv.services.Work`):
  when the certification's rules say ``notify_success`` (RS6776), a successful
  candidate gets « Certification obtenue » with a sealed nominative certificate
  attached and a failing one gets nothing (no letter on failure); a candidate whose outcome issues
  a document (the plugin's ``extra.outcome_documents``, :mod:`core.pv.outcome_documents`: RNCP37827
  « Admis » and « Admission partielle ») gets it sealed and attached; otherwise each present
  candidate gets a neutral « décision disponible » e-mail without details;
- once committed, sends the sealed PV and grids to the certification's quality committee, when it
  names one (:mod:`core.pv.committee`).
"""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

import core.sealing.services as sealing
from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.descriptor import Certification, Grid
from core.dossiers.models import DossierStatus
from core.extensions import db
from core.jury.models import Attendance, JurySession, SessionCandidate, SessionStatus, SignedDocument, \
    SignedDocumentStatus
from core.jury.services import certification_of, grid_of
from core.pv import committee, documents, outcome_documents, outcomes

CERTIFICATE_KIND = "certificate"


def document_names(doc: SignedDocument) -> tuple[str, str]:
    """The title and file name of the issued document."""
    cert = certification_of(doc.session)
    if doc.kind == "pv":
        title = documents.pv_title(doc.session, cert, doc.number)
        return title, f"proces-verbal-{cert.code}-session-{doc.session_id}-n{doc.number}.pdf"
    reference = doc.candidate.dossier.reference or str(doc.candidate.dossier_id)
    return documents.grid_title(doc.candidate, cert), f"grille-evaluation-{reference}-n{doc.number}.pdf"


def _replace(old: SignedDocument | None, new: SignedDocument, actor: User) -> None:
    if old is not None and old.status is SignedDocumentStatus.SEALED:
        old.status = SignedDocumentStatus.REPLACED
        record("jury_document.replaced", "jury_document", old.id, actor_id=actor.id,
               payload={"kind": old.kind, "replaced_by": new.id})


def after_grid_sealed(doc: SignedDocument, actor: User) -> None:
    _replace(doc.replaces, doc, actor)


def after_pv_sealed(doc: SignedDocument, actor: User, work) -> None:
    session = doc.session
    cert, now = certification_of(session), utcnow()
    grid = grid_of(cert)
    newly = [c for c in session.candidates if c.decision is not None and c.decision.sealed_at is None]
    for candidate in newly:
        candidate.decision.sealed_at = now
    _decide_dossiers(session, doc, actor, now)
    _replace(doc.replaces, doc, actor)
    _close(session, doc, actor, now)
    db.session.flush()
    _emit(session, cert, grid, doc, newly)
    work.mails.extend(notifications(session, cert, grid, newly, actor, work))
    if committee.committee_of(cert) is not None:
        session_id, actor_id = session.id, actor.id
        work.callbacks.append(lambda: committee.dispatch(session_id, actor_id))


def _decide_dossiers(session: JurySession, doc: SignedDocument, actor: User, now) -> None:
    for candidate in session.candidates:
        dossier = candidate.dossier
        if dossier.status is DossierStatus.DECIDED:
            continue
        previous = dossier.status
        dossier.status = DossierStatus.DECIDED
        dossier.updated_at = now
        record("dossier.decided", "dossier", dossier.id, actor_id=actor.id,
               payload={"from": previous.value, "session_id": session.id, "pv_id": doc.id,
                        "decision_id": candidate.decision.id if candidate.decision else None})


def _close(session: JurySession, doc: SignedDocument, actor: User, now) -> None:
    corrected = session.correction_started_at is not None
    session.status = SessionStatus.CLOSED
    session.closed_at = now
    session.correction_started_at = None
    session.correction_reason = ""
    record("session.closed", "jury_session", session.id, actor_id=actor.id,
           payload={"pv_id": doc.id, "number": doc.number, "correction": corrected})


def _emit(session: JurySession, cert: Certification, grid: Grid, doc: SignedDocument,
          newly: list[SessionCandidate]) -> None:
    from core.webhooks.models import DECISION_SEALED, PV_SEALED
    from core.webhooks.services import emit

    for candidate in newly:
        decision = candidate.decision
        emit(DECISION_SEALED, candidate.dossier.organisation_id, {
            "session_id": session.id, "pv_id": doc.id, "decision_id": decision.id,
            "dossier_id": candidate.dossier_id, "reference": candidate.dossier.reference,
            "certification": cert.code, "outcome": decision.outcome,
            "category": outcomes.category(grid, decision.outcome),
            "validated_blocks": list(decision.validated_blocks or []),
            "vae_outcome": decision.vae_outcome or None, "attempt": candidate.attempt,
            "retake_until": decision.retake_until.isoformat() if decision.retake_until else None})
    figures = outcomes.counts(grid, session.candidates)
    emit(PV_SEALED, session.organisation_id, {
        "session_id": session.id, "pv_id": doc.id, "number": doc.number, "replaces_id": doc.replaces_id,
        "document_id": doc.document_id, "certification": cert.code,
        "counts": {"present": figures.present, "absent": figures.absent, "admitted_totally": figures.total,
                   "admitted_partially": figures.partial, "refused": figures.refused}})


# ---------------------------------------------------------------------------
# e-mails and certificates
# ---------------------------------------------------------------------------

def notifications(session: JurySession, cert: Certification, grid: Grid, candidates: list[SessionCandidate],
                  actor: User, work) -> list[dict[str, Any]]:
    mails = []
    success_letter = bool(cert.rules and cert.rules.notify_success)
    for candidate in candidates:
        decision = candidate.decision
        if candidate.attendance is Attendance.ABSENT or decision.outcome == outcomes.ABSENT:
            continue
        spec = outcome_documents.spec_for(cert, decision.outcome)
        if spec is not None:
            mails.append(outcome_documents.mail(candidate, cert, spec, actor, work))
        elif not success_letter:
            mails.append(_decision_available_mail(candidate, cert))
        elif outcomes.category(grid, decision.outcome) == outcomes.TOTAL:
            mails.append(_certificate_mail(candidate, cert, actor, work))
        # notify_success and not a success: no letter, no e-mail (the candidate's space shows the result)
    return mails


def issue_certificate(candidate: SessionCandidate, cert: Certification, actor: User, work):
    """Render and seal the nominative certificate; a Document of the candidate's dossier."""
    from core.utils import absolute_url

    now = utcnow()
    title = documents.certificate_title(candidate, cert)
    context = documents.certificate_context(candidate, cert, verify_url=absolute_url("verify.page"), issued_at=now)
    pdf = documents.render(cert, "certificate.html", context, title=title, author=context["certifier"], created=now)
    issued = sealing.issue_document(
        pdf, dossier=candidate.dossier, kind=CERTIFICATE_KIND, title=title, commit=False, actor_id=actor.id,
        filename=f"certificat-{cert.code}-{candidate.dossier.reference or candidate.dossier_id}.pdf",
        organisation=candidate.session.organisation, reason=_("Certificat nominatif %(code)s", code=cert.code))
    work.new_keys.append(issued.storage_key)
    _emit_certificate(candidate, cert, issued)
    return issued


def _emit_certificate(candidate: SessionCandidate, cert: Certification, issued) -> None:
    """The webhook ``certificate.issued`` to the dossier's organisation, sent once the PV sealing is committed."""
    from core.webhooks.models import CERTIFICATE_ISSUED
    from core.webhooks.services import emit

    dossier, decision = candidate.dossier, candidate.decision
    emit(CERTIFICATE_ISSUED, dossier.organisation_id, {
        "dossier_id": dossier.id, "reference": dossier.reference, "certification": cert.code,
        "session_id": candidate.session_id, "decision_id": decision.id, "document_id": issued.id,
        "sha256": issued.sha256, "validated_blocks": list(decision.validated_blocks or [])})


def _certificate_mail(candidate: SessionCandidate, cert: Certification, actor: User, work) -> dict[str, Any]:
    from core.pv.services import read_bytes
    from core.utils import absolute_url

    issued = issue_certificate(candidate, cert, actor, work)
    dossier = candidate.dossier
    text = render_template("pv/email/certificate.txt", cert=cert, dossier=dossier, candidate=dossier.candidate,
                           link=absolute_url("dossiers.overview", dossier_id=dossier.id),
                           verify_link=absolute_url("verify.page"))
    return {"to": dossier.candidate.email, "text": text,
            "subject": _("Certification obtenue : %(code)s – %(title)s", code=cert.code, title=cert.title),
            "attachments": [(issued.filename, "application/pdf", read_bytes(issued.storage_key))]}


def _decision_available_mail(candidate: SessionCandidate, cert: Certification) -> dict[str, Any]:
    from core.utils import absolute_url

    dossier = candidate.dossier
    text = render_template("pv/email/decision_available.txt", cert=cert, dossier=dossier,
                           candidate=dossier.candidate, link=absolute_url("dossiers.overview", dossier_id=dossier.id))
    return {"to": dossier.candidate.email, "text": text,
            "subject": _("La décision du jury est disponible dans votre espace")}
