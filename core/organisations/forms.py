"""Organisation settings forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from forms.fields import SiretField

_required = DataRequired(message=_l("Ce champ est obligatoire."))
_email = Email(message=_l("Saisissez une adresse électronique valide."))


class DetailsForm(FlaskForm):
    name = StringField(_l("Nom de l'organisme"), [_required, Length(max=200)])
    contact_email = EmailField(_l("Adresse électronique de contact"), [Optional(), _email, Length(max=254)])
    address = TextAreaField(_l("Adresse postale"), [Optional(), Length(max=500)])
    siret = SiretField(_l("Numéro de SIRET"), [Optional()])


class InviteForm(FlaskForm):
    first_name = StringField(_l("Prénom"), [_required, Length(max=100)])
    last_name = StringField(_l("Nom"), [_required, Length(max=100)])
    email = EmailField(_l("Adresse électronique"), [_required, _email, Length(max=254)])


class EmptyForm(FlaskForm):
    """Only the CSRF token (checkbox lists and one-button actions)."""
