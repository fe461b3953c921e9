"""What erasing an account would do, said before it is done (« Supprimer mon compte », ``GET /api/v1/me/erasure``).

:func:`plan` lists, for the signed-in person, what goes, what stays (why and until when, from the retention
rules of each dossier's certification and organisation, :func:`core.privacy.declarations.rules_for`) and
what follows; :func:`core.privacy.erasure.erase` then does exactly that.

- **Who**: a candidate. Staff, jurors, session managers and admins are refused (their account is part of
  the organisation's records: signatures, decisions, sessions); they ask the platform's administration,
  which deactivates the account (:data:`NOT_SELF_SERVICE`).
- **When**: not while a jury session holding one of the person's dossiers is being planned, open, or its PV
  being corrected: the refusal names the session and the day it becomes possible (the day after the
  session's last day, once its procès-verbal is sealed) (:func:`blockers`).
- **Drafts** (never submitted, nothing issued nor invoiced): deleted, rows and files.
- **Submitted dossiers**: their contents go (sections typed, content of the submitted versions, annexes,
  the staff's notes); the dossier row, its sealed documents, its fee records and decisions stay. A dossier
  still under way (submitted, corrections asked, admissible, scheduled, evaluated) is **withdrawn**: its
  status becomes ``closed`` (audit ``dossier.withdrawn``) and an unpaid fee request is cancelled.
- **The account**: closed and pseudonymised; the name stays only when sealed records carry it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, or_, select

from core.auth.models import Role, User
from core.dossiers.models import Annex, Document, Dossier, DossierStatus, DossierVersion, SectionDraft
from core.extensions import db
from core.jury.models import JuryDecision, JurySession, SessionCandidate, SessionStatus
from core.privacy.self_service import dossiers_of
from core.templating import local_date

#: statuses of a dossier still under way: erasing the account withdraws it (status ``closed``)
IN_PROGRESS = (DossierStatus.DRAFT, DossierStatus.SUBMITTED, DossierStatus.CORRECTIONS_REQUESTED,
               DossierStatus.ADMISSIBLE, DossierStatus.SCHEDULED, DossierStatus.EVALUATED)
NOT_SELF_SERVICE = _l("Un compte de membre de jury, de responsable de session, d'équipe ou d'administration ne "
                      "peut pas être supprimé en libre-service : il porte des signatures, des décisions et des "
                      "sessions que l'organisme doit conserver. Écrivez à l'administration de la plateforme, qui "
                      "désactivera votre compte et vous dira ce qui est conservé.")


@dataclass
class Blocker:
    """A jury session, not finished, that holds one of the person's dossiers."""

    session_id: int
    title: str
    status: str
    ends_on: date
    possible_from: date


@dataclass
class Line:
    """One thing erased or kept, in plain French; for what is kept, why (``basis``) and until when."""

    label: str
    detail: str = ""
    basis: str = ""
    until: date | None = None
    forever: bool = False


@dataclass
class Plan:
    allowed: bool
    reason: str | None = None
    blockers: list[Blocker] = field(default_factory=list)
    possible_from: date | None = None
    drafts: list[Dossier] = field(default_factory=list)
    submitted: list[Dossier] = field(default_factory=list)
    withdrawn: list[Dossier] = field(default_factory=list)
    keep_name: bool = False
    erased: list[Line] = field(default_factory=list)
    kept: list[Line] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)


def blockers(user: User) -> list[Blocker]:
    """The sessions, not finished (being planned, open, or closed with a correction of the PV under way), that
    hold one of ``user``'s dossiers, with the day erasure becomes possible (the day after the session's last
    day, or tomorrow when that day is past: the PV still has to be sealed)."""
    holding = select(SessionCandidate.session_id).join(Dossier, Dossier.id == SessionCandidate.dossier_id).where(
        Dossier.candidate_id == user.id)
    rows = db.session.scalars(
        select(JurySession).where(JurySession.id.in_(holding), or_(
            JurySession.status != SessionStatus.CLOSED, JurySession.correction_started_at.is_not(None)))
        .order_by(JurySession.id)).all()
    tomorrow = date.today() + timedelta(days=1)
    found = []
    for session in rows:
        last_day = session.ends_on or session.starts_at.date()
        found.append(Blocker(session.id, session.title, session.status.value, last_day,
                             max(last_day + timedelta(days=1), tomorrow)))
    return found


