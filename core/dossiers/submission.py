"""Submitting a dossier: an immutable version, the Livret 2 signed by the candidate and sealed
by the organisation, a sealed receipt, an e-mail. All or nothing: a failed signature or seal
leaves the dossier as it was (nothing stored, nothing recorded)."""
from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _

from core.auth.models import User
from core.certifications.services import get_certification
from core.dossiers import services
from core.dossiers.livret import build_livret2, build_receipt
from core.dossiers.models import Document, Dossier, DossierVersion
from core.extensions import db

logger = logging.getLogger(__name__)


def submit_and_seal(dossier: Dossier, *, actor: User, password: str) -> tuple[DossierVersion, list[Document]]:
    """Re-authenticate, lock the version, issue its documents, queue the receipt e-mail, commit.

    Raises :class:`core.errors.UserError` subclasses (wrong password 422, incomplete
    dossier 409, sealing failure) after rolling everything back.
    """
    from core.sealing.services import reauthenticate

    reauthenticate(actor, password)
    issued: list[Document] = []
    try:
        version = services.submit(dossier, actor=actor)
        issued = issue_submission_documents(dossier, version, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _discard(issued)
        raise
    services.after_submission(version)
    return version, issued


def issue_submission_documents(dossier: Dossier, version: DossierVersion, actor: User) -> list[Document]:
    from core.documents.services import render_livret2, render_receipt
    from core.sealing.services import issue_document, sign_as_person

    cert = get_certification(dossier.certification_code)
    livret = build_livret2(dossier, version, cert, services.sections_for(cert))
    pdf = render_livret2(livret)
    signed = sign_as_person(pdf, actor, reason=_("Déclaration sur l'honneur et dépôt du dossier %(ref)s",
                                                   ref=dossier.reference))
    issued = []
    doc = issue_document(signed, dossier=dossier, version=version, kind="livret2", commit=False, actor_id=actor.id,
                         title=_("Livret 2 – %(ref)s – version %(n)d", ref=dossier.reference, n=version.number),
                         filename=f"livret2-{dossier.reference}-v{version.number}.pdf",
                         reason=_("Scellement du dossier déposé %(ref)s", ref=dossier.reference))
    issued.append(doc)
    receipt = render_receipt(build_receipt(dossier, version, cert, doc.sha256, doc.size))
    issued.append(issue_document(
        receipt, dossier=dossier, version=version, kind="receipt", commit=False, actor_id=actor.id,
        title=_("Accusé de réception – %(ref)s – version %(n)d", ref=dossier.reference, n=version.number),
        filename=f"accuse-reception-{dossier.reference}-v{version.number}.pdf"))
    return issued


def _discard(documents: list[Document]) -> None:
    """Remove the objects of documents whose rows were rolled back."""
    storage = current_app.extensions["livret"].storage
    for doc in documents:
        try:
            storage.delete(doc.storage_key)
        except Exception:  # noqa: BLE001 - the orphan sweep removes what could not be deleted now
            logger.warning("could not delete %s after a failed submission", doc.storage_key)
