"""API of the organisation's settings page: details, certifications, requests, and the certifier's figures.

Same services as :mod:`core.organisations.views`. The organisation is always the token owner's: who is
not its certifier admin (staff for the figures) gets 404 (the policy gate answers 403 to other roles).
"""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response
from core.errors import ValidationFailed
from core.extensions import db
from core.organisations import services
from core.organisations.api import blueprint
from core.organisations.schemas import (OrganisationCertificationRequestSchema, OrganisationCertificationsSchema,
                                        OrganisationCertificationsUpdateSchema, OrganisationDetailsSchema,
                                        OrganisationDetailsUpdateSchema, OrganisationFiguresSchema,
                                        OrganisationRequestedCertificationSchema, OrganisationSchema)
from core.policy import require

declare_error_response("CertificationNotGranted", code="not_granted",
                       description="Une certification à activer n'a pas été accordée à l'organisme : seule "
                                   "l'administration de la plateforme l'accorde (`details.certification`). "
                                   "Rien n'a changé.",
                       message="La certification RNCP37827 n'a pas été accordée à l'organisme : demandez-la à "
                               "l'administration de la plateforme.")
declare_error_response("CertificationInUse", code="open_dossiers",
                       description="Une certification à désactiver sert encore à des dossiers en cours de "
                                   "l'organisme (`details.certification`, `details.open_dossiers`). Rien n'a changé.",
                       message="La certification RS6776 ne peut pas être désactivée : 2 dossier(s) en cours "
                               "(non clos) l'utilisent encore.")
declare_error_response("CertificationAlreadyRequested", code="already_requested",
                       description="La certification est déjà accordée à l'organisme, ou déjà demandée.",
                       message="La demande pour la certification RS6776 est déjà transmise.")
declare_error_response("CertificationUnknown", code="certification_not_found",
                       description="Aucune certification installée ne porte ce code.",
                       message="La certification XYZ n'est pas installée.")


def managed_organisation():
    """The organisation the token owner administers (``organisation.manage``); 404 otherwise."""
    user = current_api_user()
    require(user, "organisation.manage")
    return services.organisation_for_admin(user)


def organisation_payload(org) -> dict:
    return {"id": org.id, "name": org.name, "slug": org.slug, "contact_email": org.contact_email,
            "address": org.address, "siret": org.siret, "certifications": sorted(org.certification_codes)}


def certifications_payload(org) -> dict:
    overview = services.certifications_overview(org)
    return OrganisationCertificationsSchema().dump({
        "granted": [{"code": item["cert"].code, "title": item["cert"].title, "role": item["role"].value,
                     "role_label": item["role"].label, "granted_at": item["link"].granted_at,
                     "enabled": item["enabled"]} for item in overview.granted],
        "requested": [{"code": item["cert"].code, "title": item["cert"].title, "requested_at": item["at"]}
                      for item in overview.requested],
        "requestable": [{"code": cert.code, "title": cert.title} for cert in overview.requestable],
    })


@blueprint.get("")
@token_required
def organisation():
    """The organisation's details, as its settings page shows them.
    ---
    get:
      summary: Consulter l'organisme
      description: >-
        Réservé à l'administration du certificateur. Les coordonnées imprimées sur les documents (nom,
        adresse électronique de contact, adresse postale, SIRET) et les certifications que l'organisme
        délivre en ce moment.
      tags: [organisation]
      responses:
        200:
          description: L'organisme du compte.
          content:
            application/json:
              schema: OrganisationSchema
        404: NotFound
    """
    return jsonify(OrganisationSchema().dump(organisation_payload(managed_organisation())))


@blueprint.patch("")
@token_required
def update_details():
    """Change the organisation's details (the settings page's form rules; audited).
    ---
    patch:
      summary: Modifier les coordonnées de l'organisme
      description: >-
        Seuls les champs envoyés changent. Le nom est obligatoire ; l'adresse électronique doit être valide ;
        le SIRET (espaces acceptées) doit avoir 14 chiffres et une clé correcte ; null ou chaîne vide
        efface un champ facultatif. Un changement est inscrit au journal d'audit
        (`organisation.details_updated`) ; `changed` liste les champs modifiés.
      tags: [organisation]
      requestBody:
        required: true
        content:
          application/json:
            schema: OrganisationDetailsUpdateSchema
      responses:
        200:
          description: L'organisme, avec les champs modifiés.
          content:
            application/json:
              schema: OrganisationDetailsSchema
        404: NotFound
        422: ValidationFailed
    """
    org = managed_organisation()
    body = load_json(OrganisationDetailsUpdateSchema)
    try:
        changed = services.update_details(org, actor=current_api_user(), **body)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return jsonify(OrganisationDetailsSchema().dump({**organisation_payload(org), "changed": changed}))


