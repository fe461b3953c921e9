"""API views: the OpenAPI document and its docs page, certifications, the token's account and tokens.

Each view documents itself in its docstring (see :mod:`core.api.spec`);
summaries and descriptions are French because API users read them.
"""
from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.api.auth import current_api_token, current_api_user, token_optional, token_required
from core.api.blueprint import blueprint
from core.api.docs import docs_model, rich_text
from core.api.models import ApiToken
from core.api.parsing import load_json
from core.api.schemas import (CertificationListSchema, CertificationSchema, MeSchema, MeUpdateSchema,  # noqa: F401
                              TokenCreatedSchema, TokenCreateSchema, TokenListSchema)
from core.api.services import issue_token
from core.api.spec import declare_error_response, declare_tag, get_spec
from core.auth import services as auth_services
from core.auth.limits import SIGN_IN, shared_login_limits
from core.auth.models import utcnow
from core.certifications.services import all_certifications, get_certification
from core.errors import NotFound, ValidationFailed
from core.extensions import db

declare_tag("certifications", "Les certifications proposées par les extensions installées : référentiel de "
                              "compétences, épreuves, règles de décision, frais et délais.", "Certifications")
declare_tag("me", "Le compte auquel appartient le jeton.", "Mon compte")
declare_tag("tokens", "Les jetons d'accès du compte : création avec l'adresse et le mot de passe, liste et "
                      "révocation.", "Jetons d'accès")
declare_error_response("InvalidCredentials", code="invalid_credentials",
                       description="Adresse électronique ou mot de passe incorrect, ou compte désactivé (la même "
                                   "réponse dans tous les cas). La tentative est comptée dans les limites de la "
                                   "connexion.",
                       message="Adresse électronique ou mot de passe incorrect.")
declare_error_response("EmailNotVerified", code="email_not_verified",
                       description="Le mot de passe est juste mais l'adresse n'est pas encore confirmée : "
                                   "`POST /api/v1/accounts/verification` avec le jeton du lien reçu, ou un nouveau "
                                   "lien avec `POST /api/v1/accounts/verification/resend`.",
                       message="Votre adresse électronique n'est pas encore confirmée. Ouvrez le lien reçu par "
                               "courriel lors de votre inscription, ou demandez un nouveau lien.")
