"""Account endpoints of the API (continued): password reset and change, signing out the browser sessions.

Counterparts of the pages « Mot de passe oublié », the reset link, « Changer mon mot de passe » and
« Déconnecter les autres sessions » (:data:`core.api.parity.PAGE_ACTIONS`), through the same services.
"""
from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.auth import attempts  # noqa: F401  (declares the 429 TooManyPasswordAttempts)
from core.auth import services
from core.auth.api import blueprint
from core.auth.limits import PASSWORD_RESET, shared_login_limits
from core.auth.schemas import (  # noqa: F401  (schemas named in the docstrings)
    AccountEmailSchema, AccountRequestAcceptedSchema, PasswordChangedSchema, PasswordChangeSchema,
    PasswordResetSchema, SessionsRevokedSchema)
from core.auth.sessions import revoke_user_sessions
from core.errors import UserError
from core.extensions import db

declare_error_response("InvalidResetToken", code="invalid_reset_token",
                       description="Le jeton de réinitialisation a expiré (`RESET_TOKEN_MINUTES`), a déjà servi "
                                   "(le mot de passe a changé depuis) ou a été mal copié.",
                       message="Ce lien de réinitialisation n'est plus valable. Il a expiré, a déjà servi ou a "
                               "été mal copié.")
declare_error_response("PasswordChangeRefused", code="validation_failed",
                       description="Le mot de passe actuel est incorrect (la tentative est comptée, voir 429), ou "
                                   "le nouveau ne respecte pas les règles ou est identique à l'actuel ; `details` "
                                   "nomme le champ (`current_password`, `new_password`).",
                       message="Le mot de passe actuel est incorrect.")


@blueprint.post("/accounts/password-reset")
@shared_login_limits(PASSWORD_RESET)  # counters shared with the page /mot-de-passe/oublie
def forgot_password():
    """Ask for a password-reset link; the answer never tells whether the address has an account.
    ---
    post:
      summary: Mot de passe oublié
      description: >-
        Envoie un lien de réinitialisation (valable `RESET_TOKEN_MINUTES` minutes, une seule fois) si
        l'adresse est celle d'un compte actif ; sinon rien n'est envoyé. La réponse est la même dans tous
        les cas (202). Le lien se termine par `/mot-de-passe/reinitialiser/<jeton>` : envoyez ce jeton à
        `POST /api/v1/accounts/password-reset/confirm`. Limites : `LOGIN_RATE_LIMIT` par adresse IP et
        `LOGIN_EMAIL_RATE_LIMIT` par adresse électronique, partagées avec la page « Mot de passe oublié ».
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
    email = services.normalise_email(body["email"])
    services.request_password_reset(email)
    return jsonify(AccountRequestAcceptedSchema().dump({
        "status": "accepted",
        "message": _("Si un compte existe pour l'adresse %(email)s, un courriel contenant un lien de "
                     "réinitialisation vient de lui être envoyé. Le lien est valable %(n)d minutes et ne sert "
                     "qu'une fois.", email=email, n=current_app.config["RESET_TOKEN_MINUTES"])})), 202


@blueprint.post("/accounts/password-reset/confirm")
def reset_password():
    """Choose a new password with the token of the e-mailed reset link.
    ---
    post:
      summary: Choisir un nouveau mot de passe (lien reçu par courriel)
      description: >-
        Remplace le mot de passe du compte auquel le lien de réinitialisation a été envoyé, avec les
        mêmes règles qu'à l'inscription. Comme sur la page du lien : l'adresse est considérée comme
        confirmée, toutes les sessions de navigateur du compte sont déconnectées et un courriel prévient
        le titulaire ; les jetons d'accès restent valables (révoquez-les avec `DELETE /api/v1/tokens/{id}`).
        Le lien ne sert qu'une fois.
      tags: [accounts]
      requestBody:
        required: true
        content:
          application/json:
            schema: PasswordResetSchema
      responses:
        200:
          description: Le mot de passe est modifié.
          content:
            application/json:
              schema: PasswordChangedSchema
        400: InvalidResetToken
        422: ValidationFailed
    """
    body = load_json(PasswordResetSchema)
    user = services.user_from_reset_token(body["token"])
    if user is None:
        raise UserError(" ".join((_("Ce lien de réinitialisation n'est plus valable") + ".",
                                  _("Il a expiré, a déjà servi ou a été mal copié."))), code="invalid_reset_token")
    revoked = services.reset_password(user, body["password"])
    return jsonify(PasswordChangedSchema().dump({
        "status": "password_changed", "sessions_revoked": revoked,
        "message": _("Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe.")}))


@blueprint.put("/me/password")
@token_required
def change_password():
    """Change the token's account password (the current one is asked again, wrong ones are limited).
    ---
    put:
      summary: Changer mon mot de passe
      description: >-
        Remplace le mot de passe du compte du jeton. Le mot de passe actuel est vérifié : un mot de passe
        erroné est compté (réglage `REAUTH_RATE_LIMIT`, par compte et par adresse IP, compteurs communs à
        toutes les actions qui redemandent le mot de passe) ; au-delà, 429 sans vérifier le mot de passe.
        Comme sur la page du compte : toutes les sessions de navigateur sont déconnectées, un courriel
        prévient le titulaire et le changement est inscrit au journal d'audit. Les jetons d'accès, dont
        celui de la requête, restent valables.
      tags: [me]
      requestBody:
        required: true
        content:
          application/json:
            schema: PasswordChangeSchema
      responses:
        200:
          description: Le mot de passe est modifié.
          content:
            application/json:
              schema: PasswordChangedSchema
        422: PasswordChangeRefused
        429: TooManyPasswordAttempts
    """
    body = load_json(PasswordChangeSchema)
    revoked = services.change_password(current_api_user(), body["current_password"], body["new_password"])
    message = _("Votre mot de passe a été modifié.")
    if revoked:
        message += " " + _("Vos autres sessions ont été déconnectées.")
    return jsonify(PasswordChangedSchema().dump({"status": "password_changed", "sessions_revoked": revoked,
                                                 "message": message}))


@blueprint.delete("/me/sessions")
@token_required
def revoke_sessions():
    """Sign out every browser session of the token's account (tokens are not touched).
    ---
    delete:
      summary: Déconnecter mes sessions de navigateur
      description: >-
        Déconnecte toutes les sessions de navigateur ouvertes sur le compte du jeton, comme le bouton
        « Déconnecter les autres sessions » de la page du compte. Les jetons d'accès ne sont pas
        concernés : listez-les avec `GET /api/v1/tokens` et révoquez-les un par un
        (`DELETE /api/v1/tokens/{token_id}`, `DELETE /api/v1/tokens/current`).
      tags: [me]
      responses:
        200:
          description: Les sessions sont déconnectées.
          content:
            application/json:
              schema: SessionsRevokedSchema
    """
    count = revoke_user_sessions(current_api_user())
    db.session.commit()
    return jsonify(SessionsRevokedSchema().dump({"sessions_revoked": count,
                                                 "message": _("Autres sessions déconnectées : %(n)d.", n=count)}))
