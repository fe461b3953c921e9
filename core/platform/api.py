"""API of the platform's administration: certifications granted to organisations (platform admin only)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_tag
from core.extensions import db
from core.platform import services
from core.platform.schemas import (
    GrantedCertificationListSchema,
    GrantedCertificationSchema,
    GrantRequestSchema,
    PlatformOrganisationListSchema,
)

blueprint = api_blueprint("platform_api", __name__, url_prefix="/platform")

declare_tag("platform", "L'administration de la plateforme : les certifications accordées aux organismes "
                        "(certificateur ou centre habilité). Réservé à l'administration de la plateforme ; "
                        "toute autre personne reçoit 404.", "Plateforme")
declare_error_response("OrganisationNotFound", code="organisation_not_found",
                       description="L'organisme n'existe pas, ou la personne n'administre pas la plateforme.",
                       message="La ressource demandée n'existe pas.")
declare_error_response("GrantConflict", code="certifier_exists",
                       description="La certification a déjà un certificateur (`certifier_exists`, avec "
                                   "`details.organisation_id`), ou des dossiers en cours de l'organisme "
                                   "l'utilisent encore (`open_dossiers`) : rien n'a changé.",
                       message="Simplon.co est déjà le certificateur de RNCP37827 : accordez-la comme centre "
                               "habilité.")


def _link(link) -> dict[str, Any]:
    return {"certification": link.certification_code, "role": link.role.value if link.granted else None,
            "state": "requested" if not link.granted else ("enabled" if link.enabled else "disabled"),
            "requested_at": link.requested_at, "granted_at": link.granted_at}


def _links(org) -> list[dict[str, Any]]:
    return [_link(link) for link in sorted(org.certifications, key=lambda link: link.certification_code)]


@blueprint.get("/organisations")
@token_required
def organisations():
    """Every organisation with its certifications.
    ---
    get:
      summary: Organismes et certifications accordées
      tags: [platform]
      responses:
        200:
          description: Les organismes.
          content:
            application/json:
              schema: PlatformOrganisationListSchema
        404: NotFound
    """
    orgs = services.organisations(current_api_user())
    return jsonify(PlatformOrganisationListSchema().dump(
        {"items": [{"id": o.id, "name": o.name, "certifications": _links(o)} for o in orgs]}))


@blueprint.get("/organisations/<int:organisation_id>/certifications")
@token_required
def certifications(organisation_id: int):
    """The certifications granted to, or asked for by, one organisation.
    ---
    get:
      summary: Certifications d'un organisme
      tags: [platform]
      responses:
        200:
          description: Les certifications, par code.
          content:
            application/json:
              schema: GrantedCertificationListSchema
        404: OrganisationNotFound
    """
    org = services.organisation_for(current_api_user(), organisation_id)
    return jsonify(GrantedCertificationListSchema().dump({"items": _links(org)}))


@blueprint.put("/organisations/<int:organisation_id>/certifications/<code>")
@token_required
def grant(organisation_id: int, code: str):
    """Grant a certification to an organisation (audited).
    ---
    put:
      summary: Accorder une certification
      description: >-
        L'organisme délivre dès lors la certification : les candidats peuvent ouvrir un dossier
        auprès de lui et son équipe voit ces dossiers, et seulement ceux-là. Une demande en attente
        devient un accord ; répéter l'appel ne change rien. Une certification n'a qu'un certificateur.
      tags: [platform]
      requestBody:
        required: true
        content:
          application/json:
            schema: GrantRequestSchema
      responses:
        200:
          description: La certification accordée.
          content:
            application/json:
              schema: GrantedCertificationSchema
        404: OrganisationNotFound
        409: GrantConflict
        422: ValidationFailed
    """
    user = current_api_user()
    org = services.organisation_for(user, organisation_id)
    body = load_json(GrantRequestSchema)
    link = services.grant(org, code, services.parse_role(body["role"]), actor=user)
    db.session.commit()
    return jsonify(GrantedCertificationSchema().dump(_link(link)))


@blueprint.delete("/organisations/<int:organisation_id>/certifications/<code>")
@token_required
def withdraw(organisation_id: int, code: str):
    """Withdraw a certification (or refuse a pending request); audited.
    ---
    delete:
      summary: Retirer une certification
      description: Refusé (409 `open_dossiers`) tant que des dossiers en cours de l'organisme l'utilisent.
      tags: [platform]
      responses:
        204:
          description: Retirée.
        404: OrganisationNotFound
        409: GrantConflict
    """
    user = current_api_user()
    services.withdraw(services.organisation_for(user, organisation_id), code, actor=user)
    db.session.commit()
    return "", 204
