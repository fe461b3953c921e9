"""API of the organisation's own seal certificate and TSA URL (certifier admin of the organisation).

The other sections of the settings page are in :mod:`core.organisations.api_settings` and
:mod:`core.organisations.api_members` (same blueprint).

The organisation is the token owner's; anyone who is not its certifier admin
gets 404. Refused files answer 422 ``seal_refused`` with the reason in
``details.pkcs12`` or ``details.password``.
"""
from __future__ import annotations

import base64
import binascii

from flask import jsonify
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_tag
from core.errors import ValidationFailed
from core.extensions import db
from core.organisations import seals, services
from core.organisations.schemas import (OrganisationSealSettingsSchema, OrganisationSealUploadSchema,
                                        OrganisationTsaSchema)

blueprint = api_blueprint("organisations_api", __name__, url_prefix="/organisation")

declare_tag("organisation", "Les réglages de l'organisme certificateur : coordonnées, certifications "
                            "accordées et demandées, équipe, chiffres, son propre certificat de cachet "
                            "(PKCS#12, conservé chiffré) et son service d'horodatage.", "Organisme")
declare_error_response("SealRefused", code="seal_refused",
                       description="Le fichier est refusé, avec la raison dans `details.pkcs12` ou "
                                   "`details.password` : pas un PKCS#12, mot de passe erroné, clé ou certificat "
                                   "absent, clé qui ne correspond pas au certificat, certificat expiré ou pas "
                                   "encore valide, usages de clé insuffisants, usages étendus d'un autre usage, "
                                   "autorité non reconnue. Rien n'a changé.",
                       message="Le mot de passe ne déchiffre pas ce fichier PKCS#12.")
declare_error_response("TsaUrlInvalid", code="validation_failed",
                       description="L'adresse du service d'horodatage est refusée (`details.tsa_url`) : schéma "
                                   "autre que http/https, identifiants dans l'adresse, adresse privée ou locale.",
                       message="L'adresse doit commencer par https:// ou http:// et désigner un serveur.")


def _settings(org) -> dict:
    status = seals.seal_status(org)
    seal = status.seal
    return OrganisationSealSettingsSchema().dump({
        "state": status.state, "in_use": status.in_use, "days_left": status.days_left,
        "expiring_soon": status.expiring_soon, "tsa_url": status.tsa_url or None,
        "seal": None if seal is None else {
            "id": seal.id, "subject_cn": seal.subject_cn, "subject_o": seal.subject_o, "subject": seal.subject,
            "issuer": seal.issuer, "serial": seal.serial, "fingerprint_sha256": seal.fingerprint_sha256,
            "not_before": seal.not_before, "not_after": seal.not_after, "uploaded_at": seal.uploaded_at,
            "chain": seals.chain_of(seal)},
    })


@blueprint.get("/seal")
@token_required
def seal():
    """The organisation's seal certificate and TSA URL.
    ---
    get:
      summary: Consulter le cachet de l'organisme
      description: >-
        Réservé à l'administration du certificateur. Décrit le certificat de cachet actif (titulaire,
        émetteur, série, empreinte, validité, chaîne) et le service d'horodatage ; ni le fichier ni son
        mot de passe ne sont jamais renvoyés.
      tags: [organisation]
      responses:
        200:
          description: Le cachet et l'horodatage de l'organisme.
          content:
            application/json:
              schema: OrganisationSealSettingsSchema
        404: NotFound
    """
    return jsonify(_settings(services.organisation_for_admin(current_api_user())))


@blueprint.put("/seal")
@token_required
def upload_seal():
    """Upload (or replace) the organisation's seal certificate.
    ---
    put:
      summary: Déposer le certificat de cachet de l'organisme
      description: >-
        Le fichier PKCS#12 (encodé en base64) est vérifié : format, mot de passe, présence de la clé et du
        certificat, correspondance de la clé, validité à la date du jour, usages de clé (signature ou
        non-répudiation ; non-répudiation exigée aux niveaux B-LT et B-LTA), usages étendus compatibles
        avec la signature de documents, rattachement à une autorité reconnue par la plateforme. Il est
        ensuite conservé chiffré et remplace le certificat précédent ; les documents de l'organisme sont
        désormais scellés avec lui. Inscrit au journal d'audit.
      tags: [organisation]
      requestBody:
        required: true
        content:
          application/json:
            schema: OrganisationSealUploadSchema
      responses:
        200:
          description: Le nouveau cachet de l'organisme.
          content:
            application/json:
              schema: OrganisationSealSettingsSchema
        404: NotFound
        422: SealRefused
        429: TooManyPasswordAttempts
    """
    org = services.organisation_for_admin(current_api_user())
    body = load_json(OrganisationSealUploadSchema)
    try:
        data = base64.b64decode(body["pkcs12"], validate=True)
    except (binascii.Error, ValueError):
        message = _("Le champ doit contenir le fichier PKCS#12 encodé en base64.")
        raise ValidationFailed(message, details={"pkcs12": [message]}) from None
    seals.upload_seal(org, actor=current_api_user(), data=data, password=body.get("password") or "")
    db.session.commit()
    return jsonify(_settings(org))


@blueprint.delete("/seal")
@token_required
def remove_seal():
    """Remove the organisation's seal certificate.
    ---
    delete:
      summary: Retirer le certificat de cachet de l'organisme
      description: >-
        Le certificat actif est désactivé (sa clé chiffrée est effacée ; sa description reste dans
        l'historique) : les documents de l'organisme sont de nouveau scellés avec le cachet de la
        plateforme. Sans certificat déposé, la réponse est la même. Inscrit au journal d'audit.
      tags: [organisation]
      responses:
        200:
          description: Le cachet de l'organisme, désormais sans certificat propre.
          content:
            application/json:
              schema: OrganisationSealSettingsSchema
        404: NotFound
    """
    org = services.organisation_for_admin(current_api_user())
    seals.remove_seal(org, actor=current_api_user())
    db.session.commit()
    return jsonify(_settings(org))


@blueprint.put("/seal/tsa")
@token_required
def update_tsa():
    """Set the organisation's TSA URL.
    ---
    put:
      summary: Choisir le service d'horodatage de l'organisme
      description: >-
        Adresse d'une autorité d'horodatage RFC 3161 utilisée pour les cachets de l'organisme ; null ou
        chaîne vide pour revenir à celle de la plateforme. Inscrit au journal d'audit.
      tags: [organisation]
      requestBody:
        required: true
        content:
          application/json:
            schema: OrganisationTsaSchema
      responses:
        200:
          description: Le cachet et l'horodatage de l'organisme.
          content:
            application/json:
              schema: OrganisationSealSettingsSchema
        404: NotFound
        422: TsaUrlInvalid
    """
    org = services.organisation_for_admin(current_api_user())
    body = load_json(OrganisationTsaSchema)
    seals.set_tsa_url(org, actor=current_api_user(), url=body.get("tsa_url") or "")
    db.session.commit()
    return jsonify(_settings(org))


# the settings page's other sections, on the same blueprint
from core.organisations import api_members, api_settings  # noqa: E402,F401