def refusal_message(found: list[Blocker]) -> str:
    when = max(b.possible_from for b in found)
    titles = ", ".join(f"« {b.title} »" for b in found)
    return ngettext(
        "Votre compte ne peut pas encore être supprimé : la session de jury %(titles)s, qui examine votre dossier, "
        "n'est pas terminée. La suppression sera possible à partir du %(date)s, une fois le procès-verbal de la "
        "session scellé. Pour vous retirer de la session avant, adressez-vous à l'organisme qui la tient.",
        "Votre compte ne peut pas encore être supprimé : les sessions de jury %(titles)s, qui examinent vos "
        "dossiers, ne sont pas terminées. La suppression sera possible à partir du %(date)s, une fois les "
        "procès-verbaux scellés. Pour vous retirer d'une session avant, adressez-vous à l'organisme qui la tient.",
        len(found), titles=titles, date=local_date(when))


def deletable_draft(dossier: Dossier) -> bool:
    """A dossier never submitted, with nothing issued, invoiced nor scheduled: it can go entirely."""
    from core.fees.models import FeeRequest

    if dossier.submitted_at is not None:
        return False
    checks = (
        select(DossierVersion.id).where(DossierVersion.dossier_id == dossier.id),
        select(Document.id).where(Document.dossier_id == dossier.id),
        select(SessionCandidate.id).where(SessionCandidate.dossier_id == dossier.id),
        select(FeeRequest.id).where(FeeRequest.dossier_id == dossier.id, or_(
            FeeRequest.invoice_number.is_not(None), FeeRequest.receipt_document_id.is_not(None))),
    )
    return all(db.session.scalar(query.limit(1)) is None for query in checks)


def _count(model, dossier: Dossier) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.dossier_id == dossier.id)) or 0


def _title(code: str) -> str:
    from core.privacy.export_data import _certification_title

    return _certification_title(code)


def _rules(dossier: Dossier) -> dict[str, Any]:
    from core.certifications.services import get_certification
    from core.errors import NotFound
    from core.privacy.declarations import CORE_RULES, rules_for

    try:
        return rules_for(get_certification(dossier.certification_code), dossier.organisation_id)
    except NotFound:  # a certification whose plugin is gone: core's rules
        return {rule.kind: rule for rule in CORE_RULES}


def _erased(plan: Plan, user: User) -> None:
    if plan.keep_name:
        account = _("Votre adresse électronique, votre mot de passe, votre langue, vos sessions de connexion et vos "
                    "jetons d'accès à l'API ; votre nom et votre prénom restent, seuls, pour relier les documents "
                    "scellés qui les portent.")
    else:
        account = _("Votre adresse électronique, votre mot de passe, votre langue, vos sessions de connexion et vos "
                    "jetons d'accès à l'API, ainsi que votre nom et votre prénom.")
    plan.erased.append(Line(_("Votre compte"), account))
    for dossier in plan.drafts:
        plan.erased.append(Line(
            _("Brouillon « %(title)s »", title=_title(dossier.certification_code)),
            _("Ouvert le %(date)s : tout ce que vous avez saisi (%(sections)s) et vos pièces jointes (%(annexes)s) "
              "sont supprimés avec le dossier.", date=local_date(dossier.created_at),
              sections=ngettext("%(num)d section", "%(num)d sections", _count(SectionDraft, dossier)),
              annexes=ngettext("%(num)d fichier", "%(num)d fichiers", _count(Annex, dossier)))))
    for dossier in plan.submitted:
        detail = _("Ce que vous avez saisi (sections en cours et contenu des versions déposées), vos pièces "
                   "jointes (%(annexes)s) et les notes de l'équipe du certificateur sont supprimés ; restent la "
                   "référence, le statut et les dates du dossier.",
                   annexes=ngettext("%(num)d fichier", "%(num)d fichiers", _count(Annex, dossier)))
        if dossier in plan.withdrawn:
            detail += " " + _("Votre candidature est retirée : le dossier passe au statut « Clos », une demande "
                              "de frais non réglée est annulée, et %(org)s en est informé.",
                              org=dossier.organisation.name if dossier.organisation else _("l'organisme"))
        plan.erased.append(Line(_("Dossier %(ref)s (%(title)s)", ref=dossier.reference or dossier.id,
                                  title=_title(dossier.certification_code)), detail))