declare_error_response("CertificationNotFound", code="certification_not_found",
                       description="Aucune certification ne porte ce code.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("TokenNotFound", code="token_not_found",
                       description="Ce compte n'a pas de jeton portant cet identifiant.",
                       message="Ce jeton n'existe pas.")


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI document, generated from the views under /api/v1.
    ---
    get:
      summary: Document OpenAPI
      description: Le document OpenAPI 3 de l'API, généré à partir des vues et de leurs schémas.
      tags: [documentation]
      responses:
        200:
          description: Le document OpenAPI (JSON).
          content:
            application/json:
              schema:
                type: object
    """
    return jsonify(get_spec(current_app))


@blueprint.get("/docs")
def docs():
    """The human-readable documentation page, rendered from the OpenAPI document.
    ---
    get:
      summary: Documentation de l'API
      description: Cette page, lisible et accessible, générée à partir du document OpenAPI.
      tags: [documentation]
      responses:
        200:
          description: La documentation (HTML).
          content:
            text/html:
              schema:
                type: string
    """
    spec = get_spec(current_app)
    return render_template("api/docs.html", doc=docs_model(spec), rich_text=rich_text)


@blueprint.get("/certifications")
@token_optional
def certifications():
    """List the certifications declared by the installed plugins.
    ---
    get:
      summary: Liste des certifications
      description: >-
        Les certifications déclarées par les extensions installées, triées par code,
        avec leur nombre de compétences et leurs frais. Aucun jeton n'est nécessaire.
      tags: [certifications]
      responses:
        200:
          description: Les certifications.
          content:
            application/json:
              schema: CertificationListSchema
    """
    return jsonify(CertificationListSchema().dump({"items": all_certifications()}))


@blueprint.get("/certifications/<code>")
@token_optional
def certification(code: str):
    """One certification's descriptor in full.
    ---
    get:
      summary: Détail d'une certification
      description: >-
        Le référentiel (blocs, compétences, critères d'évaluation), les épreuves et le
        déroulé, les règles de décision (décisions possibles, seuils, moyenne,
        repassages), les règles de jury, les frais, les délais et les avertissements.
        Aucun jeton n'est nécessaire.
      tags: [certifications]
      parameters:
        - name: code
          in: path
          description: Code de la certification, par exemple RNCP37827 (sans distinction de casse).
      responses:
        200:
          description: La certification.
          content:
            application/json:
              schema: CertificationSchema
        404: CertificationNotFound
    """
    return jsonify(CertificationSchema().dump(get_certification(code)))


@blueprint.get("/me")
@token_required
def me():
    """The account of the token.
    ---
    get:
      summary: Mon compte
      description: Le compte auquel appartient le jeton utilisé.
      tags: [me]
      responses:
        200:
          description: Le compte.
          content:
            application/json:
              schema: MeSchema
    """
    return jsonify(MeSchema().dump(current_api_user()))


@blueprint.patch("/me")
@token_required
def update_me():
    """Change the account's names (rectification) and language (like the language menu of the pages).
    ---
    patch:
      summary: Modifier mon compte (nom, prénom, langue)
      description: >-
        Corrige le prénom et le nom du compte (droit de rectification : les documents déjà scellés gardent
        le nom avec lequel ils ont été signés ; pour eux, `POST /api/v1/me/requests`) et enregistre la
        langue du compte (`fr` ou `en`), comme le menu de langue des pages pour un compte connecté. Les
        pages l'utilisent dans tout navigateur où aucune langue n'a été choisie ; l'API répond dans la langue
        de l'en-tête `Accept-Language` quand la requête en envoie un, sinon dans celle du compte, sinon en
        français. Un champ absent n'est pas modifié ; un changement est inscrit au journal d'audit (les noms
        des champs, jamais leurs valeurs).
      tags: [me]
      requestBody:
        required: true
        content:
          application/json:
            schema: MeUpdateSchema
      responses:
        200:
          description: Le compte, modifié.
          content:
            application/json:
              schema: MeSchema
    """
    from core.privacy.self_service import update_profile

    body = load_json(MeUpdateSchema)
    user = current_api_user()
    if update_profile(user, first_name=body.get("first_name"), last_name=body.get("last_name"),
                      language=body.get("language")):
        db.session.commit()
    return jsonify(MeSchema().dump(user))


@blueprint.post("/tokens")
@shared_login_limits(SIGN_IN)  # the sign-in page's limits, with the same counters
def create_token():
    """Sign in with the account's password and get a new token (shown once).
    ---
    post:
      summary: Obtenir un jeton d'accès (connexion)
      description: >-
        Le pendant API de la connexion et de la création d'un jeton sur la page du compte : l'adresse
        et le mot de passe sont vérifiés comme sur la page de connexion, puis un jeton est créé pour
        le compte. Le jeton (`token`) n'est renvoyé qu'une fois : seule son empreinte est conservée.
        Aucun jeton n'est nécessaire pour cet appel. Une adresse inconnue, un mot de passe erroné et
        un compte désactivé reçoivent la même réponse (401) ; une adresse pas encore confirmée reçoit
        403. Limites, partagées avec la page de connexion : `LOGIN_RATE_LIMIT` par adresse IP et
        `LOGIN_EMAIL_RATE_LIMIT` par adresse électronique ; au-delà, 429 (en-tête `Retry-After`).
      tags: [tokens]
      requestBody:
        required: true
        content:
          application/json:
            schema: TokenCreateSchema
      responses:
        201:
          description: Le jeton est créé ; `token` est à conserver, il ne sera plus affiché.
          content:
            application/json:
              schema: TokenCreatedSchema
        401: InvalidCredentials
        403: EmailNotVerified
    """
    body = load_json(TokenCreateSchema)
    name = body["name"].strip()
    if not name:
        message = _("Donnez un nom au jeton pour le reconnaître plus tard.")
        raise ValidationFailed(message, details={"name": [message]})
    user = auth_services.sign_in(body["email"], body["password"])
    secret, token = issue_token(user, name=name, days=body["days"] or None)
    db.session.commit()
    return jsonify({**TokenCreatedSchema().dump(token), "token": secret}), 201  # the secret, this once only


@blueprint.get("/tokens")
@token_required
def tokens():
    """The tokens of the token's account, newest first (secrets are never shown again).
    ---
    get:
      summary: Mes jetons d'accès
      description: >-
        Les jetons du compte, du plus récent au plus ancien, révoqués et expirés compris.
        Le jeton lui-même n'est jamais réaffiché : seuls ses premiers caractères
        (`hint`) permettent de le reconnaître.
      tags: [tokens]
      responses:
        200:
          description: Les jetons.
          content:
            application/json:
              schema: TokenListSchema
    """
    user = current_api_user()
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return jsonify(TokenListSchema().dump({"items": rows}))


@blueprint.delete("/tokens/<int:token_id>")
@token_required
def revoke_token(token_id: int):
    """Revoke one of the account's tokens (idempotent).
    ---
    delete:
      summary: Révoquer un de mes jetons
      description: >-
        Révoque le jeton désigné, qui doit appartenir au même compte que le jeton utilisé.
        Révoquer un jeton déjà révoqué ne change rien.
      tags: [tokens]
      parameters:
        - name: token_id
          in: path
          description: Identifiant du jeton (champ `id` de la liste des jetons).
      responses:
        204:
          description: Le jeton est révoqué.
        404: TokenNotFound
    """
    user = current_api_user()
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:  # another account's token is reported as absent, never as forbidden
        raise NotFound(_("Ce jeton n'existe pas."), code="token_not_found")
    _revoke(token)
    return "", 204


@blueprint.delete("/tokens/current")
@token_required
def revoke_current_token():
    """Revoke the token that authenticates this request (sign-out for API clients).
    ---
    delete:
      summary: Révoquer le jeton utilisé
      description: Révoque le jeton envoyé avec cette requête ; il est refusé dès la requête suivante.
      tags: [tokens]
      responses:
        204:
          description: Le jeton est révoqué.
    """
    _revoke(current_api_token())
    return "", 204


def _revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
