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



# -- details, certifications, members, figures (core.organisations.api_settings / api_members) ------------------

_EMAIL_MESSAGE = _l("Saisissez une adresse électronique valide.")


def _optional_email(value):
    """The details form's rule: empty, or a valid address."""
    if value and value.strip():
        validate.Email(error=str(_EMAIL_MESSAGE))(value.strip())
    return True


class OrganisationSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de l'organisme."))
    name = fields.Str(required=True, metadata=_d("Nom de l'organisme, imprimé sur les documents."))
    slug = fields.Str(required=True, metadata=_d("Identifiant court de l'organisme."))
    contact_email = fields.Str(required=True, allow_none=True, metadata=_d("Adresse électronique de contact, "
                                                                          "ou null."))
    address = fields.Str(required=True, allow_none=True, metadata=_d("Adresse postale, ou null."))
    siret = fields.Str(required=True, allow_none=True, metadata=_d("Numéro de SIRET (14 chiffres), ou null."))
    certifications = fields.List(fields.Str(), required=True, metadata=_d(
        "Codes des certifications que l'organisme délivre en ce moment (accordées et activées)."))


class OrganisationDetailsUpdateSchema(RequestSchema):
    name = fields.Str(validate=validate.Length(min=1, max=200, error=_l(
        "Le nom doit faire entre 1 et 200 caractères.")), metadata=_d("Nom de l'organisme (obligatoire s'il est "
                                                                     "envoyé)."))
    contact_email = fields.Str(allow_none=True, validate=[validate.Length(max=254, error=_l(
        "L'adresse est limitée à 254 caractères.")), _optional_email], metadata=_d(
        "Adresse électronique de contact ; null ou chaîne vide pour l'effacer."))
    address = fields.Str(allow_none=True, validate=validate.Length(max=500, error=_l(
        "L'adresse est limitée à 500 caractères.")), metadata=_d("Adresse postale ; null ou chaîne vide pour "
                                                                 "l'effacer."))
    siret = fields.Str(allow_none=True, validate=validate.Length(max=30, error=_l(
        "Le numéro de SIRET est limité à 30 caractères.")), metadata=_d(
        "Numéro de SIRET (14 chiffres, espaces acceptées, clé vérifiée) ; null ou chaîne vide pour l'effacer."))


class OrganisationDetailsSchema(OrganisationSchema):
    changed = fields.List(fields.Str(), required=True, metadata=_d("Les champs modifiés (vide : rien à "
                                                                   "enregistrer)."))


class OrganisationGrantedCertificationSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))
    role = fields.Str(required=True, validate=validate.OneOf(["certifier", "centre"]), metadata=_d(
        "Rôle accordé : `certifier` (certificateur) ou `centre` (centre habilité)."))
    role_label = fields.Str(required=True, metadata=_d("Libellé du rôle, en français."))
    granted_at = UtcDateTime(required=True, metadata=_d("Date de l'habilitation par la plateforme (UTC)."))
    enabled = fields.Bool(required=True, metadata=_d("Vrai si l'organisme la délivre en ce moment."))


class OrganisationRequestedCertificationSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))
    requested_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de la demande (UTC)."))


class OrganisationRequestableCertificationSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))


class OrganisationCertificationsSchema(ResponseSchema):
    granted = fields.List(fields.Nested(OrganisationGrantedCertificationSchema), required=True, metadata=_d(
        "Les certifications accordées à l'organisme par l'administration de la plateforme."))
    requested = fields.List(fields.Nested(OrganisationRequestedCertificationSchema), required=True, metadata=_d(
        "Les demandes en attente d'une décision de la plateforme."))
    requestable = fields.List(fields.Nested(OrganisationRequestableCertificationSchema), required=True,
                              metadata=_d("Les certifications installées que l'organisme peut encore demander."))


class OrganisationCertificationsUpdateSchema(RequestSchema):
    enabled = fields.List(fields.Str(validate=validate.Length(min=1, max=40)), required=True,
                          validate=validate.Length(max=200), metadata=_d(
                              "Codes des certifications accordées que l'organisme délivre désormais ; les autres "
                              "certifications accordées sont désactivées. Tout ou rien."))


class OrganisationCertificationRequestSchema(RequestSchema):
    certification = fields.Str(required=True, validate=validate.Length(min=1, max=40), metadata=_d(
        "Code d'une certification installée sur la plateforme, par exemple RNCP37827."))


class OrganisationMemberSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du compte."))
    email = fields.Str(required=True, metadata=_d("Adresse électronique."))
    first_name = fields.Str(required=True, metadata=_d("Prénom."))
    last_name = fields.Str(required=True, metadata=_d("Nom."))
    role = fields.Str(required=True, metadata=_d("Rôle (`certifier_admin`, `certifier_staff`...)."))
    role_label = fields.Str(required=True, metadata=_d("Libellé du rôle, en français."))
    active = fields.Bool(required=True, metadata=_d("Faux une fois le compte désactivé."))


class OrganisationMemberListSchema(ResponseSchema):
    items = fields.List(fields.Nested(OrganisationMemberSchema), required=True, metadata=_d(
        "Les comptes de l'organisme, par nom, prénom et adresse."))


class OrganisationInviteSchema(RequestSchema):
    first_name = fields.Str(required=True, validate=validate.Length(min=1, max=100, error=_l(
        "Le prénom doit faire entre 1 et 100 caractères.")), metadata=_d("Prénom."))
    last_name = fields.Str(required=True, validate=validate.Length(min=1, max=100, error=_l(
        "Le nom doit faire entre 1 et 100 caractères.")), metadata=_d("Nom."))
    email = fields.Email(required=True, validate=validate.Length(max=254, error=_l(
        "L'adresse est limitée à 254 caractères.")), metadata=_d(
        "Adresse électronique : le lien pour choisir un mot de passe y est envoyé."))


class FigureBarSchema(ResponseSchema):
    key = fields.Str(required=True, allow_none=True, metadata=_d("Valeur (statut, mois AAAA-MM), ou null."))
    label = fields.Str(required=True, metadata=_d("Libellé, en français."))
    value = fields.Int(required=True, metadata=_d("Nombre."))


class FigureAdmissibilitySchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))
    admissible = fields.Int(required=True, metadata=_d("Dossiers déclarés recevables (y compris ceux qui ont "
                                                       "avancé depuis)."))
    inadmissible = fields.Int(required=True, metadata=_d("Dossiers déclarés irrecevables."))
    rate = fields.Float(required=True, allow_none=True, metadata=_d("Taux de recevabilité (0 à 1), ou null."))


class FigureTransitionRowSchema(ResponseSchema):
    month = fields.Str(required=True, metadata=_d("Mois (AAAA-MM)."))
    label = fields.Str(required=True, metadata=_d("Libellé du mois."))
    values = fields.List(fields.Int(), required=True, metadata=_d("Un nombre par colonne."))


class FigureTransitionsSchema(ResponseSchema):
    actions = fields.List(fields.Str(), required=True, metadata=_d("Les transitions comptées (événements "
                                                                   "d'audit), dans l'ordre des colonnes."))
    columns = fields.List(fields.Str(), required=True, metadata=_d("Libellés des colonnes."))
    rows = fields.List(fields.Nested(FigureTransitionRowSchema), required=True, metadata=_d("Les 12 derniers "
                                                                                           "mois."))


class FigureRateSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du bloc ou de la compétence."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))
    validated = fields.Int(required=True, metadata=_d("Candidats qui l'ont validé(e)."))
    assessed = fields.Int(required=True, metadata=_d("Candidats évalués (absents exclus)."))
    rate = fields.Float(required=True, allow_none=True, metadata=_d("Taux (0 à 1), ou null."))


class FigureResultsSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))
    decisions = fields.Int(required=True, metadata=_d("Décisions de jury scellées."))
    outcome_bars = fields.List(fields.Nested(FigureBarSchema), required=True, metadata=_d("Décisions par issue."))
    blocks = fields.List(fields.Nested(FigureRateSchema), required=True, metadata=_d("Blocs validés."))
    competencies = fields.List(fields.Nested(FigureRateSchema), required=True, metadata=_d(
        "Compétences acquises."))
    block_validation = fields.Bool(required=True, metadata=_d("Vrai si la certification se valide par blocs."))


class OrganisationFiguresSchema(ResponseSchema):
    status_bars = fields.List(fields.Nested(FigureBarSchema), required=True, metadata=_d(
        "Dossiers de l'organisme par statut (certifications délivrées)."))
    month_bars = fields.List(fields.Nested(FigureBarSchema), required=True, metadata=_d(
        "Dossiers déposés par mois, sur les 12 derniers mois (UTC)."))
    admissibility = fields.List(fields.Nested(FigureAdmissibilitySchema), required=True, metadata=_d(
        "Taux de recevabilité par certification."))
    transitions = fields.Nested(FigureTransitionsSchema, required=True, metadata=_d(
        "Dossiers entrés dans chaque état, mois par mois."))
    results = fields.List(fields.Nested(FigureResultsSchema), required=True, metadata=_d(
        "Résultats des jurys par certification."))
