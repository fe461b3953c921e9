"""Request and response bodies of the account endpoints of the API (sign-up to sign-out)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema
from core.auth.forms import PASSWORD_MAX

EMAIL_MAX = 254
# An e-mailed token is a few hundred characters; anything much longer is not one.
LINK_TOKEN_MAX = 1000


def _email(description: str = "Adresse électronique du compte.") -> fields.String:
    return fields.String(required=True, validate=validate.Length(
        max=EMAIL_MAX, error=_l("L'adresse est limitée à 254 caractères.")), metadata={"description": description})


def _password(description: str) -> fields.String:
    return fields.String(required=True, load_only=True, validate=validate.Length(
        max=PASSWORD_MAX, error=_l("Le mot de passe est trop long.")), metadata={"description": description})


def _link_token(description: str) -> fields.String:
    return fields.String(required=True, validate=validate.Length(
        max=LINK_TOKEN_MAX, error=_l("Ce jeton est trop long : copiez-le tel qu'il figure dans le lien reçu.")),
        metadata={"description": description})


class AccountCreateSchema(RequestSchema):
    email = fields.String(required=True, validate=validate.Length(max=EMAIL_MAX),
                          metadata={"description": "Adresse électronique (identifiant de connexion)."})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024),
                             metadata={"description": "Mot de passe (PASSWORD_MIN_LENGTH caractères au moins)."})
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class AccountCreatedSchema(RequestSchema):
    status = fields.String(metadata={"description": "Toujours « pending_verification »."})
    message = fields.String()


class EmailVerificationSchema(RequestSchema):
    token = _link_token("Le jeton du lien de vérification reçu par courriel : la partie de l'adresse "
                        "`…/verification/<jeton>` qui suit `/verification/`.")


class EmailVerifiedSchema(ResponseSchema):
    status = fields.String(required=True, metadata={"description": "Toujours « verified »."})
    already_verified = fields.Boolean(required=True, metadata={
        "description": "true si l'adresse était déjà confirmée avant cette demande."})
    message = fields.String(required=True)


class AccountEmailSchema(RequestSchema):
    email = _email()


class AccountRequestAcceptedSchema(ResponseSchema):
    status = fields.String(required=True, metadata={"description": "Toujours « accepted »."})
    message = fields.String(required=True, metadata={
        "description": "Le même message, que l'adresse ait un compte ou non."})


class PasswordResetSchema(RequestSchema):
    token = _link_token("Le jeton du lien de réinitialisation reçu par courriel : la partie de l'adresse "
                        "`…/mot-de-passe/reinitialiser/<jeton>` qui suit `/reinitialiser/`.")
    password = _password("Le nouveau mot de passe (PASSWORD_MIN_LENGTH caractères au moins, sans espace au "
                         "début ni à la fin).")


class PasswordChangeSchema(RequestSchema):
    current_password = _password("Le mot de passe actuel.")
    new_password = _password("Le nouveau mot de passe (PASSWORD_MIN_LENGTH caractères au moins, sans espace au "
                             "début ni à la fin, différent de l'actuel).")


class PasswordChangedSchema(ResponseSchema):
    status = fields.String(required=True, metadata={"description": "Toujours « password_changed »."})
    sessions_revoked = fields.Integer(required=True, metadata={
        "description": "Nombre de sessions de navigateur déconnectées."})
    message = fields.String(required=True)


class SessionsRevokedSchema(ResponseSchema):
    sessions_revoked = fields.Integer(required=True, metadata={
        "description": "Nombre de sessions de navigateur déconnectées."})
    message = fields.String(required=True)
