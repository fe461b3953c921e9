"""Submitting a dossier: an immutable version, the Livret 2 signed by the candidate and sealed
by the organisation, a sealed receipt, an e-mail. All or nothing: a failed signature or seal
leaves the dossier as it was (nothing stored, nothing recorded)."""
from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from core.auth.models import User
from core.certifications.services import get_certification
from core.dossiers import services
from core.utils import slugify
from core.dossiers.livret import build_livret2, build_receipt
from core.dossiers.models import Document, Dossier, DossierVersion
from core.errors import Conflict
from core.extensions import db

logger = logging.getLogger(__name__)


def submit_and_seal(dossier: Dossier, *, actor: User, password: str) -> tuple[DossierVersion, list[Document]]:
    """Re-authenticate, lock the version, issue its documents, queue the receipt e-mail, commit.

    Raises :class:`core.errors.UserError` subclasses (wrong password 422, incomplete
    dossier 409, sealing failure) after rolling everything back. When the timestamping
    authority is too slow to answer within ``SUBMISSION_TSA_WAIT_SECONDS``, the version is
    recorded all the same, its documents « pending », and a job issues them
    (:mod:`core.dossiers.submission_queue`): the list of documents returned is then empty.
    """
    from core.sealing.patience import tsa_patience
    from core.sealing.services import TimestampSlow, reauthenticate

    reauthenticate(actor, password)
    issued: list[Document] = []
    try:
        version = services.submit(dossier, actor=actor)
        with tsa_patience(current_app.config["SUBMISSION_TSA_WAIT_SECONDS"]):
            issue_submission_documents(dossier, version, actor, into=issued)
        emit_submitted(dossier, version, issued)
        db.session.commit()
    except TimestampSlow:
        db.session.rollback()
        discard(issued)
        from core.dossiers.submission_queue import submit_pending

        return submit_pending(dossier, actor), []
    except (IntegrityError, OperationalError) as exc:
        # The same dossier submitted twice at once: the other submission won (version number taken,
        # or SQLite's writer lock). One version exists; this one is refused, nothing of it is kept.
        db.session.rollback()
        discard(issued)
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        logger.info("concurrent submission of dossier %s refused: %s", dossier.id, exc.__class__.__name__)
        raise Conflict(_("Ce dossier est déjà en cours de dépôt : rechargez la page pour voir la version déposée."),
                       code="submission_in_progress") from None
    except Exception as exc:
        db.session.rollback()
        discard(issued)
        _record_failure(dossier, actor, exc)
        raise
    services.after_submission(version)
    return version, issued


def _record_failure(dossier: Dossier, actor: User, exc: Exception) -> None:
    """An audit event for a submission refused by the sealing layer (TSA unreachable, key missing or expired,
    storage full…): the candidate was told why in French, operators find it in the audit chain."""
    from core.audit.services import record
    from core.sealing.services import SealingFailed

    if not isinstance(exc, SealingFailed):
        return
    try:
        record("dossier.submission_failed", "dossier", dossier.id, actor_id=actor.id, outcome="failure",
               payload={"error": type(exc).__name__, "code": exc.code})
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        db.session.rollback()
        logger.exception("could not record the failed submission of dossier %s", dossier.id)


