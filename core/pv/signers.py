"""Who signs a jury document, and when: the planned signers (every juror, then for a PV the session
manager), whose turn it is, and the French refusals of a signature out of turn.

Part of :mod:`core.pv.services`, which re-exports every name.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from core.auth.models import User
from core.errors import Conflict, Forbidden
from core.extensions import db
from core.jury.models import JurySession, SignedDocument, SignedDocumentStatus
from core.jury.services import manages
from core.pv.signed_documents import JUROR, MANAGER, PV, documents_of, status_label


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


def check_can_sign(doc: SignedDocument, user: User) -> None:
    """Refuse (French reason) unless ``user`` may sign ``doc`` now: before asking for a password."""
    _check_can_sign(doc, user)
