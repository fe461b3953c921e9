"""Privacy pages: the certifier admin's retention report « Conservation des données » and its settings
(see core/privacy/blueprint.py; the API beside it is core/privacy/api_retention.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.validators import InputRequired

from core.csrf import LivretForm
from core.errors import UserError
from core.extensions import db
from core.organisations.services import organisation_for_admin
from core.policy import require
from core.privacy import retention_settings as settings
from core.privacy.blueprint import blueprint
from forms.fields import FrenchIntegerField

PAGE = "/certificateur/organisation/conservation"


def organisation():
    """The organisation whose retention the signed-in certifier admin manages (404 for anyone else)."""
    require(current_user, "organisation.retention")
    return organisation_for_admin(current_user)


def field_name(code: str, kind: str) -> str:
    """The input of ``kind`` in the form of ``code`` (unique on the page, whatever the certification)."""
    return f"{code}-{kind}"


def periods_form(rules: settings.CertificationRules, posted: bool = False) -> LivretForm:
    """The form of one certification's adjustable periods: one whole number of months per kind."""
    code = rules.cert.code

    class PeriodsForm(LivretForm):
        pass

    for line in rules.adjustable:
        rule = line.rule
        setattr(PeriodsForm, line.kind, FrenchIntegerField(
            str(rule.label), [InputRequired(message=_("Indiquez une durée en mois."))],
            name=field_name(code, line.kind), id=f"duree-{code}-{line.kind}", default=rule.months,
            render_kw={"inputmode": "numeric", "min": rule.minimum, "max": rule.maximum, "size": 4}))
    return PeriodsForm() if posted else PeriodsForm(formdata=None)


def _page(org, status: int = 200, posted_code: str | None = None, posted_form=None):
    certifications = settings.organisation_rules(org)
    forms = {item.cert.code: posted_form if item.cert.code == posted_code and posted_form is not None
             else periods_form(item) for item in certifications}
    return render_template(
        "privacy/retention.html", organisation=org, certifications=certifications, forms=forms,
        platform_rules=settings.platform_lines(), upcoming=settings.upcoming(org),
        action_label=settings.action_label), status


@blueprint.get(PAGE)
@login_required
def retention():
    """« Conservation des données »: the rules of each certification, the periods form, next month's list."""
    return _page(organisation())


@blueprint.post(PAGE + "/<code>")
@login_required
def update_retention(code: str):
    org = organisation()
    cert = settings.certification_of(org, code)
    rules = settings.rules_of(org, cert)
    form = periods_form(rules, posted=True)
    if not form.validate_on_submit():
        return _page(org, 422, cert.code, form)
    months = {line.kind: form[line.kind].data for line in rules.adjustable}
    try:
        changed = settings.set_periods(org, cert.code, months, actor=current_user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        placed = False
        for kind, messages in details.items():
            if kind in form._fields:
                form[kind].errors = list(form[kind].errors or []) + list(messages)
                placed = True
        if not placed:
            form.form_errors.append(str(exc))
        return _page(organisation(), exc.status, cert.code, form)
    if changed:
        flash(ngettext("%(code)s : %(num)d durée de conservation modifiée.",
                       "%(code)s : %(num)d durées de conservation modifiées.", len(changed), code=cert.code),
              "success")
    else:
        flash(_("Aucune modification à enregistrer."), "success")
    return redirect(url_for("privacy.retention", _anchor=f"regles-{cert.code}"))
