"""Jury-composition rules of RNCP37827 (règlement, section 2 « 1. Le jury »).

Each rule of :data:`~livret_rncp37827.descriptor.JURY_RULES` is checked with
the figures of :data:`~livret_rncp37827.descriptor.JURY`; every message quotes
the rule it applies. Every rule blocks the opening: the deliverables must reach
the jury 5 days before the session (a late dossier or annex, or a dossier not
submitted when fewer than 5 days remain, keeps the session closed until it is
moved or the candidate removed), each juror's « extérieur » status must be
answered, and a session in draft must open at least a week before it starts,
so that the part « Les épreuves certificatives » of the règlement, sent with
the convocations (:mod:`livret_rncp37827.regulation`), reaches the jury in time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _

from core.certifications.descriptor import Certification, JuryProblem
from core.documents.filters import document_timezone
from core.dossiers.models import DossierStatus
from core.hookspecs import hookimpl
from core.jury.models import SessionStatus

from livret_rncp37827.descriptor import CERTIFICATION, JURY, JURY_RULES

RULES = {rule.key: rule.text for rule in JURY_RULES}
REGULATION = CERTIFICATION.extra["regulation"]
NOT_SUBMITTED = (DossierStatus.DRAFT, DossierStatus.CORRECTIONS_REQUESTED)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _rule(key: str) -> str:
    return f"« {RULES[key]} »"


def _name(user) -> str:
    return user.full_name


def min_professionals(session) -> list[JuryProblem]:
    """At least 2 professionals with at least 2 years of experience in development and AI."""
    needed, years = JURY["min_professionals"], JURY["min_experience_years"]
    qualified = [j for j in session.jurors if j.professional and (j.experience_years or 0) >= years]
    if len(qualified) >= needed:
        return []
    return [JuryProblem("min_professionals", _(
        "Règle %(rule)s : %(n)d juré(s) sur %(total)d sont des professionnels avec au moins %(years)d années "
        "d'expérience dans le développement et l'IA ; il en faut au moins %(needed)d.",
        rule=_rule("min_professionals"), n=len(qualified), total=len(session.jurors), years=years,
        needed=needed))]


def external_ratio(session) -> list[JuryProblem]:
    """At least 50 % of the jurors external to the certifier and to the evaluating organisation;
    a juror whose status is not answered (``None``) keeps the rule from passing."""
    total = len(session.jurors)
    if not total:
        return []  # core already says the jury is empty
    missing = [j for j in session.jurors if j.external is None]
    if missing:
        return [JuryProblem("external_ratio", _(
            "Règle %(rule)s : indiquez si %(juror)s est extérieur ou extérieure à l'organisme certificateur et à "
            "l'organisme évaluateur (réponse manquante).", rule=_rule("external_ratio"), juror=_name(j.user)),
            juror_id=j.id) for j in missing]
    external = sum(1 for j in session.jurors if j.external)
    ratio = JURY["min_external_ratio"]
    if external >= ratio * total:
        return []
    return [JuryProblem("external_ratio", _(
        "Règle %(rule)s : %(n)d juré(s) extérieur(s) sur %(total)d ; il en faut au moins %(pct)d %%.",
        rule=_rule("external_ratio"), n=external, total=total, pct=round(ratio * 100)))]


def declarations(session) -> list[JuryProblem]:
    """Every juror declares, for every candidate, no link and no part in the training."""
    problems = []
    for candidate in session.candidates:
        by_juror = {d.juror_id: d for d in candidate.declarations}
        person = _name(candidate.dossier.candidate)
        for juror in session.jurors:
            declaration = by_juror.get(juror.user_id)
            where = dict(juror_id=juror.id, dossier_id=candidate.dossier_id)
            if declaration is None:
                problems.append(JuryProblem("no_link", _(
                    "%(juror)s n'a pas encore fait sa déclaration pour %(candidate)s (règle %(rule)s).",
                    juror=_name(juror.user), candidate=person, rule=_rule("no_link")), **where))
                continue
            if not declaration.no_link:
                problems.append(JuryProblem("no_link", _(
                    "%(juror)s déclare un lien professionnel ou personnel avec %(candidate)s : règle %(rule)s. "
                    "Remplacez ce juré ou retirez ce candidat de la session.",
                    juror=_name(juror.user), candidate=person, rule=_rule("no_link")), **where))
            if not declaration.no_training:
                problems.append(JuryProblem("no_training", _(
                    "%(juror)s déclare avoir participé à la formation ou à la préparation de %(candidate)s : "
                    "règle %(rule)s. Remplacez ce juré ou retirez ce candidat de la session.",
                    juror=_name(juror.user), candidate=person, rule=_rule("no_link")), **where))
    return problems


def _delivered_at(dossier) -> datetime | None:
    """When the last deliverable reached the platform: the latest submission or annex."""
    moments = [_aware(dossier.latest_version.submitted_at)] if dossier.latest_version else []
    moments += [_aware(a.created_at) for a in dossier.annexes if a.removed_at is None and a.created_at]
    return max(moments) if moments else None


def _when(moment: datetime) -> str:
    return _("%(date)s à %(time)s", date=moment.astimezone(document_timezone()).strftime("%d/%m/%Y"),
             time=moment.astimezone(document_timezone()).strftime("%H:%M"))


def deliverables(session, now: datetime | None = None) -> list[JuryProblem]:
    """A blocking problem per candidate whose deliverables were not available 5 days before the session:
    a submission or annex that arrived later, or a dossier not submitted when fewer than 5 days remain.
    Moving the session later (or removing the candidate) clears it."""
    days = JURY["deliverables_days_before_session"]
    starts = _aware(session.starts_at)
    limit = starts - timedelta(days=days)
    now = now or datetime.now(timezone.utc)
    problems = []
    for candidate in session.candidates:
        dossier = candidate.dossier
        person = _name(dossier.candidate)
        delivered = _delivered_at(dossier)
        submitted = bool(dossier.versions) and dossier.status not in NOT_SUBMITTED
        if not submitted and now > limit:
            message = _("%(candidate)s : le dossier n'est pas déposé et la session commence dans moins de %(d)d "
                        "jours (règle %(rule)s) : les livrables devaient être transmis au jury au plus tard le "
                        "%(limit)s. Retirez ce dossier de la session ou déplacez la session.", candidate=person,
                        d=days, rule=_rule("deliverables_5_days"), limit=_when(limit))
        elif delivered is not None and delivered > limit:
            day = delivered.astimezone(document_timezone()).strftime("%d/%m/%Y")
            message = _("%(candidate)s : des livrables ont été transmis le %(date)s, moins de %(d)d jours avant "
                        "la session (règle %(rule)s). Déplacez la session au %(earliest)s au plus tôt, ou retirez "
                        "ce dossier de la session.", candidate=person, d=days, date=day,
                        rule=_rule("deliverables_5_days"), earliest=_when(delivered + timedelta(days=days)))
        else:
            continue
        problems.append(JuryProblem("deliverables_5_days", message, dossier_id=candidate.dossier_id))
    return problems


def regulation_one_week(session, now: datetime | None = None) -> list[JuryProblem]:
    """A session in draft opens at least a week before it starts: the règlement's part « Les épreuves
    certificatives » goes to the jury with the convocations, at the opening."""
    if session.status is not SessionStatus.DRAFT:
        return []  # sent (or not) when the session opened
    days = JURY["regulation_days_before_session"]
    now = now or datetime.now(timezone.utc)
    if _aware(session.starts_at) - timedelta(days=days) >= now:
        return []
    return [JuryProblem("regulation_one_week", _(
        "Règle « %(shared)s %(rule)s » : la session commence le %(start)s, dans moins de %(d)d jours ; la partie "
        "« %(part)s » du règlement, envoyée au jury avec sa convocation à l'ouverture, lui parviendrait trop tard. "
        "Déplacez la session au %(earliest)s au plus tôt.", shared=REGULATION["shared_by"],
        rule=REGULATION["jury_deadline"], start=_when(_aware(session.starts_at)), d=days, part=REGULATION["title"],
        earliest=_when(now + timedelta(days=days))))]


@hookimpl
def livret_jury_problems(certification: Certification, session) -> list[JuryProblem]:
    return [*min_professionals(session), *external_ratio(session), *declarations(session),
            *deliverables(session), *regulation_one_week(session)]
