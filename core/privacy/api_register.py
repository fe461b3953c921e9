"""Privacy API: the register of rights requests (``/api/v1/privacy/requests``) and each certification's privacy
notice (``/api/v1/certifications/{code}/privacy``), on the area's blueprint (see core/privacy/api.py).

The register is the certifier admin's (their organisation's requests) and the platform admin's (requests of no
organisation); a request of another organisation answers 404. The logic lives in :mod:`core.privacy.register`.
"""
from __future__ import annotations

from flask import jsonify, request, url_for

from core.api.auth import current_api_user, token_optional, token_required
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_tag
from core.auth.models import utcnow
from core.certifications.services import get_certification
from core.extensions import db
from core.privacy import register as services
from core.privacy.api import blueprint
from core.privacy.records import notice_for
from core.privacy.schemas_register import (PrivacyNoticeSchema, RegisterEntryCreateSchema, RegisterEntryListSchema,
                                           RegisterEntrySchema, RegisterEntryUpdateSchema)

declare_tag("privacy", "Données personnelles : le registre des demandes d'accès, de rectification, d'effacement et "
                       "d'opposition (délai de réponse d'un mois, RGPD art. 12), tenu par l'administrateur du "
                       "certificateur.", "Données personnelles")
declare_error_response("PrivacyRequestNotFound", code="privacy_request_not_found",
                       description="Aucune demande du registre de l'organisme du jeton ne porte cet identifiant "
                                   "(celle d'un autre organisme est toujours signalée comme absente).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("PrivacyRequestClosed", code="privacy_request_closed",
                       description="La demande est déjà close (traitée ou refusée) : sa réponse ne change plus.",
                       message="Cette demande est déjà close (traitée le 12/03/2026).")
declare_error_response("PrivacyRequestInvalid", code="validation_failed",
                       description="Données invalides (`details` par champ) : type ou moyen inconnu, personne "
                                   "introuvable parmi les candidats de l'organisme, date future, réponse vide.",
                       message="Aucun candidat de l'organisme n'a cette adresse électronique : vérifiez-la, ou "
                               "décrivez la personne dans « Personne sans compte ».")
declare_error_response("PrivacyRegisterForbidden", code="forbidden",
                       description="Le registre est tenu par l'administrateur du certificateur (et, pour les "
                                   "demandes sans organisme, par l'administration de la plateforme).",
                       message="Cette page est réservée à d'autres rôles que le vôtre (Candidat).")


def _dump(row, now=None) -> dict:
    return RegisterEntrySchema().dump(services.as_dict(row, now))


@blueprint.get("/privacy/requests")
@token_required
def requests():
    """The register: the requests of the token's organisation.
    ---
    get:
      summary: Registre des demandes relatives aux données personnelles
      description: >-
        Les demandes de l'organisme (pour l'administration de la plateforme : celles qui ne concernent aucun
        organisme), celles à traiter d'abord par échéance, puis les dernières closes ; 50 par page.
      tags: [privacy]
      parameters:
        - name: status
          in: query
          required: false
          description: open (à traiter), overdue (en retard), done (traitées) ou refused (refusées).
          schema: {type: string, enum: [open, overdue, done, refused]}
        - name: page
          in: query
          required: false
          schema: {type: integer, minimum: 1, default: 1}
      responses:
        200:
          description: Les demandes.
          content:
            application/json:
              schema: RegisterEntryListSchema
        403: PrivacyRegisterForbidden
        422: PrivacyRequestInvalid
    """
    user = current_api_user()
    chosen = services.parse_filter(request.args.get("status"))
    page = services.list_requests(user, chosen, page=request.args.get("page", 1, type=int) or 1)
    now = utcnow()
    return jsonify(RegisterEntryListSchema().dump({
        "items": [services.as_dict(row, now) for row in page.items], "total": page.total, "page": page.page,
        "pages": page.pages, "counts": page.counts}))


