"""Privacy API: the retention rules of the organisation and what goes next month (certifier admin), beside
the page « Conservation des données » (core/privacy/views_retention.py; see core/privacy/api.py).

Same service as the page (:mod:`core.privacy.retention_settings`). The organisation is always the token
owner's: who is not its certifier admin gets 404.
"""
from __future__ import annotations

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.errors import ValidationFailed
from core.extensions import db
from core.organisations.services import organisation_for_admin
from core.policy import require
from core.privacy import retention_settings as settings
from core.privacy.api import blueprint
from core.privacy.schemas_retention import (RetentionCertificationSchema, RetentionPeriodUpdateSchema,
                                            RetentionReportSchema)

declare_error_response("RetentionRuleNotFound", code="retention_kind_not_found",
                       description="L'organisme ne délivre pas cette certification "
                                   "(`certification_not_found`), ou aucune règle ne porte ce nom "
                                   "(`retention_kind_not_found`).",
                       message="Aucune règle de conservation ne porte le nom « brouillons » ; les règles sont : "
                               "draft_reminder, draft, dossier_after_decision, inadmissible, fee_records, "
                               "decision_records, audit_events, login_records, rate_limit_records.")


def _organisation():
    user = current_api_user()
    require(user, "organisation.retention")
    return organisation_for_admin(user)


def rule_payload(rule, default=None, adjustable: bool = False) -> dict:
    default = default or rule
    return {"kind": rule.kind, "label": str(rule.label), "months": rule.months, "default_months": default.months,
            "minimum": rule.minimum if adjustable else None, "maximum": rule.maximum if adjustable else None,
            "adjustable": adjustable, "action": rule.action, "action_label": settings.action_label(rule.action),
            "starts": str(rule.starts), "basis": str(rule.basis)}


def certification_payload(item: settings.CertificationRules) -> dict:
    return {"code": item.cert.code, "title": item.cert.title,
            "rules": [rule_payload(line.rule, line.default, line.adjustable) for line in item.lines]}


def upcoming_payload(upcoming: settings.Upcoming) -> dict:
    return {"start": upcoming.start, "until": upcoming.until,
            "items": [{"kind": kind, "dossier_id": due.dossier_id, "reference": due.reference,
                       "certification": due.certification_code, "due_at": due.due_at}
                      for kind, _label, items in upcoming.groups() for due in items],
            "due_now": {kind: len(items) for kind, items in upcoming.due_now.items.items() if items}}


@blueprint.get("/organisation/retention")
@token_required
def retention():
    """The retention rules of the organisation's certifications and what goes next month.
    ---
    get:
      summary: Conservation des données de l'organisme
      description: >-
        Réservé à l'administration du certificateur, comme la page « Conservation des données ». Pour chaque
        certification que l'organisme délivre : chaque règle (données, durée qui s'applique et durée prévue
        par la certification, point de départ, ce qui se passe à l'échéance, pourquoi, bornes des durées que
        l'organisme peut choisir) ; les règles communes à la plateforme ; ce que les règles feront arriver à
        échéance d'ici un mois pour les dossiers de l'organisme (dossier, date), et ce qui est déjà échu.
      tags: [organisation]
      responses:
        200:
          description: Les règles et ce qui sera supprimé le mois prochain.
          content:
            application/json:
              schema: RetentionReportSchema
        404: NotFound
    """
    org = _organisation()
    return jsonify(RetentionReportSchema().dump({
        "certifications": [certification_payload(item) for item in settings.organisation_rules(org)],
        "platform_rules": [rule_payload(rule) for rule in settings.platform_lines()],
        "upcoming": upcoming_payload(settings.upcoming(org)),
    }))


@blueprint.put("/organisation/retention/<code>/<kind>")
@token_required
def update_retention(code: str, kind: str):
    """Change one retention period of one certification for the organisation (within the rule's bounds).
    ---
    put:
      summary: Modifier une durée de conservation
      description: >-
        La durée s'applique aux dossiers de l'organisme pour cette certification, dès le passage suivant.
        Elle doit rester entre les bornes `minimum` et `maximum` de la règle ; le rappel d'un brouillon doit
        partir avant sa suppression ; les règles sans durée ou communes à la plateforme ne se modifient pas
        (422, la raison dans `details.months`). Revenir à la durée de la certification supprime le réglage.
        Chaque changement est inscrit au journal d'audit (`retention.setting_changed`).
      tags: [organisation]
      parameters:
        - name: code
          in: path
          description: Code de la certification, par exemple RNCP37827.
        - name: kind
          in: path
          description: Sorte de données, par exemple `draft` ou `dossier_after_decision`.
      requestBody:
        required: true
        content:
          application/json:
            schema: RetentionPeriodUpdateSchema
      responses:
        200:
          description: Les règles de la certification, à jour.
          content:
            application/json:
              schema: RetentionCertificationSchema
        404: RetentionRuleNotFound
        422: ValidationFailed
    """
    org = _organisation()
    cert = settings.certification_of(org, code)
    settings.check_kind(kind)
    body = load_json(RetentionPeriodUpdateSchema)
    try:
        settings.set_periods(org, cert.code, {kind: body["months"]}, actor=current_api_user())
        db.session.commit()
    except ValidationFailed as exc:  # the page ties the reason to the kind's field; here it is the body's
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        raise ValidationFailed(str(exc), details={"months": details.get(kind) or [str(exc)]}) from None
    except Exception:
        db.session.rollback()
        raise
    return jsonify(RetentionCertificationSchema().dump(certification_payload(settings.rules_of(org, cert))))