def _fee_until(fee, rule) -> date | None:
    from core.utils import add_months

    paid = fee.paid_on or (fee.paid_at.date() if fee.paid_at else None) or fee.created_at.date()
    return add_months(date(paid.year, 12, 31), rule.months) if rule.months is not None else None


def _kept(plan: Plan) -> None:
    from core.fees.models import FeeRequest

    from core.privacy.declarations import CORE_RULES

    decisions = False
    for dossier in plan.submitted:
        rules = _rules(dossier)
        titles = sorted({d.title for d in db.session.scalars(select(Document).where(
            Document.dossier_id == dossier.id))})
        if titles:
            plan.kept.append(Line(
                _("Documents scellés du dossier %(ref)s", ref=dossier.reference or dossier.id), "; ".join(titles),
                _("Ils sont scellés (les modifier casserait leur sceau) et prouvent ce que vous avez déposé et ce "
                  "qui a été décidé ; ils gardent le nom sous lequel ils ont été signés. Le Livret 2 scellé "
                  "contient ce que vous aviez saisi au moment du dépôt."), forever=True))
        if not decisions and db.session.scalar(select(JuryDecision.id).join(SessionCandidate).where(
                SessionCandidate.dossier_id == dossier.id).limit(1)) is not None:
            decisions = True
            rule = rules["decision_records"]
            plan.kept.append(Line(str(rule.label), "", str(rule.basis), forever=True))
        fee = db.session.scalar(select(FeeRequest).where(FeeRequest.dossier_id == dossier.id))
        if fee is not None and (fee.invoice_number or fee.paid_on or fee.paid_at):
            rule = rules["fee_records"]
            plan.kept.append(Line(str(rule.label), _("Dossier %(ref)s.", ref=dossier.reference or dossier.id),
                                  str(rule.basis), until=_fee_until(fee, rule)))
    audit = (_rules(plan.submitted[0]) if plan.submitted else {r.kind: r for r in CORE_RULES})["audit_events"]
    plan.kept.append(Line(str(audit.label), _("Les actions faites sur votre compte et vos dossiers, sous forme "
                                              "d'identifiants."), str(audit.basis), forever=True))
    if plan.keep_name:
        plan.kept.append(Line(_("Votre nom et votre prénom"), _("Sur le compte fermé, sans adresse ni mot de passe."),
                              _("Relier les documents scellés et les décisions qui les portent à la personne "
                                "qu'ils concernent."), forever=True))
    plan.kept.append(Line(_("La trace de votre demande"), _("Dans le registre des demandes de l'organisme."),
                          _("Prouver que votre demande a été traitée (RGPD, art. 5-2 et 12)."), forever=True))


def plan(user: User) -> Plan:
    """What erasing ``user``'s account would do now (see the module)."""
    if user.role is not Role.CANDIDATE:
        return Plan(allowed=False, reason=str(NOT_SELF_SERVICE))
    found = blockers(user)
    result = Plan(allowed=not found, blockers=found,
                  reason=refusal_message(found) if found else None,
                  possible_from=max(b.possible_from for b in found) if found else None)
    for dossier in dossiers_of(user):
        (result.drafts if deletable_draft(dossier) else result.submitted).append(dossier)
    result.withdrawn = [d for d in result.submitted if d.status in IN_PROGRESS]
    result.keep_name = bool(result.submitted)
    _erased(result, user)
    _kept(result)
    result.consequences.append(_("Vous ne pourrez plus vous connecter. Pour candidater de nouveau, il faudra créer "
                                 "un nouveau compte."))
    today = date.today()
    retakes = [d.retake_until for d in db.session.scalars(
        select(JuryDecision).join(SessionCandidate).join(Dossier, Dossier.id == SessionCandidate.dossier_id)
        .where(Dossier.candidate_id == user.id, JuryDecision.superseded_at.is_(None),
               JuryDecision.retake_until.is_not(None)))
        if d.retake_until >= today]
    if retakes:
        result.consequences.append(_("Vous perdez la possibilité de repasser l'épreuve, ouverte jusqu'au %(date)s.",
                                     date=local_date(max(retakes))))
    result.consequences.append(_("Les documents scellés que vous avez téléchargés restent vérifiables sur la page "
                                 "publique « Vérifier un document »."))
    result.consequences.append(_("Un courriel de confirmation est envoyé à %(email)s juste avant que cette adresse "
                                 "soit effacée.", email=user.email))
    return result
