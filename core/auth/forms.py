"""Account forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from core.auth.services import password_problems
from core.errors import ValidationFailed

PASSWORD_MAX = 1000  # argon2 accepts any length; this only bounds the work per request


class EmailAddress:
    """Checks the address with :func:`core.auth.services.normalise_email` and keeps the normalised form."""

    def __call__(self, form, field) -> None:
        from core.auth.services import normalise_email

        if not field.data:
            return
        try:
            field.normalised = normalise_email(field.data)
        except ValidationFailed:
            raise ValidationError(_l("Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr."))


class PasswordPolicy:
    def __call__(self, form, field) -> None:
        if not field.data:
            return
        problems = password_problems(field.data, current_app.config["PASSWORD_MIN_LENGTH"])
        if problems:
            raise ValidationError(problems[0])


def _email_field(label=None) -> EmailField:
    return EmailField(label or _l("Adresse électronique"), validators=[
        DataRequired(message=_l("Saisissez votre adresse électronique.")),
        Length(max=254, message=_l("L'adresse électronique ne doit pas dépasser 254 caractères.")),
        EmailAddress(),
    ])


def _new_password_fields():
    password = PasswordField(_l("Mot de passe"), validators=[
        InputRequired(message=_l("Choisissez un mot de passe.")),
        Length(max=PASSWORD_MAX, message=_l("Le mot de passe est trop long.")),
        PasswordPolicy(),
    ])
    confirm = PasswordField(_l("Confirmation du mot de passe"), validators=[
        InputRequired(message=_l("Saisissez à nouveau le mot de passe.")),
        EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques.")),
    ])
    return password, confirm


class RegisterForm(LivretForm):
    first_name = StringField(_l("Prénom"), validators=[
        DataRequired(message=_l("Saisissez votre prénom.")),
        Length(max=100, message=_l("Le prénom ne doit pas dépasser 100 caractères.")),
    ])
    last_name = StringField(_l("Nom"), validators=[
        DataRequired(message=_l("Saisissez votre nom.")),
        Length(max=100, message=_l("Le nom ne doit pas dépasser 100 caractères.")),
    ])
    email = _email_field()
    password, password_confirm = _new_password_fields()
    accept_terms = BooleanField(_l("J'accepte les conditions d'utilisation de la plateforme"), validators=[
        DataRequired(message=_l("Vous devez accepter les conditions d'utilisation pour créer un compte.")),
    ])


class LoginForm(LivretForm):
    email = EmailField(_l("Adresse électronique"), validators=[
        DataRequired(message=_l("Saisissez votre adresse électronique.")),
        Length(max=254, message=_l("L'adresse électronique ne doit pas dépasser 254 caractères.")),
    ])
    password = PasswordField(_l("Mot de passe"), validators=[
        InputRequired(message=_l("Saisissez votre mot de passe.")),
        Length(max=PASSWORD_MAX, message=_l("Le mot de passe est trop long.")),
    ])
    next = HiddenField()


class EmailForm(LivretForm):
    """Resend the verification link / ask for a password reset."""

    email = _email_field()


class ResetPasswordForm(LivretForm):
    password, password_confirm = _new_password_fields()


class ChangePasswordForm(LivretForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[
        InputRequired(message=_l("Saisissez votre mot de passe actuel.")),
        Length(max=PASSWORD_MAX, message=_l("Le mot de passe est trop long.")),
    ])
    password, password_confirm = _new_password_fields()


TOKEN_VALIDITY_CHOICES = [
    SelectChoice("30", _l("30 jours")),
    SelectChoice("90", _l("90 jours")),
    SelectChoice("365", _l("1 an")),
    SelectChoice("0", _l("Sans date d'expiration")),
]


class TokenForm(LivretForm):
    name = StringField(_l("Nom du jeton"), validators=[
        DataRequired(message=_l("Donnez un nom au jeton pour le reconnaître plus tard.")),
        Length(max=100, message=_l("Le nom ne doit pas dépasser 100 caractères.")),
    ])
    validity = SelectField(_l("Durée de validité"), choices=TOKEN_VALIDITY_CHOICES, default="90",
                           validate_choice=True)


class ConfirmForm(LivretForm):
    """A form with only its CSRF token, for buttons that change something."""
