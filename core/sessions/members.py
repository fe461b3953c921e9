"""The people of a session: candidates (eligible dossiers, retakes), jurors
(existing accounts or invited ones) and the jurors' declarations.

Same rules as :mod:`core.sessions.services`: the session manager acts on a
draft session, everything is audited and flushed, the caller commits.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import Role, User, utcnow
from core.dossiers.models import Dossier, DossierStatus
from core.errors import Conflict, NotFound, UserError, ValidationFailed
from core.extensions import db
from core.jury import services as jury
from core.jury.models import JuryDecision, JurorDeclaration, JurySession, SessionCandidate, SessionJuror, SessionStatus
from core.sessions.services import check_draft, check_manages, ordered, recompute_slots, session_day

MAX_FIELD = 200


# ---------------------------------------------------------------------------
# candidates
# ---------------------------------------------------------------------------

@dataclass
class Eligible:
    dossier: Dossier
    attempt: int  # 1: first sitting; 2: retake...

    @property
    def retake(self) -> bool:
        return self.attempt > 1


def _planned_dossier_ids(code: str) -> set[int]:
    """Dossiers already in a draft or open session (of this certification)."""
    return set(db.session.scalars(
        select(SessionCandidate.dossier_id).join(JurySession, JurySession.id == SessionCandidate.session_id)
        .where(JurySession.certification_code == code,
               JurySession.status.in_([SessionStatus.DRAFT, SessionStatus.OPEN]))))


def _sittings(dossier_id: int) -> list[SessionCandidate]:
    return list(db.session.scalars(select(SessionCandidate).where(SessionCandidate.dossier_id == dossier_id)
                                   .order_by(SessionCandidate.id)))


def retake_attempt(session: JurySession, dossier_id: int) -> int | None:
    """The attempt number if ``dossier_id`` may retake in ``session``, else ``None``.

    A retake: the current decision of the dossier's last sitting is sealed and
    failed, its retake window (``retake_until``) reaches the session's day, and
    the dossier sat fewer times than ``1 + rules.retakes``."""
    from core.deliberation.results import next_attempt

    sittings = [s for s in _sittings(dossier_id) if s.session_id != session.id]
    return next_attempt(jury.certification_of(session), sittings, session_day(session))


def eligible_dossiers(session: JurySession) -> list[Eligible]:
    """Dossiers of the session's certification opened with the session's organisation that may be
    added: admissible ones and retakes, none already planned in a draft or open session; by candidate name."""
    planned = _planned_dossier_ids(session.certification_code)
    found: dict[int, Eligible] = {}
    for dossier in db.session.scalars(select(Dossier).where(
            Dossier.certification_code == session.certification_code, Dossier.status == DossierStatus.ADMISSIBLE,
            Dossier.organisation_id == session.organisation_id)):
        if dossier.id not in planned:
            found[dossier.id] = Eligible(dossier, 1)
    retakes = db.session.scalars(
        select(Dossier).join(SessionCandidate, SessionCandidate.dossier_id == Dossier.id)
        .join(JuryDecision, JuryDecision.candidate_id == SessionCandidate.id)
        .where(Dossier.certification_code == session.certification_code,
               Dossier.organisation_id == session.organisation_id, JuryDecision.sealed_at.is_not(None),
               JuryDecision.superseded_at.is_(None), JuryDecision.retake_until.is_not(None))).unique()
    for dossier in retakes:
        if dossier.id in planned or dossier.id in found:
            continue
        attempt = retake_attempt(session, dossier.id)
        if attempt is not None:
            found[dossier.id] = Eligible(dossier, attempt)
    return sorted(found.values(), key=lambda e: (e.dossier.candidate.last_name.lower(),
                                                 e.dossier.candidate.first_name.lower(), e.dossier.id))


def add_candidate(session: JurySession, actor: User, dossier_id: Any,
                  access_route: str | None = None) -> SessionCandidate:
    """Add an eligible dossier at the end of the order of passage. Its « Voie d'accès » (PV) is the
    route the dossier was opened on; an ``access_route`` given (API) must be that one (422 otherwise)."""
    from core.dossiers.routes import route_label

    check_manages(actor, session)
    check_draft(session)
    eligible = {e.dossier.id: e for e in eligible_dossiers(session)}
    raw = str(dossier_id)
    chosen = eligible.get(int(raw)) if raw.isdigit() and len(raw) < 19 else None
    if chosen is None:
        message = _("Ce dossier ne peut pas être ajouté : seuls les dossiers recevables de la certification "
                    "%(code)s qui ne sont pas déjà dans une session en préparation ou ouverte, et les "
                    "rattrapages permis, peuvent l'être.", code=session.certification_code)
        raise ValidationFailed(message, details={"dossier_id": [message]})
    route = route_label(chosen.dossier, jury.certification_of(session))
    if access_route not in (None, "") and str(access_route).strip().casefold() != route.casefold():
        message = _("La voie d'accès est celle sur laquelle le dossier a été ouvert : « %(route)s ».",
                    route=route or _("non précisée"))
        raise ValidationFailed(message, details={"access_route": [message]})
    candidate = SessionCandidate(dossier_id=chosen.dossier.id, attempt=chosen.attempt, access_route=route,
                                 position=len(session.candidates))
    session.candidates.append(candidate)
    recompute_slots(session)
    record("session.candidate_added", "jury_session", session.id, actor_id=actor.id,
           payload={"candidate_id": candidate.id, "dossier_id": chosen.dossier.id, "attempt": chosen.attempt,
                    "access_route": route})
    return candidate


def remove_candidate(session: JurySession, actor: User, candidate: SessionCandidate) -> None:
    check_manages(actor, session)
    check_draft(session)
    payload = {"candidate_id": candidate.id, "dossier_id": candidate.dossier_id}
    session.candidates.remove(candidate)
    db.session.flush()
    recompute_slots(session)
    record("session.candidate_removed", "jury_session", session.id, actor_id=actor.id, payload=payload)


# ---------------------------------------------------------------------------
# jurors
# ---------------------------------------------------------------------------

@dataclass
class JurorInfo:
    """What the manager records about a juror (« Poste occupé », « Entreprise »...)."""

    position: str = ""
    company: str = ""
    professional: bool = True
    experience_years: Any = 0
    external: bool | None = None  # a required answer: no default


EXTERNAL_REQUIRED = _l("Indiquez si ce juré est extérieur ou extérieure à l'organisme certificateur et à l'organisme "
                       "évaluateur : répondez par oui ou par non (il n'y a pas de réponse par défaut).")


def clean_juror(info: JurorInfo) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not isinstance(info.external, bool):
        errors["external"] = [str(EXTERNAL_REQUIRED)]
    position, company = str(info.position or "").strip(), str(info.company or "").strip()
    if not position:
        errors["position"] = [_("Indiquez le poste occupé par le juré (il figure au procès-verbal).")]
    if not company:
        errors["company"] = [_("Indiquez l'entreprise du juré (elle figure au procès-verbal).")]
    for name, value in (("position", position), ("company", company)):
        if len(value) > MAX_FIELD:
            errors.setdefault(name, []).append(_("%(n)d caractères au plus.", n=MAX_FIELD))
    years = info.experience_years
    if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 70:
        errors["experience_years"] = [_("Indiquez un nombre entier d'années entre 0 et 70.")]
    if errors:
        raise ValidationFailed(_("Les informations du juré contiennent des erreurs : rien n'a été enregistré."),
                               details=errors)
    return {"position": position, "company": company, "professional": bool(info.professional),
            "experience_years": years, "external": info.external}


def get_juror_for(session: JurySession, juror_id: int) -> SessionJuror:
    juror = db.session.get(SessionJuror, juror_id)
    if juror is None or juror.session_id != session.id:
        raise NotFound(code="juror_not_found")
    return juror


def _account_for(email: str, first_name: str, last_name: str, actor: User) -> tuple[User, bool]:
    """An existing juror account, or a new one (invited); ``(user, invited)``."""
    from core.auth.services import create_user, find_user_by_email, normalise_email

    try:
        address = normalise_email(email or "")
    except UserError:
        message = _("L'adresse électronique n'est pas valide.")
        raise ValidationFailed(message, details={"email": [message]}) from None
    user = find_user_by_email(address)
    if user is not None:
        if user.role is not Role.JUROR or not user.active:
            message = _("Le compte %(email)s n'est pas un compte actif de membre de jury : il ne peut pas siéger.",
                        email=address)
            raise ValidationFailed(message, details={"email": [message]})
        return user, False
    first, last = str(first_name or "").strip(), str(last_name or "").strip()
    errors = {}
    if not first:
        errors["first_name"] = [_("Aucun compte n'existe à cette adresse : indiquez le prénom pour inviter ce juré.")]
    if not last:
        errors["last_name"] = [_("Aucun compte n'existe à cette adresse : indiquez le nom pour inviter ce juré.")]
    if len(first) > 100 or len(last) > 100:
        errors.setdefault("last_name", []).append(_("100 caractères au plus."))
    if errors:
        raise ValidationFailed(_("Aucun compte n'existe à l'adresse %(email)s : indiquez le prénom et le nom du "
                                 "juré pour lui créer un compte et l'inviter.", email=address), details=errors)
    user = create_user(email=address, password=secrets.token_urlsafe(32), role=Role.JUROR, first_name=first,
                       last_name=last, verified=True)
    record("session.juror_invited", "user", user.id, actor_id=actor.id, payload={"role": user.role.value})
    return user, True


def add_juror(session: JurySession, actor: User, *, email: str, info: JurorInfo, first_name: str = "",
              last_name: str = "") -> tuple[SessionJuror, bool]:
    """Add a juror by e-mail: an existing juror account, or a new account invited by e-mail
    (a one-time link to choose a password, as staff invitations). Returns ``(juror, invited)``."""
    check_manages(actor, session)
    check_draft(session)
    values = clean_juror(info)
    user, invited = _account_for(email, first_name, last_name, actor)
    if any(j.user_id == user.id for j in session.jurors):
        message = _("%(name)s fait déjà partie du jury de cette session.", name=user.full_name)
        raise Conflict(message, code="juror_already_added", details={"email": [message]})
    juror = SessionJuror(user_id=user.id, **values)
    session.jurors.append(juror)
    db.session.flush()
    record("session.juror_added", "jury_session", session.id, actor_id=actor.id,
           payload={"juror_id": juror.id, "user_id": user.id, "invited": invited, **values})
    if invited:
        send_invitation(user, session, actor)
    else:
        send_added(user, session, actor)
    return juror, invited


def send_invitation(user: User, session: JurySession, actor: User) -> None:
    from flask import current_app

    from core.auth.services import make_reset_token
    from core.mail import send_mail
    from core.utils import absolute_url

    link = absolute_url("auth.reset_password", token=make_reset_token(user))
    text = render_template("sessions/email/juror_invitation.txt", user=user, session=session, manager=actor,
                           link=link, minutes=current_app.config["RESET_TOKEN_MINUTES"],
                           cert=jury.certification_of(session), day=session_day(session),
                           declarations=absolute_url("sessions.declarations", session_id=session.id))
    send_mail(user.email, _("Invitation à siéger dans un jury – Livret"), text)


def send_added(user: User, session: JurySession, actor: User) -> None:
    """Tell an existing juror they sit on the session and must make their declarations."""
    from core.mail import send_mail
    from core.utils import absolute_url

    text = render_template("sessions/email/juror_added.txt", user=user, session=session, manager=actor,
                           cert=jury.certification_of(session), day=session_day(session),
                           declarations=absolute_url("sessions.declarations", session_id=session.id))
    send_mail(user.email, _("Vous siégez dans un jury – déclarations à faire"), text)


def update_juror(session: JurySession, actor: User, juror: SessionJuror, info: JurorInfo) -> list[str]:
    check_manages(actor, session)
    check_draft(session)
    values = clean_juror(info)
    changed = [name for name, value in values.items() if getattr(juror, name) != value]
    for name in changed:
        setattr(juror, name, values[name])
    if changed:
        record("session.juror_updated", "jury_session", session.id, actor_id=actor.id,
               payload={"juror_id": juror.id, "fields": changed})
    return changed


def remove_juror(session: JurySession, actor: User, juror: SessionJuror) -> None:
    """Remove a juror and the declarations they made for this session's candidates."""
    check_manages(actor, session)
    check_draft(session)
    for candidate in session.candidates:
        for declaration in [d for d in candidate.declarations if d.juror_id == juror.user_id]:
            candidate.declarations.remove(declaration)
    payload = {"juror_id": juror.id, "user_id": juror.user_id}
    session.jurors.remove(juror)
    db.session.flush()
    record("session.juror_removed", "jury_session", session.id, actor_id=actor.id, payload=payload)