@blueprint.get("/certifications")
@token_required
def certifications():
    """The certifications granted to the organisation, its pending requests and what it may ask for.
    ---
    get:
      summary: Certifications de l'organisme
      description: >-
        Les certifications accordées par l'administration de la plateforme (rôle certificateur ou centre
        habilité, date de l'habilitation, activée ou non), les demandes en attente et les certifications
        installées que l'organisme peut encore demander.
      tags: [organisation]
      responses:
        200:
          description: Les certifications de l'organisme.
          content:
            application/json:
              schema: OrganisationCertificationsSchema
        404: NotFound
    """
    return jsonify(certifications_payload(managed_organisation()))


@blueprint.put("/certifications")
@token_required
def update_certifications():
    """Enable exactly the listed granted certifications (all or nothing, audited).
    ---
    put:
      summary: Choisir les certifications délivrées
      description: >-
        `enabled` liste les certifications accordées que l'organisme délivre désormais ; les autres
        certifications accordées sont désactivées. Activer une certification qui n'a pas été accordée est
        refusé (403 `not_granted` : seule la plateforme accorde) ; désactiver une certification qui sert
        à des dossiers en cours est refusé (409 `open_dossiers`). Tout ou rien : au premier refus, rien ne
        change. Chaque changement est inscrit au journal d'audit.
      tags: [organisation]
      requestBody:
        required: true
        content:
          application/json:
            schema: OrganisationCertificationsUpdateSchema
      responses:
        200:
          description: Les certifications de l'organisme, à jour.
          content:
            application/json:
              schema: OrganisationCertificationsSchema
        403: CertificationNotGranted
        404: NotFound
        409: CertificationInUse
        422: ValidationFailed
    """
    org = managed_organisation()
    body = load_json(OrganisationCertificationsUpdateSchema)
    wanted = {code.strip().upper() for code in body["enabled"]}
    installed = {c.code for c in services.installed_certifications()}
    unknown = sorted(wanted - installed)
    if unknown:
        message = _("Certification(s) non installée(s) : %(codes)s.", codes=", ".join(unknown))
        raise ValidationFailed(message, details={"enabled": [message]})
    done, refused = services.set_enabled_certifications(org, wanted, actor=current_api_user())
    if refused:  # all or nothing, as on the page
        db.session.rollback()
        raise refused[0]
    db.session.commit()
    return jsonify(certifications_payload(services.organisation_for_admin(current_api_user())))


@blueprint.post("/certifications/requests")
@token_required
def request_certification():
    """Ask the platform's administration to grant a certification (audited; platform admins e-mailed).
    ---
    post:
      summary: Demander une certification
      description: >-
        La demande est transmise à l'administration de la plateforme (courriel à chaque administrateur),
        qui l'accorde comme certificateur ou comme centre habilité, ou la refuse : une demande n'accorde
        rien. Inscrite au journal d'audit (`organisation.certification_requested`).
      tags: [organisation]
      requestBody:
        required: true
        content:
          application/json:
            schema: OrganisationCertificationRequestSchema
      responses:
        201:
          description: La demande en attente.
          content:
            application/json:
              schema: OrganisationRequestedCertificationSchema
        404: CertificationUnknown
        409: CertificationAlreadyRequested
        422: ValidationFailed
    """
    org = managed_organisation()
    body = load_json(OrganisationCertificationRequestSchema)
    code = body["certification"].strip()
    try:
        link = services.request_certification(org, code, actor=current_api_user())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    cert = next(c for c in services.installed_certifications() if c.code == code)
    return jsonify(OrganisationRequestedCertificationSchema().dump(
        {"code": cert.code, "title": cert.title, "requested_at": link.requested_at})), 201


@blueprint.get("/figures")
@token_required
def figures():
    """The certifier's figures, as the dashboard page shows them (staff and admin of the organisation).
    ---
    get:
      summary: Chiffres de l'organisme
      description: >-
        Pour les certifications que l'organisme délivre : dossiers par statut, dépôts par mois (12 derniers
        mois, UTC), taux de recevabilité, dossiers entrés dans chaque état mois par mois (d'après le journal
        d'audit) et résultats des jurys (décisions scellées par issue, blocs validés, compétences acquises).
      tags: [organisation]
      responses:
        200:
          description: Les chiffres de l'organisme.
          content:
            application/json:
              schema: OrganisationFiguresSchema
        404: NotFound
    """
    from core.deliberation.results import results_by_certification

    user = current_api_user()
    require(user, "organisation.figures")
    org = services.organisation_for_staff(user)
    figures_ = services.dashboard_figures(org)

    def bars(items):
        return [{"key": getattr(b, "key", None), "label": str(b.label), "value": b.value} for b in items]

    def rates(items):
        return [{"code": r.code, "title": r.title, "validated": r.validated, "assessed": r.assessed,
                 "rate": r.rate} for r in items]

    return jsonify(OrganisationFiguresSchema().dump({
        "status_bars": bars(figures_["status_bars"]), "month_bars": bars(figures_["month_bars"]),
        "admissibility": figures_["admissibility"], "transitions": figures_["transitions"],
        "results": [{"code": r.code, "title": r.title, "decisions": r.decisions,
                     "outcome_bars": bars(r.outcome_bars), "blocks": rates(r.blocks),
                     "competencies": rates(r.competencies), "block_validation": r.block_validation}
                    for r in results_by_certification(org)],
    }))
