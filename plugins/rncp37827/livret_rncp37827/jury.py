"""Jury-composition rules of RNCP37827 (règlement, section 2 « 1. Le jury »).

Each rule of :data:`~livret_rncp37827.descriptor.JURY_RULES` is checked with
the figures of :data:`~livret_rncp37827.descriptor.JURY`; every message quotes
the rule it applies. The deliverables rule only warns (the platform shows it,
the session may still open): the jury is sovereign about late deliverables.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _

from core.certifications.descriptor import Certification, JuryProblem
from core.documents.filters import document_timezone
from core.dossiers.models import DossierStatus
from core.hookspecs import hookimpl

from livret_rncp37827.descriptor import JURY, JURY_RULES

RULES = {rule.key: rule.text for rule in JURY_RULES}
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
    """At least 50 % of the jurors external to the certifier and to the evaluating organisation."""
    total = len(session.jurors)
    if not total:
        return []  # core already says the jury is empty
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


def deliverables(session, now: datetime | None = None) -> list[JuryProblem]:
    """A warning per candidate whose deliverables were not available 5 days before the session."""
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
                        "jours (règle %(rule)s).", candidate=person, d=days, rule=_rule("deliverables_5_days"))
        elif delivered is not None and delivered > limit:
            day = delivered.astimezone(document_timezone()).strftime("%d/%m/%Y")
            message = _("%(candidate)s : des livrables ont été transmis le %(date)s, moins de %(d)d jours avant "
                        "la session (règle %(rule)s).", candidate=person, d=days, date=day,
                        rule=_rule("deliverables_5_days"))
        else:
            continue
        problems.append(JuryProblem("deliverables_5_days", message, blocking=False,
                                    dossier_id=candidate.dossier_id))
    return problems


@hookimpl
def livret_jury_problems(certification: Certification, session) -> list[JuryProblem]:
    return [*min_professionals(session), *external_ratio(session), *declarations(session),
            *deliverables(session)]