# ---------------------------------------------------------------------------
# declarations
# ---------------------------------------------------------------------------

def check_declaring(user: User, session: JurySession) -> None:
    """Only a juror of the session declares (404 for anyone else), while it is planned or open."""
    if not jury.sits_on(user, session):
        raise NotFound(code="session_not_found")
    if session.status not in (SessionStatus.DRAFT, SessionStatus.OPEN):
        raise Conflict(_("La session est au statut « %(s)s » : les déclarations ne peuvent plus changer.",
                         s=session.status.label), code="wrong_state", details={"status": session.status.value})


def declaration_of(candidate: SessionCandidate, user_id: int) -> JurorDeclaration | None:
    return next((d for d in candidate.declarations if d.juror_id == user_id), None)


def declare(session: JurySession, user: User, entries: list[dict[str, Any]]) -> list[JurorDeclaration]:
    """Record the juror's declarations: per candidate, no link and no part in the training.

    ``entries``: ``[{"candidate_id", "no_link": bool, "no_training": bool}]``; a
    ``False`` is a declared conflict (shown to the manager, blocking the opening)."""
    check_declaring(user, session)
    by_id = {c.id: c for c in session.candidates}
    errors = {}
    for index, entry in enumerate(entries):
        if entry.get("candidate_id") not in by_id:
            errors[f"declarations.{index}.candidate_id"] = [_("Ce candidat ne fait pas partie de la session.")]
    if not entries:
        errors["declarations"] = [_("Aucune déclaration à enregistrer.")]
    if errors:
        raise ValidationFailed(_("Les déclarations contiennent des erreurs : rien n'a été enregistré."),
                               details=errors)
    saved = []
    for entry in entries:
        candidate = by_id[entry["candidate_id"]]
        no_link, no_training = bool(entry.get("no_link")), bool(entry.get("no_training"))
        row = declaration_of(candidate, user.id)
        if row is None:
            row = JurorDeclaration(juror_id=user.id, no_link=no_link, no_training=no_training)
            candidate.declarations.append(row)
        elif (row.no_link, row.no_training) == (no_link, no_training):
            saved.append(row)
            continue
        row.no_link, row.no_training, row.declared_at = no_link, no_training, utcnow()
        db.session.flush()
        record("session.declaration_recorded", "jury_session", session.id, actor_id=user.id,
               payload={"candidate_id": candidate.id, "dossier_id": candidate.dossier_id, "no_link": no_link,
                        "no_training": no_training})
        saved.append(row)
    return saved


def declaration_rows(session: JurySession, user: User) -> list[tuple[SessionCandidate, JurorDeclaration | None]]:
    return [(c, declaration_of(c, user.id)) for c in ordered(session)]