@blueprint.post("/privacy/requests")
@token_required
def create_request():
    """Record a request received by another channel (e-mail, letter, telephone...).
    ---
    post:
      summary: Enregistrer une demande reçue par un autre moyen
      description: >-
        La personne est un candidat de l'organisme désigné par son adresse (`subject_email`), ou décrite en
        quelques mots (`subject_label`) si elle n'a pas de compte. La réponse est attendue un mois après la
        réception (`due_at`). Enregistré dans le journal d'audit (identifiants seulement).
      tags: [privacy]
      requestBody:
        required: true
        content:
          application/json:
            schema: RegisterEntryCreateSchema
            example: {"kind": "access", "subject_email": "camille.martin@example.org", "channel": "letter",
                      "received_on": "2026-03-02", "details": "Copie de son dossier"}
      responses:
        201:
          description: La demande enregistrée.
          content:
            application/json:
              schema: RegisterEntrySchema
        403: PrivacyRegisterForbidden
        422: PrivacyRequestInvalid
    """
    user = current_api_user()
    body = load_json(RegisterEntryCreateSchema)
    row = services.record_request(user, kind=body["kind"], channel=body["channel"], details=body["details"],
                                  subject_email=body["subject_email"], subject_label=body["subject_label"],
                                  received_on=body["received_on"])
    db.session.commit()
    response = jsonify(_dump(row))
    response.status_code = 201
    response.headers["Location"] = url_for("privacy_api.request", request_id=row.id)
    return response


@blueprint.get("/privacy/requests/<int:request_id>", endpoint="request")
@token_required
def request_(request_id: int):
    """One request of the register.
    ---
    get:
      summary: Détail d'une demande du registre
      tags: [privacy]
      responses:
        200:
          description: La demande.
          content:
            application/json:
              schema: RegisterEntrySchema
        404: PrivacyRequestNotFound
    """
    return jsonify(_dump(services.get_request(current_api_user(), request_id)))


@blueprint.patch("/privacy/requests/<int:request_id>")
@token_required
def update_request(request_id: int):
    """Close a request: done or refused, with the answer given to the person.
    ---
    patch:
      summary: Clore une demande du registre
      description: >-
        Une demande ouverte est close une fois : traitée (`done`) ou refusée (`refused`), avec la réponse
        apportée à la personne (obligatoire ; un refus est motivé). Enregistré dans le journal d'audit.
      tags: [privacy]
      requestBody:
        required: true
        content:
          application/json:
            schema: RegisterEntryUpdateSchema
            example: {"status": "done", "response": "Archive de ses données envoyée le 5 mars."}
      responses:
        200:
          description: La demande close.
          content:
            application/json:
              schema: RegisterEntrySchema
        404: PrivacyRequestNotFound
        409: PrivacyRequestClosed
        422: PrivacyRequestInvalid
    """
    user = current_api_user()
    row = services.get_request(user, request_id)
    body = load_json(RegisterEntryUpdateSchema)
    services.handle_request(user, row, status=body["status"], response=body["response"])
    db.session.commit()
    return jsonify(_dump(row))


@blueprint.get("/certifications/<code>/privacy")
@token_optional
def certification_privacy(code: str):
    """The privacy notice of a certification (« Informations sur vos données »).
    ---
    get:
      summary: Informations sur les données personnelles d'une certification
      description: >-
        Ce que la page « Informations sur vos données » dit aux candidats, généré des déclarations de la
        plateforme et du module de la certification : les organismes responsables, chaque traitement (finalités,
        base légale, données, destinataires, durées de conservation en toutes lettres), les droits et à qui les
        adresser. Aucun jeton n'est nécessaire.
      tags: [certifications]
      parameters:
        - name: code
          in: path
          description: Code de la certification, par exemple RNCP37827 (sans distinction de casse).
      responses:
        200:
          description: La notice.
          content:
            application/json:
              schema: PrivacyNoticeSchema
        404: CertificationNotFound
    """
    notice = notice_for(get_certification(code))
    cert = notice.certification
    return jsonify(PrivacyNoticeSchema().dump({
        "certification": cert.code, "title": cert.title, "operator": notice.operator, "contact": notice.contact,
        "controllers": [vars(c) for c in notice.controllers],
        "activities": [dict(vars(a), retention=[vars(line) for line in a.retention]) for a in notice.activities],
        "rights": [{"right": title, "text": text} for title, text in notice.rights],
        "links": {"page": url_for("privacy.notice", code=cert.code),
                  "certification": url_for("api.certification", code=cert.code)}}))
