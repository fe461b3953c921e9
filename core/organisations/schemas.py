"""Marshmallow schemas of the organisation seal API (:mod:`core.organisations.api`), in the OpenAPI document.

Neither the PKCS#12 file nor its password is ever part of a response.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


class SealChainCertificateSchema(ResponseSchema):
    subject = fields.Str(required=True, metadata=_d("Sujet du certificat (RFC 4514)."))
    issuer = fields.Str(required=True, metadata=_d("Émetteur (RFC 4514)."))
    not_before = UtcDateTime(required=True, metadata=_d("Début de validité (UTC)."))
    not_after = UtcDateTime(required=True, metadata=_d("Fin de validité (UTC)."))


class OrganisationSealCertificateSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du dépôt."))
    subject_cn = fields.Str(required=True, metadata=_d("Nom commun (CN) du titulaire du certificat."))
    subject_o = fields.Str(required=True, metadata=_d("Organisation (O) du titulaire, ou chaîne vide."))
    subject = fields.Str(required=True, metadata=_d("Sujet complet (RFC 4514)."))
    issuer = fields.Str(required=True, metadata=_d("Émetteur (RFC 4514)."))
    serial = fields.Str(required=True, metadata=_d("Numéro de série, en hexadécimal."))
    fingerprint_sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du certificat (DER), en "
                                                                "hexadécimal."))
    not_before = UtcDateTime(required=True, metadata=_d("Début de validité (UTC)."))
    not_after = UtcDateTime(required=True, metadata=_d("Fin de validité (UTC)."))
    chain = fields.List(fields.Nested(SealChainCertificateSchema), required=True,
                        metadata=_d("Les autres certificats du fichier, de l'émetteur vers la racine."))
    uploaded_at = UtcDateTime(required=True, metadata=_d("Date du dépôt (UTC)."))


class OrganisationSealSettingsSchema(ResponseSchema):
    state = fields.Str(required=True, validate=validate.OneOf(["none", "valid", "expired", "not_yet_valid",
                                                               "unreadable"]),
                       metadata=_d("État du cachet de l'organisme : `none` (aucun dépôt : cachet de la "
                                   "plateforme), `valid` (utilisé pour sceller), `expired`, `not_yet_valid`, "
                                   "`unreadable` (à déposer de nouveau) : dans ces trois cas, le cachet de la "
                                   "plateforme est utilisé."))
    in_use = fields.Bool(required=True, metadata=_d("Vrai si les documents de l'organisme sont scellés avec "
                                                    "son propre certificat."))
    days_left = fields.Int(required=True, allow_none=True, metadata=_d("Jours de validité restants, ou null."))
    expiring_soon = fields.Bool(required=True, metadata=_d("Vrai s'il reste moins de 30 jours de validité."))
    seal = fields.Nested(OrganisationSealCertificateSchema, required=True, allow_none=True,
                         metadata=_d("Le certificat de cachet actif, ou null."))
    tsa_url = fields.Str(required=True, allow_none=True, metadata=_d(
        "Service d'horodatage (RFC 3161) de l'organisme, ou null pour celui de la plateforme."))


class OrganisationSealUploadSchema(RequestSchema):
    pkcs12 = fields.Str(required=True, validate=validate.Length(min=1, max=200_000, error=_l(
                            "Le fichier encodé doit faire entre 1 et 200 000 caractères.")),
                        metadata=_d("Le fichier PKCS#12 (.p12 / .pfx : clé privée, certificat et chaîne), encodé "
                                    "en base64 ; au plus 100 Ko une fois décodé."))
    password = fields.Str(load_default="", validate=validate.Length(max=500, error=_l(
                              "Le mot de passe est limité à 500 caractères.")),
                          metadata=_d("Mot de passe du fichier (chaîne vide s'il n'est pas protégé)."))


class OrganisationTsaSchema(RequestSchema):
    tsa_url = fields.Str(required=True, allow_none=True, validate=validate.Length(max=500, error=_l(
        "L'adresse est limitée à 500 caractères.")), metadata=_d(
        "Adresse https:// ou http:// d'une autorité d'horodatage RFC 3161 ; null ou chaîne vide pour celle de "
        "la plateforme."))
