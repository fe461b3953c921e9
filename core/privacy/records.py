"""What the declarations say, in plain French: the record of processing activities (RGPD art. 30, ``livret privacy
register``) and each certification's privacy notice (« Informations sur vos données », art. 13 and 14).

Both read the same declarations (:func:`core.privacy.declarations.processing_activities`, each certification's
retention rules and the organisations' own periods) and the organisations the platform admin granted each
certification to (the controllers). Nothing here is written by hand per certification: a plugin that declares
an activity or a period changes both documents.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from core.auth.models import DeliveryRole, OrganisationCertification, utcnow
from core.extensions import db
from core.privacy.declarations import (CORE_RULES, DELETE, KEEP, PSEUDONYMISE, REMIND, ProcessingActivity,
                                       RetentionRule, certification_rules, processing_activities, rules_for)


# ---------------------------------------------------------------------------
# words
# ---------------------------------------------------------------------------

def period_words(months: int) -> str:
    """``12`` → « 1 an », ``18`` → « 18 mois », ``120`` → « 10 ans »."""
    if months >= 12 and months % 12 == 0:
        return ngettext("%(num)d an", "%(num)d ans", months // 12)
    return ngettext("%(num)d mois", "%(num)d mois", months)


def retention_words(rule: RetentionRule, months: int | None = None) -> str:
    """What happens to the data and when, in one French sentence without its reason (``rule.basis``)."""
    months = rule.months if months is None else months
    starts = str(rule.starts)
    if rule.action == KEEP or months is None:
        return _("Conservés sans limite de durée")
    if rule.action == REMIND:
        return _("Rappel par courriel %(period)s après %(starts)s", period=period_words(months), starts=starts)
    if months == 0:
        return _("Supprimés sans attendre après %(starts)s", starts=starts)
    if rule.action == PSEUDONYMISE:
        return _("Pseudonymisés %(period)s après %(starts)s", period=period_words(months), starts=starts)
    if rule.action == DELETE:
        return _("Supprimés %(period)s après %(starts)s", period=period_words(months), starts=starts)
    return _("%(period)s après %(starts)s", period=period_words(months), starts=starts)


def operator_name() -> str:
    return current_app.config.get("PRIVACY_OPERATOR") or _("l'exploitant de la plateforme Livret")


# ---------------------------------------------------------------------------
# view models
# ---------------------------------------------------------------------------

@dataclass
class Controller:
    name: str
    role: str  # « Certificateur », « Centre habilité »
    address: str = ""
    contact: str = ""


@dataclass
class RetentionLine:
    kind: str
    label: str
    months: int | None
    action: str
    starts: str
    text: str  # retention_words
    basis: str
    #: organisations that chose another period (``livret retention`` settings): « Simplon.co : 2 ans »
    variations: list[str] = field(default_factory=list)


@dataclass
class Activity:
    key: str
    name: str
    purposes: list[str]
    legal_basis: str
    data_subjects: list[str]
    categories: list[str]
    recipients: list[str]
    retention: list[RetentionLine]
    security: list[str]
    certification: str | None
    controllers: list[Controller] = field(default_factory=list)


def _texts(values) -> list[str]:
    return [str(v) for v in values if str(v).strip()]


def controllers_of(cert) -> list[Controller]:
    """The organisations a platform admin granted ``cert`` to (the certifier first), or the certifier the
    plugin names when none is granted yet."""
    links = db.session.scalars(select(OrganisationCertification).where(
        OrganisationCertification.certification_code == cert.code,
        OrganisationCertification.granted_at.is_not(None)))
    ordered = sorted(links, key=lambda link: (link.role is not DeliveryRole.CERTIFIER, link.organisation.name))
    found = [Controller(link.organisation.name, link.role.label, link.organisation.address or "",
                        link.organisation.contact_email or "") for link in ordered]
    return found or [Controller(cert.certifier, DeliveryRole.CERTIFIER.label)]


def _variations(cert, kind: str, months: int | None) -> list[str]:
    """The organisations delivering ``cert`` that set another period for ``kind``."""
    if months is None:
        return []
    from core.privacy.models import RetentionSetting

    rows = db.session.execute(select(RetentionSetting.organisation_id).where(
        RetentionSetting.certification_code == cert.code, RetentionSetting.kind == kind)).scalars().all()
    out = []
    for organisation_id in sorted(set(rows)):
        rule = rules_for(cert, organisation_id).get(kind)
        if rule is not None and rule.months is not None and rule.months != months:
            from core.auth.models import Organisation

            org = db.session.get(Organisation, organisation_id)
            if org is not None:
                out.append(_("%(organisation)s : %(period)s", organisation=org.name,
                             period=period_words(rule.months)))
    return out


def _retention(activity: ProcessingActivity, rules: dict[str, RetentionRule], cert=None) -> list[RetentionLine]:
    lines = []
    for kind in activity.retention:
        rule = rules.get(kind)
        if rule is None:
            continue
        lines.append(RetentionLine(kind, str(rule.label), rule.months, rule.action, str(rule.starts),
                                   retention_words(rule), str(rule.basis),
                                   _variations(cert, kind, rule.months) if cert is not None else []))
    return lines


def _activity(activity: ProcessingActivity, rules: dict[str, RetentionRule], cert=None,
              controllers: list[Controller] | None = None) -> Activity:
    return Activity(activity.key, str(activity.name), _texts(activity.purposes), str(activity.legal_basis),
                    _texts(activity.data_subjects), _texts(activity.categories), _texts(activity.recipients),
                    _retention(activity, rules, cert), _texts(activity.security), activity.certification,
                    controllers or [])


def _certifications() -> dict[str, Any]:
    return dict(current_app.extensions["livret"].certifications)


# ---------------------------------------------------------------------------
# the privacy notice of one certification
# ---------------------------------------------------------------------------

@dataclass
class Notice:
    certification: Any
    controllers: list[Controller]
    operator: str
    contact: str
    activities: list[Activity]
    rights: list[tuple[str, str]]


def rights_contact(cert) -> str:
    """Who answers the candidates' rights requests for ``cert``, in words."""
    return str(cert.privacy.contact or cert.extra.get("data_rights_contact") or cert.certifier)


