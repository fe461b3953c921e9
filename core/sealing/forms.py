"""The re-authentication form shown before a personal signature.

Embed it in any page that signs for the current user::

    form = ReauthForm()
    if form.validate_on_submit() and confirm_identity(form, current_user):
        pdf = sign_as_person(pdf, current_user, reason=...)

and in the template ``{% from "sealing/_reauth.html" import reauth_fieldset %}
{{ reauth_fieldset(form) }}`` inside the page's ``<form>`` (which carries
the CSRF token). Wrong passwords are limited per account and per address
(:mod:`core.auth.attempts`): past the limit the error says so and the view
answers with ``attempts.status_or(422)`` (429 then).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from core.errors import ValidationFailed


class ReauthForm(LivretForm):
    password = PasswordField(
        _l("Mot de passe de votre compte"),
        validators=[DataRequired(message=_l("Saisissez votre mot de passe pour confirmer votre identité.")),
                    Length(max=1000)])


def confirm_identity(form: ReauthForm, user) -> bool:
    """Re-authenticate ``user`` with the form's password; on failure the French
    error is attached to the password field (and nothing else is lost)."""
    from core.auth.attempts import TooManyAttempts
    from core.sealing.services import reauthenticate

    try:
        reauthenticate(user, form.password.data or "")
    except (ValidationFailed, TooManyAttempts) as exc:
        form.password.errors = [*form.password.errors, str(exc)]
        return False
    return True
