"""Admissibility review: access, version comparison, staff notes and the three decisions.

Every decision is one function that checks who may act (the staff of the
organisation that delivers the certification; anyone else gets a 404), the
dossier's state (only a submitted dossier can be decided; otherwise a 409
naming the state), re-authenticates the actor, writes an audit event, issues a
sealed admissibility letter (``Document.kind == "admissibility_letter"``) and
e-mails the candidate. All or nothing: when the password is wrong, the input
invalid or the sealing fails, the dossier stays as it was.

The fee check: no decision (admissible, inadmissible, corrections) is taken
while the recevabilité fee is owed — the review cannot start before the fee is
paid or waived (issue 6); the refusal (409 ``fee_not_settled``) carries the fees
area's French list of what is missing.

The comparison of versions is in :mod:`core.review.diff`, its names re-exported here.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.descriptor import Certification
from core.certifications.services import get_certification
from core.dossiers import services as dossiers
from core.dossiers.models import Document, Dossier, DossierStatus, DossierVersion
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.review.diff import (
    FieldChange, SectionDiff, VersionDiff, _empty, _label_of, diff_sections, diff_versions, field_labels, flatten,
    history)
from core.review.models import StaffNote

logger = logging.getLogger(__name__)

LETTER_KIND = "admissibility_letter"
ADMISSIBLE, INADMISSIBLE, CORRECTIONS = "admissible", "inadmissible", "corrections"
DECISIONS = (ADMISSIBLE, INADMISSIBLE, CORRECTIONS)
MAX_TEXT = 4000

# Every name of the module before its split, kept importable from here.
__all__ = [
    "LETTER_KIND", "ADMISSIBLE", "INADMISSIBLE", "CORRECTIONS", "DECISIONS", "MAX_TEXT",
    "get_dossier_for_review", "version_of", "flatten", "_empty", "FieldChange", "SectionDiff", "VersionDiff",
    "diff_sections", "field_labels", "_label_of", "diff_versions", "diff_between", "history", "notes_of",
    "add_note", "_check_can_decide", "check_fee", "_clean_reasons", "_clean_items", "decide",
    "declare_admissible", "declare_inadmissible", "ask_for_corrections", "_finish", "_emit_decision",
    "_titles", "render_letter", "_send_decision_email",
]


# ---------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------

def get_dossier_for_review(user: User, dossier_id: int) -> Dossier:
    """The dossier if ``user`` is staff of the organisation that delivers its certification
    and it has been submitted at least once; 404 otherwise (as for a dossier that does not exist)."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not dossiers.can_review(user, dossier) or not dossier.versions:
        raise NotFound(code="dossier_not_found")
    return dossier


def version_of(dossier: Dossier, number: int | None) -> DossierVersion:
    if number is None:
        return dossier.latest_version
    found = next((v for v in dossier.versions if v.number == number), None)
    if found is None:
        raise NotFound(code="version_not_found")
    return found


# ---------------------------------------------------------------------------
# What changed between two versions
# ---------------------------------------------------------------------------

def diff_between(dossier: Dossier, old_number: int, new_number: int) -> VersionDiff:
    return diff_versions(version_of(dossier, old_number), version_of(dossier, new_number))


# ---------------------------------------------------------------------------
# Private staff notes
# ---------------------------------------------------------------------------

def notes_of(dossier: Dossier) -> list[StaffNote]:
    return list(db.session.scalars(select(StaffNote).where(StaffNote.dossier_id == dossier.id)
                                   .order_by(StaffNote.created_at.desc(), StaffNote.id.desc())))


def add_note(dossier: Dossier, *, actor: User, text: str) -> StaffNote:
    if not dossiers.can_review(actor, dossier):
        raise NotFound(code="dossier_not_found")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Saisissez le texte de la note."),
                               details={"text": [_("Saisissez le texte de la note.")]})
    if len(text) > MAX_TEXT:
        message = _("La note est trop longue (%(n)d caractères au plus).", n=MAX_TEXT)
        raise ValidationFailed(message, details={"text": [message]})
    note = StaffNote(dossier_id=dossier.id, author_id=actor.id, text=text)
    db.session.add(note)
    db.session.flush()
    record("review.note_added", "dossier", dossier.id, actor_id=actor.id, payload={"note_id": note.id})
    return note


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------

def _check_can_decide(dossier: Dossier, actor: User) -> None:
    if not dossiers.can_review(actor, dossier):
        raise NotFound(code="dossier_not_found")
    if dossier.status is not DossierStatus.SUBMITTED or not dossier.versions:
        raise Conflict(_("Une décision de recevabilité ne peut être prise que sur un dossier déposé ; "
                         "ce dossier est au statut « %(s)s ».", s=dossier.status.label),
                       code="wrong_state", details={"status": dossier.status.value})
    check_fee(dossier)