def _rights() -> list[tuple[str, str]]:
    return [
        (_("Accès"), _("Obtenir une copie de toutes les données vous concernant ; depuis la page « Mon compte », vous "
                       "téléchargez vous-même une archive de tout ce que la plateforme détient sur vous.")),
        (_("Rectification"), _("Corriger une donnée inexacte : votre compte et vos brouillons se modifient en ligne ; "
                               "un dossier déposé reste tel qu'il a été scellé, avec une note de correction.")),
        (_("Effacement"), _("Fermer votre compte et effacer vos données, sauf ce qu'une obligation légale impose de "
                            "garder (décisions, procès-verbaux, certificats, pièces comptables) : la plateforme vous "
                            "dit précisément ce qui reste, pourquoi et jusqu'à quand.")),
        (_("Opposition et limitation"), _("Vous opposer à un traitement fondé sur l'intérêt légitime, ou en demander "
                                          "la limitation le temps d'une vérification.")),
        (_("Portabilité"), _("Recevoir les données que vous avez fournies dans un format lisible par une machine "
                             "(l'archive de « Mon compte » contient un fichier JSON).")),
    ]


def notice_for(cert) -> Notice:
    """The privacy notice of ``cert``: its own activities and the platform's, with its periods."""
    rules = certification_rules(cert)
    activities = []
    for activity in processing_activities():
        if activity.certification not in (None, cert.code):
            continue
        if activity.key == "fees" and cert.fee is None:
            continue
        activities.append(_activity(activity, rules, cert))
    activities.sort(key=lambda a: a.certification is None)  # the certification's own first
    return Notice(cert, controllers_of(cert), operator_name(), rights_contact(cert), activities, _rights())


# ---------------------------------------------------------------------------
# the record of processing activities (art. 30)
# ---------------------------------------------------------------------------

@dataclass
class Record:
    generated_at: datetime
    operator: str
    controllers: list[tuple[str, list[Controller]]]  # (certification « CODE – title », its controllers)
    activities: list[Activity]


