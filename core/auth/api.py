"""Account endpoints of the API: sign-up without revealing which addresses have an account."""
from __future__ import annotations

from flask import current_app, jsonify
from marshmallow import fields, validate

from core.api.blueprint import api_blueprint
from core.api.parsing import RequestSchema, load_json
from core.api.spec import declare_error_response, declare_tag
from core.auth.services import register_candidate
from core.extensions import limiter

blueprint = api_blueprint("auth_api", __name__)

declare_tag("accounts", "Création d'un compte candidat. La réponse est la même que l'adresse soit déjà "
                        "utilisée ou non : le message arrive dans la boîte de l'adresse indiquée.",
            "Comptes")


declare_error_response("TooManyRequests", code="rate_limited", description="Trop de tentatives depuis cette adresse.",
                       message="Trop de tentatives. Veuillez patienter avant de réessayer.")


class AccountCreateSchema(RequestSchema):
    email = fields.String(required=True, validate=validate.Length(max=254),
                          metadata={"description": "Adresse électronique (identifiant de connexion)."})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024),
                             metadata={"description": "Mot de passe (PASSWORD_MIN_LENGTH caractères au moins)."})
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class AccountCreatedSchema(RequestSchema):
    status = fields.String(metadata={"description": "Toujours « pending_verification »."})
    message = fields.String()


def _signup_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blueprint.post("/accounts")
@limiter.limit(_signup_limit)
def create_account():
    """Sign up as a candidate; the answer never tells whether the address was free.
    ---
    post:
      summary: Créer un compte candidat
      description: >-
        Crée un compte candidat non vérifié et envoie un lien de vérification à l'adresse indiquée.
        Si l'adresse a déjà un compte, rien n'est créé et son titulaire reçoit un message
        l'en informant ; la réponse est identique dans les deux cas (202).
      tags: [accounts]
      requestBody:
        required: true
        content:
          application/json:
            schema: AccountCreateSchema
      responses:
        202:
          description: Demande prise en compte ; un message a été envoyé à l'adresse indiquée.
          content:
            application/json:
              schema: AccountCreatedSchema
        400: BadRequest
        422: ValidationFailed
        429: TooManyRequests
    """
    body = load_json(AccountCreateSchema)
    register_candidate(email=body["email"], password=body["password"],
                       first_name=body["first_name"], last_name=body["last_name"])
    from flask_babel import gettext as _

    return jsonify({"status": "pending_verification",
                    "message": _("Si cette adresse peut être utilisée, un lien de vérification vient d'y être "
                                 "envoyé. Consultez votre messagerie pour activer votre compte.")}), 202