def issue_submission_documents(dossier: Dossier, version: DossierVersion, actor: User,
                               into: list[Document] | None = None) -> list[Document]:
    """The Livret 2 signed by the candidate then sealed, and the sealed receipt (rows not committed).
    ``into``: the list each issued document is added to as soon as it is stored, so that a caller
    whose second issue failed can remove the first one's object."""
    from core.documents.services import render_livret2, render_receipt
    from core.sealing.services import issue_document, sign_as_person

    cert = get_certification(dossier.certification_code)
    livret = build_livret2(dossier, version, cert, services.sections_for(cert, dossier))
    pdf = render_livret2(livret)
    signed = sign_as_person(pdf, actor, reason=_("Déclaration sur l'honneur et dépôt du dossier %(ref)s",
                                                   ref=dossier.reference))
    issued = into if into is not None else []
    doc = issue_document(signed, dossier=dossier, version=version, kind="livret2", commit=False, actor_id=actor.id,
                         title=_("%(name)s – %(ref)s – version %(n)d", name=livret.certification.document_name,
                                 ref=dossier.reference, n=version.number),
                         filename=f"{slugify(livret.certification.document_name)}-{dossier.reference}-v{version.number}.pdf",
                         reason=_("Scellement du dossier déposé %(ref)s", ref=dossier.reference))
    issued.append(doc)
    receipt = render_receipt(build_receipt(dossier, version, cert, doc.sha256, doc.size))
    issued.append(issue_document(
        receipt, dossier=dossier, version=version, kind="receipt", commit=False, actor_id=actor.id,
        title=_("Accusé de réception – %(ref)s – version %(n)d", ref=dossier.reference, n=version.number),
        filename=f"accuse-reception-{dossier.reference}-v{version.number}.pdf"))
    return issued


def emit_submitted(dossier: Dossier, version: DossierVersion, issued: list[Document]) -> None:
    """The webhook ``dossier.submitted`` to the dossier's organisation, sent once the submission is committed."""
    from core.webhooks.models import DOSSIER_SUBMITTED
    from core.webhooks.services import emit, iso

    by_kind = {doc.kind: doc.id for doc in issued}
    emit(DOSSIER_SUBMITTED, dossier.organisation_id, {
        "dossier_id": dossier.id, "reference": dossier.reference, "certification": dossier.certification_code,
        "version": version.number, "submitted_at": iso(version.submitted_at),
        "livret2_document_id": by_kind["livret2"], "receipt_document_id": by_kind["receipt"]})


def render_preview(dossier: Dossier) -> bytes:
    """The Livret 2 as it would be submitted now (same document code), marked « Aperçu – non signé ».

    Nothing is stored, signed, sealed or recorded: the version is a transient
    one built from the drafts and the active annexes.
    """
    from types import SimpleNamespace

    from core.auth.models import utcnow
    from core.documents.services import render_livret2

    cert = get_certification(dossier.certification_code)
    number = (dossier.latest_version.number + 1) if dossier.latest_version else 1
    draft = SimpleNamespace(number=number, content=services.section_data(dossier),
                            manifest=services.manifest_of(services.active_annexes(dossier)), submitted_at=None)
    livret = build_livret2(dossier, draft, cert, services.sections_for(cert, dossier))
    return render_livret2(livret, created=utcnow(), preview=True)


def preview_response(dossier: Dossier):
    """The preview PDF shown in the browser (inline), never cached nor sniffed. Rendered anew at each request
    (not a stored object), it still carries its ``ETag``/``Content-Digest`` and answers ``If-None-Match``."""
    import hashlib

    from flask import Response, g

    from core.downloads import content_disposition, not_modified, set_digest_headers

    pdf = render_preview(dossier)
    digest = hashlib.sha256(pdf).hexdigest()
    cached = not_modified(digest)
    if cached is not None:
        return cached
    response = set_digest_headers(Response(pdf, mimetype="application/pdf"), digest)
    name = f"apercu-livret2-{dossier.reference}.pdf"
    response.headers["Content-Disposition"] = content_disposition(name).replace("attachment;", "inline;", 1)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    g.no_store = True  # the app's CSP applies (a sandbox CSP would stop the browsers' PDF viewers)
    return response


def discard(documents: list[Document]) -> None:
    """Remove the objects of documents whose rows were rolled back."""
    storage = current_app.extensions["livret"].storage
    for doc in documents:
        try:
            storage.delete(doc.storage_key)
        except Exception:  # noqa: BLE001 - the orphan sweep removes what could not be deleted now
            logger.warning("could not delete %s after a failed submission", doc.storage_key)
