"""Account endpoints of the API, from sign-up to sign-out, without revealing which addresses have an account.

Each endpoint is the counterpart of an account page (:data:`core.api.parity.PAGE_ACTIONS`) and calls the
same service (:mod:`core.auth.services`) under the same rate limits (:mod:`core.auth.limits`). This module:
sign-up, e-mail verification and a new verification link; :mod:`core.auth.api_password`: password reset and
change, signing out the browser sessions. Tokens (signing in with a password) are in :mod:`core.api.views`.
"""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_tag
from core.auth import services
from core.auth.limits import RESEND_VERIFICATION, login_limit, shared_login_limits
from core.auth.schemas import (  # noqa: F401  (schemas named in the docstrings)
    AccountCreatedSchema, AccountCreateSchema, AccountEmailSchema, AccountRequestAcceptedSchema,
    EmailVerificationSchema, EmailVerifiedSchema)
from core.errors import UserError
from core.extensions import limiter

blueprint = api_blueprint("auth_api", __name__)

declare_tag("accounts", "Le compte sans jeton d'accès : création d'un compte candidat, confirmation de "
                        "l'adresse, mot de passe oublié. Les réponses ne disent jamais si une adresse a un "
                        "compte : les messages arrivent dans la boîte de l'adresse indiquée. Ensuite, "
                        "`POST /api/v1/tokens` donne un jeton avec l'adresse et le mot de passe.",
            "Comptes")


declare_error_response("TooManyRequests", code="rate_limited", description="Trop de tentatives depuis cette adresse.",
                       message="Trop de tentatives. Veuillez patienter avant de réessayer.")
declare_error_response("InvalidVerificationToken", code="invalid_verification_token",
                       description="Le jeton de vérification a expiré, a été mal copié ou a été remplacé par "
                                   "un lien plus récent.",
                       message="Ce lien de confirmation n'est plus valable. Il a expiré, a été mal copié ou a "
                               "déjà été remplacé par un lien plus récent. Demandez un nouveau lien : il sera "
                               "envoyé à votre adresse si un compte en attente de confirmation existe.")


@blueprint.post("/accounts")
@limiter.limit(login_limit)
def create_account():
    """Sign up as a candidate; the answer never tells whether the address was free.
    ---
    post:
      summary: Créer un compte candidat
      description: >-
        Crée un compte candidat non vérifié et envoie un lien de vérification à l'adresse indiquée.
        Si l'adresse a déjà un compte, rien n'est créé et son titulaire reçoit un message
        l'en informant ; la réponse est identique dans les deux cas (202).
        Étape suivante : `POST /api/v1/accounts/verification` avec le jeton du lien reçu.
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
    services.register_candidate(email=body["email"], password=body["password"],
                                first_name=body["first_name"], last_name=body["last_name"])
    return jsonify({"status": "pending_verification",
                    "message": _("Si cette adresse peut être utilisée, un lien de vérification vient d'y être "
                                 "envoyé. Consultez votre messagerie pour activer votre compte.")}), 202


@blueprint.post("/accounts/verification")
def verify_email():
    """Confirm the account's address with the token of the e-mailed link (like following the link).
    ---
    post:
      summary: Confirmer l'adresse électronique
      description: >-
        Confirme l'adresse du compte avec le jeton du lien reçu par courriel après l'inscription
        (l'adresse du lien se termine par `/verification/<jeton>`), comme le fait l'ouverture du lien.
        Confirmer une adresse déjà confirmée ne change rien (`already_verified: true`).
        Un jeton expiré (`EMAIL_TOKEN_HOURS`), mal copié ou remplacé par un lien plus récent répond 400 :
        demandez un nouveau lien avec `POST /api/v1/accounts/verification/resend`.
      tags: [accounts]
      requestBody:
        required: true
        content:
          application/json:
            schema: EmailVerificationSchema
      responses:
        200:
          description: L'adresse est confirmée ; le compte peut obtenir un jeton (`POST /api/v1/tokens`).
          content:
            application/json:
              schema: EmailVerifiedSchema
        400: InvalidVerificationToken
    """
    body = load_json(EmailVerificationSchema)
    user, newly_confirmed = services.confirm_email(body["token"])
    if user is None:
        raise UserError(" ".join((
            _("Ce lien de confirmation n'est plus valable") + ".",
            _("Il a expiré, a été mal copié ou a déjà été remplacé par un lien plus récent. Demandez un nouveau "
              "lien : il sera envoyé à votre adresse si un compte en attente de confirmation existe."))),
            code="invalid_verification_token")
    message = (_("Votre adresse électronique est confirmée. Vous pouvez maintenant vous connecter.")
               if newly_confirmed else _("Votre adresse électronique était déjà confirmée."))
    return jsonify(EmailVerifiedSchema().dump({"status": "verified", "already_verified": not newly_confirmed,
                                               "message": message}))


@blueprint.post("/accounts/verification/resend")
@shared_login_limits(RESEND_VERIFICATION)  # counters shared with the page /verification/renvoyer
def resend_verification():
    """Send a new verification link; the answer never tells whether the address has an account.
    ---
    post:
      summary: Recevoir un nouveau lien de vérification
      description: >-
        Envoie un nouveau lien de vérification si l'adresse est celle d'un compte actif en attente de
        confirmation ; sinon rien n'est envoyé. La réponse est la même dans tous les cas (202).
        Limites : `LOGIN_RATE_LIMIT` par adresse IP et `LOGIN_EMAIL_RATE_LIMIT` par adresse
        électronique, partagées avec la page « Renvoyer le lien ».
      tags: [accounts]
      requestBody:
        required: true
        content:
          application/json:
            schema: AccountEmailSchema
      responses:
        202:
          description: Demande prise en compte.
          content:
            application/json:
              schema: AccountRequestAcceptedSchema
        429: TooManyRequests
    """
    body = load_json(AccountEmailSchema)
    services.resend_verification(services.normalise_email(body["email"]))
    return jsonify(AccountRequestAcceptedSchema().dump({
        "status": "accepted",
        "message": _("Si un compte en attente de confirmation existe pour cette adresse, "
                     "un nouveau lien vient de lui être envoyé.")})), 202


from core.auth import api_password  # noqa: E402,F401  (registers the password and session endpoints)
