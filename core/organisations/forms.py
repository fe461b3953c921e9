"""Organisation settings forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from flask_wtf.file import FileField
from wtforms import EmailField, PasswordField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional

from forms.fields import SiretField

_required = DataRequired(message=_l("Ce champ est obligatoire."))
_email = Email(message=_l("Saisissez une adresse électronique valide."))


class DetailsForm(LivretForm):
    name = StringField(_l("Nom de l'organisme"), [_required, Length(max=200)])
    contact_email = EmailField(_l("Adresse électronique de contact"), [Optional(), _email, Length(max=254)])
    address = TextAreaField(_l("Adresse postale"), [Optional(), Length(max=500)])
    siret = SiretField(_l("Numéro de SIRET"), [Optional()])


class InviteForm(LivretForm):
    first_name = StringField(_l("Prénom"), [_required, Length(max=100)])
    last_name = StringField(_l("Nom"), [_required, Length(max=100)])
    email = EmailField(_l("Adresse électronique"), [_required, _email, Length(max=254)])


class EmptyForm(LivretForm):
    """Only the CSRF token (checkbox lists and one-button actions)."""


class SealForm(LivretForm):
    """Upload of the organisation's seal certificate (checked by core.organisations.seal_checks)."""

    pkcs12 = FileField(_l("Fichier PKCS#12 du certificat de cachet (.p12 ou .pfx)"),
                       render_kw={"accept": ".p12,.pfx,application/x-pkcs12"})
    password = PasswordField(_l("Mot de passe du fichier"), [Length(max=500)])


class TsaForm(LivretForm):
    tsa_url = URLField(_l("Adresse du service d'horodatage (TSA RFC 3161)"), [Optional(), Length(max=500)])