def build_record(now: datetime | None = None) -> Record:
    """Every activity core and the plugins declare, each with its controllers and its periods in words."""
    certifications = _certifications()
    core_rules = {rule.kind: rule for rule in CORE_RULES}
    controllers = {code: controllers_of(cert) for code, cert in sorted(certifications.items())}
    every = [c for code in sorted(controllers) for c in controllers[code]]
    platform_wide: list[Controller] = []
    for c in every:  # each organisation once, for the activities of the whole platform
        if all(c.name != seen.name for seen in platform_wide):
            platform_wide.append(c)
    activities = []
    for activity in processing_activities():
        cert = certifications.get(activity.certification) if activity.certification else None
        if cert is not None:
            activities.append(_activity(activity, certification_rules(cert), cert, controllers[cert.code]))
        else:
            activities.append(_activity(activity, core_rules, None, platform_wide))
    listed = [(f"{code} – {certifications[code].title}", found) for code, found in controllers.items()]
    return Record(now or utcnow(), operator_name(), listed, activities)


# ---------------------------------------------------------------------------
# output: Markdown and PDF
# ---------------------------------------------------------------------------

def _md(text: str) -> str:
    """One line of Markdown: newlines folded, the characters that would start markup escaped."""
    text = " ".join(str(text).split())
    for char in ("\\", "*", "_", "`", "[", "]", "<", ">", "|"):
        text = text.replace(char, "\\" + char)
    return text


def _controller_line(c: Controller) -> str:
    parts = [f"{_md(c.name)} ({_md(c.role.lower())})"]
    if c.address:
        parts.append(_md(c.address))
    if c.contact:
        parts.append(_md(c.contact))
    return ", ".join(parts)


def record_markdown(record: Record) -> str:
    from core.templating import local_datetime

    lines = ["# " + _("Registre des activités de traitement"), "",
             _("Article 30 du règlement général sur la protection des données (RGPD). Généré par Livret le "
               "%(date)s à partir de ce que déclarent la plateforme et ses modules de certification.",
               date=local_datetime(record.generated_at)), "",
             "## " + _("Responsables du traitement et sous-traitant"), ""]
    for title, controllers in record.controllers:
        lines.append(f"- **{_md(title)}** : " + " ; ".join(_controller_line(c) for c in controllers))
    operator = _("Sous-traitant (hébergement et exploitation de la plateforme)")
    lines += [f"- **{operator}** : {_md(record.operator)}", ""]
    for n, activity in enumerate(record.activities, start=1):
        lines += [f"## {n}. {_md(activity.name)}", ""]
        if activity.controllers:
            lines.append("- **%s** : " % _("Responsables du traitement")
                         + " ; ".join(_controller_line(c) for c in activity.controllers))
        lines.append("- **%s** : %s" % (_("Base légale"), _md(activity.legal_basis)))
        for label, values in ((_("Finalités"), activity.purposes), (_("Personnes concernées"), activity.data_subjects),
                              (_("Catégories de données"), activity.categories),
                              (_("Destinataires"), activity.recipients)):
            lines.append(f"- **{label}** :")
            lines += [f"  - {_md(v)}" for v in values]
        if activity.retention:
            lines.append("- **%s** :" % _("Durées de conservation"))
            for line in activity.retention:
                extra = "".join(f" ; {_md(v)}" for v in line.variations)
                lines.append(f"  - {_md(line.label)} : {_md(line.text)}{extra}. {_md(line.basis)}")
        if activity.security:
            lines.append("- **%s** :" % _("Mesures de sécurité"))
            lines += [f"  - {_md(v)}" for v in activity.security]
        lines.append("")
    return "\n".join(lines)


def record_pdf(record: Record) -> bytes:
    """The record as a tagged, archival PDF (PDF/A-3a, PDF/UA-1), through core's document rendering."""
    from core.documents.services import render_pdf

    return render_pdf("privacy/record_document.html", {"record": record},
                      title=_("Registre des activités de traitement"), author="Livret",
                      created=record.generated_at, subject=_("Article 30 du RGPD"))
