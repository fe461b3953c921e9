"""What the platform declares about personal data: retention rules and processing activities.

Two hooks feed this module (``core/hookspecs.py``, « Personal data »):

* ``livret_retention_rules(certification)`` — per-certification; core's default
  plugin (:mod:`core.default_plugins.privacy`) answers :data:`CORE_RULES` with
  the referential's ``[privacy.retention]`` months applied; a plugin that needs
  code returns its own :class:`RetentionRule` objects, which win.
* ``livret_processing_activities()`` — cross-cutting; each plugin lists the
  :class:`ProcessingActivity` objects it adds to the record of processing
  activities (RGPD art. 30); core's default plugin declares core's own.

An organisation may then change a period within the rule's bounds
(:class:`core.privacy.models.RetentionSetting`); :func:`rules_for` gives the
result. Everything a person reads here is French and translatable.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l

#: what the retention run does with data whose period is over
DELETE = "delete"  # rows and objects go
PSEUDONYMISE = "pseudonymise"  # the record stays, what identifies the person beyond it goes
KEEP = "keep"  # kept for good (a sealed document proves the title)
REMIND = "remind"  # an e-mail, nothing deleted


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of data is kept, and what happens then.

    ``months`` is ``None`` for data kept for good (``action`` :data:`KEEP`).
    ``minimum``/``maximum`` bound what an organisation may set.
    """

    kind: str
    label: Any  # French, translatable: what is kept
    months: int | None
    action: str
    starts: Any  # French: the event the period counts from
    basis: Any  # French: why (the legal duty or the purpose)
    minimum: int | None = None
    maximum: int | None = None

    @property
    def adjustable(self) -> bool:
        return self.months is not None and self.minimum is not None and self.maximum is not None


#: The kinds of data the retention run knows, with core's periods. A plugin's referential changes
#: ``months`` through ``[privacy.retention]`` (same keys); the JSON Schema holds the same bounds.
CORE_RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        "draft_reminder", _l("Rappel avant suppression d'un brouillon"), 6, REMIND,
        _l("la dernière modification du brouillon"),
        _l("Prévenir la personne avant qu'un dossier qu'elle a commencé ne soit supprimé."), 1, 120),
    RetentionRule(
        "draft", _l("Dossiers jamais déposés (brouillons abandonnés) et leurs pièces"), 12, DELETE,
        _l("la dernière modification du brouillon"),
        _l("Minimisation (RGPD art. 5-1-e) : un dossier abandonné ne sert plus à rien."), 1, 120),
    RetentionRule(
        "dossier_after_decision", _l("Contenu des sections et pièces jointes d'un dossier jugé"), 12, DELETE,
        _l("la décision finale du jury"),
        _l("Le temps d'un recours ou d'un second passage ; le livret scellé, la décision, les grilles, "
           "le procès-verbal et le certificat restent."), 1, 120),
    RetentionRule(
        "inadmissible", _l("Contenu des sections et pièces jointes d'un dossier irrecevable"), 12, DELETE,
        _l("la décision d'irrecevabilité"),
        _l("Le temps d'un recours et d'une nouvelle demande ; la décision scellée reste."), 1, 120),
    RetentionRule(
        "fee_records", _l("Frais : coordonnées du payeur (la facture scellée reste)"), 120, PSEUDONYMISE,
        _l("la clôture de l'exercice du paiement"),
        _l("Pièces comptables : 10 ans (Code de commerce, art. L123-22)."), 120, 600),
    RetentionRule(
        "decision_records", _l("Décisions, grilles, procès-verbaux et certificats"), None, KEEP,
        _l("la délibération"),
        _l("Ils prouvent le titre délivré, pour toute la vie professionnelle de la personne ; ils gardent le "
           "nom avec lequel ils ont été signés.")),
    RetentionRule(
        "audit_events", _l("Journal d'audit"), None, KEEP, _l("l'action enregistrée"),
        _l("Preuve de qui a fait quoi ; le journal ne contient que des identifiants, jamais de nom ni "
           "d'adresse, et sa chaîne d'empreintes ne peut pas être coupée.")),
    RetentionRule(
        "login_records", _l("Sessions de connexion (adresse IP, navigateur)"), 6, DELETE,
        _l("la dernière activité de la session"),
        _l("Sécurité des comptes (recommandation de la CNIL sur la journalisation : 6 mois à 1 an)."), 1, 13),
    RetentionRule(
        "rate_limit_records", _l("Compteurs de tentatives (connexion, mot de passe)"), 0, DELETE,
        _l("la tentative"),
        _l("Protection contre les essais en série ; les compteurs expirent d'eux-mêmes en moins d'une heure.")),
)

KINDS: tuple[str, ...] = tuple(rule.kind for rule in CORE_RULES)


@dataclass(frozen=True)
class ProcessingActivity:
    """One line of the record of processing activities (RGPD art. 30). Every text is French."""

    key: str
    name: Any
    purposes: tuple[Any, ...]
    legal_basis: Any
    data_subjects: tuple[Any, ...]
    categories: tuple[Any, ...]
    recipients: tuple[Any, ...]
    retention: tuple[str, ...] = ()  # retention kinds (:data:`KINDS`) that apply
    security: tuple[Any, ...] = ()
    certification: str | None = None  # the certification it concerns, None for the whole platform


def with_months(rules: Iterable[RetentionRule], months: dict[str, int]) -> list[RetentionRule]:
    """``rules`` with the periods of ``months`` (a referential's ``[privacy.retention]``) applied."""
    return [replace(rule, months=months[rule.kind]) if rule.kind in months and rule.months is not None else rule
            for rule in rules]


def certification_rules(certification) -> dict[str, RetentionRule]:
    """The rules of ``certification`` (plugin first, then core's default plugin), one per kind."""
    from core.plugins import certification_hook

    merged: dict[str, RetentionRule] = {}
    for answer in certification_hook(certification, "livret_retention_rules")(certification=certification):
        for rule in answer or ():
            merged.setdefault(rule.kind, rule)
    for rule in CORE_RULES:  # a kind nobody answered keeps core's rule
        merged.setdefault(rule.kind, rule)
    return merged


def rules_for(certification, organisation_id: int | None) -> dict[str, RetentionRule]:
    """The rules that apply to the dossiers of ``certification`` delivered by ``organisation_id``:
    the certification's, with the organisation's settings (within each rule's bounds) applied."""
    rules = certification_rules(certification)
    if organisation_id is None:
        return rules
    from sqlalchemy import select

    from core.extensions import db
    from core.privacy.models import RetentionSetting

    settings = db.session.scalars(select(RetentionSetting).where(
        RetentionSetting.organisation_id == organisation_id,
        RetentionSetting.certification_code == certification.code)).all()
    for setting in settings:
        rule = rules.get(setting.kind)
        if rule is not None and rule.adjustable and rule.minimum <= setting.months <= rule.maximum:
            rules[setting.kind] = replace(rule, months=setting.months)
    return rules


def processing_activities() -> list[ProcessingActivity]:
    """Every processing activity declared by core and the plugins, core's first."""
    from flask import current_app

    pm = current_app.extensions["livret"].pm
    activities: list[ProcessingActivity] = []
    seen: set[str] = set()
    for answer in reversed(pm.hook.livret_processing_activities()):  # trylast default plugin answers last
        for activity in answer or ():
            if activity.key not in seen:
                seen.add(activity.key)
                activities.append(activity)
    return activities
