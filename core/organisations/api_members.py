"""API of the organisation's team (certifier admin): list, invite, deactivate.

Same services as the settings page (:mod:`core.organisations.views`): an invitation creates a certifier
staff account and e-mails a link to choose its password; a deactivation revokes the account's sessions.
A user of another organisation is a 404, as on the page.
"""
from __future__ import annotations

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.extensions import db
from core.organisations import services
from core.organisations.api import blueprint
from core.organisations.api_settings import managed_organisation
from core.organisations.schemas import OrganisationInviteSchema, OrganisationMemberListSchema, OrganisationMemberSchema

declare_error_response("EmailTaken", code="email_taken",
                       description="Un compte existe déjà avec cette adresse électronique (`details.email`). "
                                   "Rien n'a changé.",
                       message="Un compte existe déjà avec cette adresse électronique.")
declare_error_response("SelfDeactivation", code="self_deactivation",
                       description="Un administrateur ne peut pas désactiver son propre compte.",
                       message="Vous ne pouvez pas désactiver votre propre compte.")


def member_payload(user) -> dict:
    return {"id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "role": user.role.value, "role_label": user.role.label, "active": bool(user.active)}


@blueprint.get("/members")
@token_required
def members():
    """The organisation's accounts, as the settings page lists them.
    ---
    get:
      summary: Équipe de l'organisme
      description: Les comptes rattachés à l'organisme (administration et équipe), actifs ou désactivés.
      tags: [organisation]
      responses:
        200:
          description: Les comptes de l'organisme.
          content:
            application/json:
              schema: OrganisationMemberListSchema
        404: NotFound
    """
    org = managed_organisation()
    return jsonify(OrganisationMemberListSchema().dump({"items": [member_payload(u) for u in services.staff_of(org)]}))


@blueprint.post("/members")
@token_required
def invite_member():
    """Invite a staff member: an account is created and a link to choose its password is e-mailed.
    ---
    post:
      summary: Inviter un membre de l'équipe
      description: >-
        Crée un compte « équipe du certificateur » rattaché à l'organisme et envoie à l'adresse donnée un
        lien pour choisir son mot de passe. Inscrit au journal d'audit (`organisation.staff_invited`).
      tags: [organisation]
      requestBody:
        required: true
        content:
          application/json:
            schema: OrganisationInviteSchema
      responses:
        201:
          description: Le compte créé.
          content:
            application/json:
              schema: OrganisationMemberSchema
        400: EmailTaken
        404: NotFound
        422: ValidationFailed
    """
    org = managed_organisation()
    body = load_json(OrganisationInviteSchema)
    try:
        user = services.invite_staff(org, actor=current_api_user(), email=body["email"],
                                     first_name=body["first_name"], last_name=body["last_name"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return jsonify(OrganisationMemberSchema().dump(member_payload(user))), 201


@blueprint.post("/members/<int:user_id>/deactivate")
@token_required
def deactivate_member(user_id: int):
    """Deactivate an account of the organisation (its sessions are revoked; audited).
    ---
    post:
      summary: Désactiver un membre de l'équipe
      description: >-
        Le compte ne peut plus se connecter et ses sessions ouvertes sont révoquées. Un compte déjà
        désactivé donne la même réponse. Un compte d'un autre organisme répond 404 ; son propre compte,
        409 `self_deactivation`. Inscrit au journal d'audit (`organisation.staff_deactivated`).
      tags: [organisation]
      responses:
        200:
          description: Le compte, désactivé.
          content:
            application/json:
              schema: OrganisationMemberSchema
        404: NotFound
        409: SelfDeactivation
    """
    org = managed_organisation()
    try:
        user = services.deactivate_staff(org, user_id, actor=current_api_user())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return jsonify(OrganisationMemberSchema().dump(member_payload(user)))
