"""``livret plugin check``, privacy part: the retention rules and processing activities a certification's plugin
declares (:mod:`core.privacy.declarations`) are ones the retention run and the records can use.

Errors: a rule of a kind the retention run does not know (it would never apply), an unknown action, a period
outside the rule's own bounds or missing where data is deleted, an activity naming an unknown kind of data;
warnings: French texts left empty (the privacy notice and the record would show a blank).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from core.certifications.check import Finding, _Collector, _describe
from core.privacy.declarations import DELETE, KEEP, KINDS, PSEUDONYMISE, REMIND, ProcessingActivity, RetentionRule

PRIVACY = "privacy"
ACTIONS = (DELETE, PSEUDONYMISE, KEEP, REMIND)


def _blank(value: Any) -> bool:
    if isinstance(value, (tuple, list)):
        return not value or any(_blank(v) for v in value)
    return not str(value or "").strip()


def _check_rule(out: _Collector, rule: Any) -> None:
    if not isinstance(rule, RetentionRule):
        out.error("livret_retention_rules", _("Le hook livret_retention_rules renvoie %(type)s au lieu d'une "
                                              "règle (RetentionRule).", type=type(rule).__name__))
        return
    where = f"retention {rule.kind}"
    if rule.kind not in KINDS:
        out.error(where, _("Type de données inconnu « %(kind)s » : la conservation ne l'appliquerait jamais. Types "
                           "connus : %(kinds)s.", kind=rule.kind, kinds=", ".join(KINDS)))
    if rule.action not in ACTIONS:
        out.error(where, _("Action inconnue « %(action)s » : %(actions)s attendue.", action=rule.action,
                           actions=", ".join(ACTIONS)))
    elif rule.action == KEEP and rule.months is not None:
        out.error(where, _("Une donnée conservée sans limite (keep) n'a pas de durée : months doit valoir None."))
    elif rule.action != KEEP and (rule.months is None or rule.months < 0):
        out.error(where, _("La durée (months) doit être un nombre de mois positif ou nul."))
    elif rule.minimum is not None and rule.maximum is not None and not rule.minimum <= rule.months <= rule.maximum:
        out.error(where, _("La durée de %(months)d mois sort des bornes de la règle (%(min)d à %(max)d).",
                           months=rule.months, min=rule.minimum, max=rule.maximum))
    for name in ("label", "starts", "basis"):
        if _blank(getattr(rule, name)):
            out.warning(where, _("Le texte « %(field)s » est vide : la notice et le registre l'affichent.",
                                 field=name))


def _check_activity(out: _Collector, activity: Any) -> None:
    if not isinstance(activity, ProcessingActivity):
        out.error("livret_processing_activities", _("Le hook livret_processing_activities renvoie %(type)s au lieu "
                                                    "d'un traitement (ProcessingActivity).",
                                                    type=type(activity).__name__))
        return
    where = f"activity {activity.key}"
    for kind in activity.retention:
        if kind not in KINDS:
            out.error(where, _("Le traitement nomme un type de données inconnu « %(kind)s » dans sa conservation.",
                               kind=kind))
    for name in ("name", "purposes", "legal_basis", "data_subjects", "categories", "recipients"):
        if _blank(getattr(activity, name)):
            out.warning(where, _("Le champ « %(field)s » est vide : le registre des traitements (article 30) "
                                 "l'exige.", field=name))


def check_privacy(cert, pm) -> list[Finding]:
    """The retention rules of ``cert`` (its plugin's answer and core's) and the activities declared for it."""
    from core.plugins import certification_hook

    out = _Collector(cert.code, PRIVACY)
    try:
        answers = certification_hook(cert, "livret_retention_rules", pm)(certification=cert)
    except Exception as exc:  # noqa: BLE001 - any failure of the plugin's code is a finding
        out.error("livret_retention_rules", _("Le hook livret_retention_rules a levé une exception : %(error)s",
                                              error=_describe(exc)))
        answers = []
    for answer in answers:
        for rule in answer or ():
            _check_rule(out, rule)
    try:
        declared = pm.hook.livret_processing_activities()
    except Exception as exc:  # noqa: BLE001
        out.error("livret_processing_activities", _("Le hook livret_processing_activities a levé une exception : "
                                                    "%(error)s", error=_describe(exc)))
        declared = []
    for answer in declared:
        for activity in answer or ():
            if getattr(activity, "certification", None) == cert.code or not isinstance(activity, ProcessingActivity):
                _check_activity(out, activity)
    return out.findings
