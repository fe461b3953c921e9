"""The certifier admin's side of retention: the rules of the organisation's certifications, the periods it
changes within each rule's bounds (:class:`core.privacy.models.RetentionSetting`, audited), and what the
run will do next month. Shared by the page (:mod:`core.privacy.views_retention`) and the API
(:mod:`core.privacy.api_retention`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import Organisation, User, utcnow
from core.dossiers.models import Dossier
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from core.privacy.declarations import DELETE, KEEP, KINDS, PSEUDONYMISE, REMIND, RetentionRule, \
    certification_rules, rules_for
from core.privacy.models import RetentionSetting
from core.privacy.retention_plan import PLATFORM_KINDS, RUN_KINDS, Plan, RuleBook, plan, platform_rules
from core.utils import add_months

ACTION_LABELS = {
    DELETE: _l("Suppression"),
    PSEUDONYMISE: _l("Effacement des données personnelles ; l'enregistrement reste"),
    KEEP: _l("Conservation sans limite de durée"),
    REMIND: _l("Courriel de rappel à la personne"),
}

#: what each kind of the run does to one item, for the « next month » list
UPCOMING_LABELS = {
    "draft_reminder": _l("Rappels avant suppression d'un brouillon"),
    "draft": _l("Brouillons abandonnés supprimés avec leurs pièces"),
    "dossier_after_decision": _l("Dossiers jugés : sections et pièces jointes supprimées"),
    "inadmissible": _l("Dossiers irrecevables : sections et pièces jointes supprimées"),
    "fee_records": _l("Frais : coordonnées du payeur effacées"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@dataclass(frozen=True)
class RuleLine:
    """One rule as the organisation's dossiers get it, beside the certification's own period."""

    rule: RetentionRule  # with the organisation's period
    default: RetentionRule  # the certification's

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def changed(self) -> bool:
        return self.rule.months != self.default.months

    @property
    def adjustable(self) -> bool:
        return self.rule.adjustable and self.kind not in PLATFORM_KINDS


@dataclass(frozen=True)
class CertificationRules:
    cert: object
    lines: list[RuleLine]

    @property
    def adjustable(self) -> list[RuleLine]:
        return [line for line in self.lines if line.adjustable]


def certifications_of(org: Organisation) -> list:
    """The installed certifications the organisation delivers or has dossiers of, by code."""
    installed = current_app.extensions["livret"].certifications
    codes = set(org.granted_codes) | set(db.session.scalars(
        select(Dossier.certification_code).where(Dossier.organisation_id == org.id).distinct()))
    return [installed[code] for code in sorted(codes) if code in installed]


def rules_of(org: Organisation, cert) -> CertificationRules:
    defaults = certification_rules(cert)
    applied = rules_for(cert, org.id)
    return CertificationRules(cert, [RuleLine(applied[kind], defaults[kind]) for kind in KINDS
                                     if kind in applied and kind not in PLATFORM_KINDS])


def organisation_rules(org: Organisation) -> list[CertificationRules]:
    return [rules_of(org, cert) for cert in certifications_of(org)]


def platform_lines() -> list[RetentionRule]:
    """The rules of the whole platform (login sessions, rate limits, audit trail): nobody changes them here."""
    rules = platform_rules()
    return [rules[kind] for kind in PLATFORM_KINDS if kind in rules]


def certification_of(org: Organisation, code: str):
    """One certification of the organisation (:func:`certifications_of`); 404 with a message otherwise."""
    wanted = (code or "").strip().upper()
    for cert in certifications_of(org):
        if cert.code == wanted:
            return cert
    raise NotFound(_("L'organisme ne délivre pas de certification %(code)s.", code=(code or "")[:40]),
                   code="certification_not_found")


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound(_("Aucune règle de conservation ne porte le nom « %(kind)s » ; les règles sont : %(kinds)s.",
                         kind=(kind or "")[:40], kinds=", ".join(KINDS)), code="retention_kind_not_found")


def set_periods(org: Organisation, code: str, months: dict[str, int | None], *, actor: User) -> list[str]:
    """Change the periods of some kinds of ``code`` for ``org`` (all or nothing; audited); returns the kinds
    changed. A period equal to the certification's own removes the organisation's setting.

    Refused: a kind that does not exist (404), one the organisation cannot change, a period outside the
    rule's bounds, a reminder that would not come before the draft's deletion (422, per kind in
    ``details``). Nothing changes on a refusal.
    """
    cert = certification_of(org, code)
    for kind in months:
        check_kind(kind)
    current = {line.kind: line for line in rules_of(org, cert).lines}
    errors: dict[str, list[str]] = {}
    for kind, value in months.items():
        line = current.get(kind)
        if line is None:
            errors[kind] = [_("Cette durée vaut pour toute la plateforme : l'organisme ne peut pas la modifier.")]
        elif not line.adjustable:
            errors[kind] = [_("Cette règle n'a pas de durée modifiable.")]
        elif value is None:
            errors[kind] = [_("Indiquez une durée en mois.")]
        elif isinstance(value, bool) or not isinstance(value, int) or not \
                line.rule.minimum <= value <= line.rule.maximum:
            errors[kind] = [_("Indiquez une durée entre %(min)d et %(max)d mois.", min=line.rule.minimum,
                              max=line.rule.maximum)]
    if not errors:
        after = {kind: months.get(kind, line.rule.months) for kind, line in current.items()}
        reminder, deletion = after.get("draft_reminder"), after.get("draft")
        if reminder is not None and deletion is not None and reminder >= deletion:
            target = "draft_reminder" if "draft_reminder" in months else "draft"
            errors[target] = [_("Le rappel doit partir avant la suppression du brouillon : choisissez un délai de "
                                "rappel (%(r)d mois) inférieur à celui de la suppression (%(d)d mois).",
                                r=reminder, d=deletion)]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    changed = []
    for kind, value in months.items():
        line = current[kind]
        if value == line.rule.months:
            continue
        setting = db.session.get(RetentionSetting, (org.id, cert.code, kind))
        if value == line.default.months:
            if setting is not None:
                db.session.delete(setting)
        elif setting is None:
            db.session.add(RetentionSetting(organisation_id=org.id, certification_code=cert.code, kind=kind,
                                            months=value, updated_by_id=actor.id))
        else:
            setting.months, setting.updated_by_id = value, actor.id
        record("retention.setting_changed", "organisation", org.id, actor_id=actor.id,
               payload={"certification": cert.code, "kind": kind, "months": value, "previous": line.rule.months,
                        "default": line.default.months})
        changed.append(kind)
    db.session.flush()
    return changed


@dataclass
class Upcoming:
    """What the run will do for the organisation between ``start`` and ``until`` (plan(until) minus
    plan(start)), and what is due already (done at the next run)."""

    start: datetime
    until: datetime
    coming: Plan
    due_now: Plan

    def groups(self) -> list[tuple[str, str, list]]:
        return [(kind, str(UPCOMING_LABELS[kind]),
                 sorted(self.coming.items[kind], key=lambda item: (item.due_at, item.object_id)))
                for kind in RUN_KINDS if kind in UPCOMING_LABELS]

    @property
    def due_now_count(self) -> int:
        return self.due_now.total


def upcoming(org: Organisation, now: datetime | None = None) -> Upcoming:
    start = now or utcnow()
    until = add_months(start, 1)
    book = RuleBook()
    today = plan(start, organisation_id=org.id, book=book)
    later = plan(until, organisation_id=org.id, book=book)
    return Upcoming(start, until, later.minus(today), today)