def check_fee(dossier: Dossier) -> None:
    """The admissibility review cannot start while the recevabilité fee is owed (409 ``fee_not_settled``,
    with the French list of what is missing)."""
    from core.fees.services import check_admissibility_can_start

    check_admissibility_can_start(dossier)


def _clean_reasons(reasons: str | None) -> str:
    text = (reasons or "").strip()
    if not text:
        message = _("Indiquez les motifs de l'irrecevabilité : ils sont communiqués au candidat.")
        raise ValidationFailed(message, details={"reasons": [message]})
    if len(text) > MAX_TEXT:
        message = _("Les motifs sont trop longs (%(n)d caractères au plus).", n=MAX_TEXT)
        raise ValidationFailed(message, details={"reasons": [message]})
    return text


def _clean_items(dossier: Dossier, cert: Certification, items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The same checks as :func:`core.dossiers.services.request_corrections`, done before
    anything is issued (the letter lists the items)."""
    keys = {spec.key for spec in dossiers.sections_for(cert, dossier)}
    numbers = {a["number"] for a in dossier.latest_version.manifest or []}
    cleaned, errors = [], {}
    for index, item in enumerate(items or []):
        message = str(item.get("message") or "").strip()
        section = item.get("section") or None
        annex = item.get("annex")
        if not message and section is None and annex is None:
            continue  # an empty row of the page
        if not message:
            errors[f"items.{index}.message"] = [_("Décrivez la correction attendue.")]
        if section is not None and section not in keys:
            errors[f"items.{index}.section"] = [_("Cette section n'existe pas dans le dossier.")]
        if annex is not None and annex not in numbers:
            errors[f"items.{index}.annex"] = [_("Cette annexe n'existe pas dans la version déposée.")]
        if section is None and annex is None:
            errors.setdefault(f"items.{index}.section", []).append(
                _("Indiquez la section ou l'annexe concernée par cette correction."))
        cleaned.append({"message": message[:2000], "section": section, "annex": annex})
    if not cleaned:
        errors["items"] = [_("Indiquez au moins une correction.")]
    if errors:
        raise ValidationFailed(_("La demande de corrections contient des erreurs : rien n'a été envoyé."),
                               details=errors)
    return cleaned


def decide(dossier: Dossier, *, actor: User, kind: str, password: str, reasons: str | None = None,
           items: list[dict[str, Any]] | None = None) -> Document:
    """Dispatch to one of the three decisions (used by the page and the API)."""
    if kind == ADMISSIBLE:
        return declare_admissible(dossier, actor=actor, password=password)
    if kind == INADMISSIBLE:
        return declare_inadmissible(dossier, actor=actor, password=password, reasons=reasons)
    if kind == CORRECTIONS:
        return ask_for_corrections(dossier, actor=actor, password=password, items=items)
    message = _("Choisissez une décision : recevable, irrecevable ou corrections demandées.")
    raise ValidationFailed(message, details={"kind": [message]})


def declare_admissible(dossier: Dossier, *, actor: User, password: str) -> Document:
    """submitted → admissible (fee settled when the fees area says so)."""
    from core.sealing.services import reauthenticate

    _check_can_decide(dossier, actor)
    reauthenticate(actor, password)
    return _finish(dossier, actor, ADMISSIBLE, new_status=DossierStatus.ADMISSIBLE)


def declare_inadmissible(dossier: Dossier, *, actor: User, password: str, reasons: str | None) -> Document:
    """submitted → inadmissible; the reasons are mandatory and given to the candidate."""
    from core.sealing.services import reauthenticate

    _check_can_decide(dossier, actor)
    text = _clean_reasons(reasons)
    reauthenticate(actor, password)
    return _finish(dossier, actor, INADMISSIBLE, new_status=DossierStatus.INADMISSIBLE, reasons=text)


def ask_for_corrections(dossier: Dossier, *, actor: User, password: str,
                        items: list[dict[str, Any]] | None) -> Document:
    """submitted → corrections_requested through :func:`core.dossiers.services.request_corrections`."""
    from core.sealing.services import reauthenticate

    _check_can_decide(dossier, actor)
    cert = get_certification(dossier.certification_code)
    cleaned = _clean_items(dossier, cert, items)
    reauthenticate(actor, password)
    return _finish(dossier, actor, CORRECTIONS, items=cleaned)


def _finish(dossier: Dossier, actor: User, kind: str, *, new_status: DossierStatus | None = None,
            reasons: str | None = None, items: list[dict[str, Any]] | None = None) -> Document:
    """Issue the letter, change the state, audit, commit; then e-mail. Rolls back on any failure."""
    from core.sealing.services import issue_document

    cert = get_certification(dossier.certification_code)
    version = dossier.latest_version
    previous = dossier.status
    decided_at = utcnow()
    letter = None
    try:
        pdf = render_letter(dossier, version, cert, actor=actor, kind=kind, reasons=reasons, items=items,
                            decided_at=decided_at)
        letter = issue_document(
            pdf, dossier=dossier, version=version, kind=LETTER_KIND, commit=False, actor_id=actor.id,
            title=_("Décision de recevabilité – %(ref)s – version %(n)d", ref=dossier.reference, n=version.number),
            filename=f"decision-recevabilite-{dossier.reference}-v{version.number}.pdf",
            reason=_("Décision de recevabilité du dossier %(ref)s", ref=dossier.reference))
        if kind == CORRECTIONS:
            # status, audit event and the candidate's e-mail (sent once the state is flushed)
            dossiers.request_corrections(dossier, actor=actor, items=items or [])
        else:
            dossier.status = new_status
            dossier.updated_at = decided_at
            db.session.flush()
            record(f"dossier.{kind}", "dossier", dossier.id, actor_id=actor.id,
                   payload={"version": version.number, "from": previous.value, "letter_id": letter.id,
                            **({"reasons": reasons} if reasons else {})})
        _emit_decision(dossier, version, kind, letter)  # sent after the commit below
        db.session.commit()
    except Exception:
        db.session.rollback()
        if letter is not None:
            try:
                current_app.extensions["livret"].storage.delete(letter.storage_key)
            except Exception:  # noqa: BLE001 - the orphan sweep removes it later
                logger.warning("could not delete %s after a failed decision", letter.storage_key)
        raise
    if kind != CORRECTIONS:
        _send_decision_email(dossier, version, cert, kind=kind, reasons=reasons, letter=letter)
    return letter


def _emit_decision(dossier: Dossier, version: DossierVersion, kind: str, letter: Document) -> None:
    """Webhooks to the dossier's organisation: ``dossier.admissibility_decided``, and for corrections
    ``dossier.corrections_requested`` (what is to correct, by section key and annex number only)."""
    from core.webhooks.models import ADMISSIBILITY_DECIDED, CORRECTIONS_REQUESTED
    from core.webhooks.services import emit, iso

    about = {"dossier_id": dossier.id, "reference": dossier.reference, "certification": dossier.certification_code}
    emit(ADMISSIBILITY_DECIDED, dossier.organisation_id,
         {**about, "decision": kind, "version": version.number, "status": dossier.status.value,
          "letter_document_id": letter.id})
    if kind == CORRECTIONS:
        items = list(version.corrections or [])
        emit(CORRECTIONS_REQUESTED, dossier.organisation_id, {
            **about, "version": version.number, "letter_document_id": letter.id,
            "requested_at": iso(version.corrections_requested_at), "items": len(items),
            "sections": sorted({i["section"] for i in items if i.get("section")}),
            "annexes": sorted({int(i["annex"]) for i in items if i.get("annex") is not None})})


# ---------------------------------------------------------------------------
# The letter and the e-mail
# ---------------------------------------------------------------------------

def _titles(cert: Certification) -> dict[str, str]:
    return {s.key: str(s.title) for s in dossiers.sections_for(cert)}


def render_letter(dossier: Dossier, version: DossierVersion, cert: Certification, *, actor: User, kind: str,
                  reasons: str | None, items: list[dict[str, Any]] | None, decided_at) -> bytes:
    """The admissibility letter as a tagged, archival PDF (PDF/UA + PDF/A-3)."""
    from core.documents.services import render_pdf

    organisation = actor.organisation
    title = _("Décision de recevabilité – dossier %(ref)s", ref=dossier.reference)
    return render_pdf("review/letter.html", {
        "dossier": dossier, "version": version, "cert": cert, "kind": kind, "reasons": reasons,
        "items": items or [], "titles": _titles(cert), "organisation": organisation, "signer": actor,
        "decided_at": decided_at, "candidate": dossier.candidate,
    }, title=title, author=organisation.name if organisation else "Livret", created=decided_at)


def _send_decision_email(dossier: Dossier, version: DossierVersion, cert: Certification, *, kind: str,
                         reasons: str | None, letter: Document) -> None:
    from core.mail import send_mail
    from core.utils import absolute_url

    link = absolute_url("dossiers.overview", dossier_id=dossier.id)
    letter_link = absolute_url("dossiers.document", dossier_id=dossier.id, document_id=letter.id)
    text = render_template("review/email/decision.txt", dossier=dossier, version=version, cert=cert, kind=kind,
                           reasons=reasons, link=link, letter_link=letter_link, letter=letter)
    subject = _("Votre dossier %(ref)s est recevable", ref=dossier.reference) if kind == ADMISSIBLE else \
        _("Votre dossier %(ref)s n'est pas recevable", ref=dossier.reference)
    send_mail(dossier.candidate.email, subject, text)
