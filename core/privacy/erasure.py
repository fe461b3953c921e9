"""Erasing one's account (RGPD art. 17), self-service: ``DELETE /api/v1/me`` and « Supprimer mon compte ».

:func:`erase` does what :func:`core.privacy.erasure_plan.plan` announced, after the password was typed
again (wrong ones counted and limited with every other password re-entry, :mod:`core.auth.attempts`), in
**one transaction**: drafts deleted, submitted dossiers emptied (and withdrawn when still under way), the
account pseudonymised with its sessions and API tokens gone, an audit event per dossier and one for the
account, the register rows (« effacement », done) and the webhook ``erasure.done`` to each organisation
holding one of the remaining dossiers. Only after the commit are the stored objects deleted
(:func:`core.privacy.purge.delete_objects`) and the confirmation e-mailed to the address that was just
erased. Any failure before the commit rolls everything back: nothing is half-done.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import Role, User, utcnow
from core.dossiers.models import DossierStatus
from core.errors import Conflict, ValidationFailed
from core.extensions import db
from core.privacy.erasure_plan import NOT_SELF_SERVICE, Line, Plan, plan, refusal_message
from core.privacy.models import RequestKind
from core.privacy.purge import Purged, delete_draft, delete_objects, pseudonymise_account, purge_dossier_contents
from core.privacy.self_service import organisations_concerned, record_done
from core.webhooks.models import ERASURE_DONE


class ErasureRefused(Conflict):
    """A jury session holding one of the dossiers is not finished: 409 with the sessions and the day."""

    code = "erasure_refused"

    def __init__(self, found):
        super().__init__(refusal_message(found), details={
            "possible_from": max(b.possible_from for b in found).isoformat(),
            "sessions": [{"session_id": b.session_id, "title": b.title, "status": b.status,
                          "ends_on": b.ends_on.isoformat()} for b in found]})


class NotSelfService(Conflict):
    """A staff, juror or session manager account: the platform's administration closes it."""

    code = "erasure_not_self_service"


@dataclass
class Erased:
    """What :func:`erase` did."""

    erased_at: datetime
    drafts_deleted: int = 0
    dossiers_erased: int = 0
    dossiers_withdrawn: int = 0
    annexes_deleted: int = 0
    objects_deleted: int = 0
    name_kept: bool = False
    kept: list[Line] = field(default_factory=list)


def check_password(user: User, password: str) -> None:
    """The password typed again, under the limits of every re-entry (429 past them, nothing checked)."""
    from core.auth import attempts
    from core.auth.services import check_password as matches

    attempts.check(user)
    if not password or not user.is_active or not matches(user, password):
        attempts.failed(user)
        message = _("Mot de passe incorrect : votre compte n'a pas été supprimé.")
        raise ValidationFailed(message, details={"password": [message]}, code="reauthentication_failed")


def _cancel_unpaid_fee(dossier, actor: User) -> None:
    from core.fees.models import FeeRequest, FeeState

    fee = db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == dossier.id))
    if fee is not None and fee.state is FeeState.REQUESTED:
        fee.state, fee.cancelled_at = FeeState.CANCELLED, utcnow()
        record("fee.cancelled", "dossier", dossier.id, actor_id=actor.id,
               payload={"fee_id": fee.id, "reason": "erasure"})


def _details(what: Plan, done: Erased) -> str:
    # stored text of the register, read by the organisation's staff: French
    refs = ", ".join(str(d.reference or d.id) for d in what.submitted)
    text = (f"Effacement du compte en libre-service : {done.drafts_deleted} brouillon(s) supprimé(s), "
            f"{done.dossiers_erased} dossier(s) vidé(s) de leur contenu")
    if refs:
        text += f" ({refs})"
    if done.dossiers_withdrawn:
        text += f", dont {done.dossiers_withdrawn} candidature(s) retirée(s)"
    return text + (" ; compte fermé, nom conservé pour les documents scellés." if done.name_kept
                   else " ; compte fermé et anonymisé.")


def _send_confirmation(address: str, first_name: str, done: Erased) -> None:
    from core.mail import send_mail

    send_mail(address, _("Votre compte Livret est supprimé"),
              render_template("privacy/email/erased.txt", first_name=first_name, done=done))


def erase(user: User, password: str) -> Erased:
    """Erase ``user``'s account (see the module). Refused: :class:`NotSelfService` (not a candidate),
    :class:`ErasureRefused` (a session not finished), ``ValidationFailed`` (wrong password), 429 (too many)."""
    from core.webhooks.services import emit, iso

    if user.role is not Role.CANDIDATE:
        raise NotSelfService(str(NOT_SELF_SERVICE))
    what = plan(user)
    if what.blockers:
        raise ErasureRefused(what.blockers)
    check_password(user, password)
    address, first_name = user.email, user.first_name
    organisations = organisations_concerned(user, [*what.drafts, *what.submitted])
    done = Erased(erased_at=utcnow(), name_kept=what.keep_name, kept=what.kept)
    purged = Purged()
    remaining: dict[int, list[int]] = {}
    withdrawn: dict[int, list[int]] = {}
    try:
        for dossier in what.drafts:
            dossier_id = dossier.id
            out = delete_draft(dossier)
            record("dossier.draft_deleted", "dossier", dossier_id, actor_id=user.id,
                   payload={"reason": "erasure", **out.counts()})
            purged.add(out)
            done.drafts_deleted += 1
        for dossier in what.submitted:
            out = purge_dossier_contents(dossier)
            record("dossier.contents_erased", "dossier", dossier.id, actor_id=user.id,
                   payload={"reason": "erasure", **out.counts()})
            purged.add(out)
            done.dossiers_erased += 1
            if dossier.organisation_id is not None:
                remaining.setdefault(dossier.organisation_id, []).append(dossier.id)
            if dossier in what.withdrawn:
                previous = dossier.status.value
                dossier.status = DossierStatus.CLOSED
                _cancel_unpaid_fee(dossier, user)
                record("dossier.withdrawn", "dossier", dossier.id, actor_id=user.id,
                       payload={"from": previous, "reason": "erasure"})
                done.dossiers_withdrawn += 1
                if dossier.organisation_id is not None:
                    withdrawn.setdefault(dossier.organisation_id, []).append(dossier.id)
        purged.add(pseudonymise_account(user, keep_name=what.keep_name))
        done.annexes_deleted = purged.annexes
        record("account.erased", "user", user.id, actor_id=user.id, payload={
            "drafts_deleted": done.drafts_deleted, "dossiers_erased": done.dossiers_erased,
            "dossiers_withdrawn": done.dossiers_withdrawn, "annexes_deleted": done.annexes_deleted,
            "name_kept": done.name_kept})
        record_done(user, RequestKind.ERASURE, organisations, details=_details(what, done),
                    response="Effacement effectué immédiatement ; confirmation envoyée par courriel.")
        for organisation_id, dossier_ids in sorted(remaining.items()):
            emit(ERASURE_DONE, organisation_id, {
                "account_id": user.id, "dossier_ids": dossier_ids,
                "withdrawn_dossier_ids": withdrawn.get(organisation_id, []), "erased_at": iso(done.erased_at)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    done.objects_deleted = delete_objects(purged.keys)
    _send_confirmation(address, first_name, done)
    return done
