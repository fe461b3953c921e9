"""Marshmallow schemas of the sessions API (:mod:`core.sessions.api`); French descriptions.

Class names start with ``Session`` (marshmallow's registry and the OpenAPI
components are global to the project)."""
from __future__ import annotations

from marshmallow import fields, validate

from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime

ATTENDANCE_VALUES = ["unknown", "present", "absent"]


def _d(text: str) -> dict:
    return {"description": text}


# -- responses -----------------------------------------------------------------

class SessionStepSchema(ResponseSchema):
    title = fields.Str(required=True, metadata=_d("Intitulé de l'étape."))
    minutes = fields.Int(required=True, metadata=_d("Durée en minutes."))
    with_candidate = fields.Bool(required=True, metadata=_d("Étape en présence du candidat."))


class SessionPersonSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du compte."))
    name = fields.Str(required=True, metadata=_d("Prénom et nom."))


class SessionCountsSchema(ResponseSchema):
    candidates = fields.Int(required=True)
    jurors = fields.Int(required=True)
    present = fields.Int(required=True, metadata=_d("Candidats marqués présents."))
    absent = fields.Int(required=True, metadata=_d("Candidats marqués absents."))


class SessionLinksSchema(ResponseSchema):
    self = fields.Str(required=True, metadata=_d("Chemin de la ressource dans l'API."))
    html = fields.Str(required=True, metadata=_d("Chemin de la page de la session."))


class SessionSummarySchema(ResponseSchema):
    id = fields.Int(required=True)
    title = fields.Str(required=True, metadata=_d("Intitulé de la session."))
    certification_code = fields.Str(required=True, metadata=_d("Code de la certification."))
    status = fields.Str(required=True, metadata={"enum": ["draft", "open", "closed"],
                                                 **_d("« draft » en préparation, « open » ouverte, « closed » close.")})
    status_label = fields.Str(required=True, metadata=_d("Libellé français du statut."))
    starts_at = UtcDateTime(required=True, metadata=_d("Début de la session (créneau du premier candidat)."))
    ends_on = fields.Date(required=True, allow_none=True, metadata=_d("Dernier jour de la session."))
    centre = fields.Str(required=True, metadata=_d("Centre organisateur."))
    address = fields.Str(required=True, metadata=_d("Adresse du lieu ; chaîne vide sinon."))
    video_link = fields.Str(required=True, metadata=_d("Lien de visioconférence (https) ; chaîne vide sinon."))
    manager = fields.Nested(SessionPersonSchema, required=True, metadata=_d("Responsable de session."))
    counts = fields.Nested(SessionCountsSchema, required=True)
    links = fields.Nested(SessionLinksSchema, required=True)


class SessionListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SessionSummarySchema), required=True,
                        metadata=_d("Les sessions visibles par le compte du jeton, les plus récentes d'abord."))


class SessionJurorSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du juré dans la session."))
    user_id = fields.Int(required=True, metadata=_d("Identifiant du compte du juré."))
    name = fields.Str(required=True)
    email = fields.Str(required=True)
    position = fields.Str(required=True, metadata=_d("Poste occupé."))
    company = fields.Str(required=True, metadata=_d("Entreprise."))
    professional = fields.Bool(required=True, metadata=_d("Professionnel du métier."))
    experience_years = fields.Int(required=True, metadata=_d("Années d'expérience dans le métier."))
    external = fields.Bool(required=True, allow_none=True, metadata=_d(
        "Extérieur au certificateur et à l'organisme évaluateur ; null : pas encore renseigné (la règle des 50 % "
        "de jurés extérieurs, quand la certification l'impose, bloque alors l'ouverture)."))
    added_at = UtcDateTime(required=True)


class SessionJurorAddedSchema(SessionJurorSchema):
    invited = fields.Bool(required=True, metadata=_d(
        "Un compte a été créé et le juré a reçu un lien pour choisir son mot de passe."))


class SessionJurorListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SessionJurorSchema), required=True)


class SessionDeclarationSchema(ResponseSchema):
    candidate_id = fields.Int(required=True)
    juror_user_id = fields.Int(required=True, metadata=_d("Compte du juré qui déclare."))
    juror_name = fields.Str(required=True)
    no_link = fields.Bool(required=True, metadata=_d("Aucun lien professionnel ou personnel avec le candidat."))
    no_training = fields.Bool(required=True, metadata=_d("Aucune participation à sa formation ou préparation."))
    declared_at = UtcDateTime(required=True)


class SessionDeclarationListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SessionDeclarationSchema), required=True)


class SessionCandidateSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du candidat dans la session."))
    dossier_id = fields.Int(required=True)
    reference = fields.Str(required=True, allow_none=True, metadata=_d("Référence du dossier."))
    name = fields.Str(required=True, metadata=_d("Prénom et nom du candidat."))
    position = fields.Int(required=True, metadata=_d("Rang de passage (à partir de 0)."))
    starts_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Début du créneau."))
    convocation_at = UtcDateTime(required=True, metadata=_d("Heure de convocation (première étape en présence)."))
    attempt = fields.Int(required=True, metadata=_d("1 : premier passage ; 2 : rattrapage."))
    retake = fields.Bool(required=True)
    access_route = fields.Str(required=True, metadata=_d("Voie d'accès du dossier, telle que le procès-verbal "
                                                         "l'imprime (VAE ou Formation pour RNCP37827)."))
    block = fields.Str(required=True, allow_none=True, metadata=_d(
        "Le bloc présenté seul (son oral fixe la durée du créneau), ou null pour l'ensemble de la certification."))
    slot_minutes = fields.Int(required=True, metadata=_d("Durée du passage de ce candidat, en minutes."))
    attendance = fields.Str(required=True, metadata={"enum": ATTENDANCE_VALUES, **_d("Présence.")})
    attendance_label = fields.Str(required=True)
    dossier_status = fields.Str(required=True, metadata=_d("Statut du dossier."))
    declarations = fields.List(fields.Nested(SessionDeclarationSchema), required=True)


class SessionCandidateListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SessionCandidateSchema), required=True,
                        metadata=_d("Les candidats dans l'ordre de passage."))


class SessionEligibleSchema(ResponseSchema):
    dossier_id = fields.Int(required=True)
    reference = fields.Str(required=True, allow_none=True)
    name = fields.Str(required=True)
    attempt = fields.Int(required=True, metadata=_d("Numéro du passage s'il est ajouté."))
    retake = fields.Bool(required=True, metadata=_d("Rattrapage."))


class SessionEligibleListSchema(ResponseSchema):
    items = fields.List(fields.Nested(SessionEligibleSchema), required=True,
                        metadata=_d("Dossiers qui peuvent être ajoutés à la session."))


class SessionProblemSchema(ResponseSchema):
    rule = fields.Str(required=True, metadata=_d("Règle concernée (par exemple min_professionals)."))
    message = fields.Str(required=True, metadata=_d("Message en français, qui nomme la règle."))
    blocking = fields.Bool(required=True, metadata=_d("Empêche l'ouverture de la session."))
    juror_id = fields.Int(required=True, allow_none=True)
    dossier_id = fields.Int(required=True, allow_none=True)


class SessionProblemsSchema(ResponseSchema):
    blocking = fields.List(fields.Nested(SessionProblemSchema), required=True)
    warnings = fields.List(fields.Nested(SessionProblemSchema), required=True)


class SessionDetailSchema(SessionSummarySchema):
    manager_position = fields.Str(required=True, metadata=_d("Fonction du responsable de session."))
    observations = fields.Str(required=True, metadata=_d("Observations du responsable (partie 4 du PV)."))
    observations_editable = fields.Bool(required=True, metadata=_d(
        "Les observations peuvent changer maintenant (`PUT /sessions/{session_id}/observations`)."))
    opened_at = UtcDateTime(required=True, allow_none=True)
    closed_at = UtcDateTime(required=True, allow_none=True)
    regulation_sent_at = UtcDateTime(required=True, allow_none=True, metadata=_d(
        "Date d'envoi au jury, avec sa convocation, de la partie du règlement que la certification lui destine "
        "(par exemple « Les épreuves certificatives » pour RNCP37827) ; null : pas envoyée (session en "
        "préparation, ou certification sans ce document)."))
    slot_minutes = fields.Int(required=True, metadata=_d("Durée du passage d'un candidat."))
    schedule = fields.List(fields.Nested(SessionStepSchema), required=True, metadata=_d("Déroulé d'un passage."))
    jurors = fields.List(fields.Nested(SessionJurorSchema), required=True)
    candidates = fields.List(fields.Nested(SessionCandidateSchema), required=True)
    problems = fields.Nested(SessionProblemsSchema, required=True, metadata=_d("Règles de composition."))


# -- requests ------------------------------------------------------------------

class SessionWriteSchema(RequestSchema):
    title = fields.Str(validate=validate.Length(max=200), metadata=_d("Intitulé de la session."))
    starts_at = fields.AwareDateTime(metadata=_d("Début de la session, avec fuseau horaire."))
    ends_on = fields.Date(allow_none=True, metadata=_d("Dernier jour (par défaut, le jour du début)."))
    centre = fields.Str(validate=validate.Length(max=200), metadata=_d("Centre organisateur (par défaut, "
                                                                        "le nom de l'organisme)."))
    address = fields.Str(validate=validate.Length(max=500), metadata=_d("Adresse du lieu."))
    video_link = fields.Str(validate=validate.Length(max=500), metadata=_d(
        "Lien de visioconférence en https. L'adresse ou le lien est obligatoire."))
    manager_position = fields.Str(validate=validate.Length(max=200), metadata=_d("Fonction du responsable."))


class SessionCreateSchema(SessionWriteSchema):
    certification = fields.Str(required=True, metadata=_d("Code d'une certification activée pour l'organisme."))
    title = fields.Str(required=True, validate=validate.Length(max=200), metadata=_d("Intitulé de la session."))
    starts_at = fields.AwareDateTime(required=True, metadata=_d("Début de la session, avec fuseau horaire."))


class SessionUpdateSchema(SessionWriteSchema):
    observations = fields.Str(validate=validate.Length(max=4000), metadata=_d(
        "Observations du responsable (session ouverte ou correction en cours)."))


class SessionStepRequestSchema(RequestSchema):
    title = fields.Str(required=True, validate=validate.Length(max=200))
    minutes = fields.Int(required=True, strict=True, metadata=_d("Durée en minutes (1 à 600)."))
    with_candidate = fields.Bool(load_default=False)


class SessionScheduleRequestSchema(RequestSchema):
    steps = fields.List(fields.Nested(SessionStepRequestSchema), required=True,
                        metadata=_d("Les étapes du passage d'un candidat, dans l'ordre."))


class SessionJurorCreateSchema(RequestSchema):
    email = fields.Email(required=True, metadata=_d("Compte de juré existant, ou adresse à inviter."))
    first_name = fields.Str(load_default="", validate=validate.Length(max=100), metadata=_d(
        "Prénom, obligatoire pour inviter une adresse sans compte."))
    last_name = fields.Str(load_default="", validate=validate.Length(max=100), metadata=_d(
        "Nom, obligatoire pour inviter une adresse sans compte."))
    position = fields.Str(required=True, metadata=_d("Poste occupé."))
    company = fields.Str(required=True, metadata=_d("Entreprise."))
    professional = fields.Bool(load_default=True)
    experience_years = fields.Int(required=True, strict=True)
    external = fields.Bool(required=True, metadata=_d(
        "Extérieur ou extérieure à l'organisme certificateur et à l'organisme évaluateur : une réponse "
        "obligatoire, sans valeur par défaut."))


class SessionJurorUpdateSchema(RequestSchema):
    position = fields.Str()
    company = fields.Str()
    professional = fields.Bool()
    experience_years = fields.Int(strict=True)
    external = fields.Bool(metadata=_d("Extérieur ou extérieure (obligatoire si le juré n'a pas encore de réponse)."))


class SessionCandidateCreateSchema(RequestSchema):
    dossier_id = fields.Int(required=True, strict=True, metadata=_d("Un dossier recevable ou un rattrapage permis."))
    access_route = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40), metadata=_d(
        "Facultatif : la voie d'accès est celle sur laquelle le dossier a été ouvert ; une autre valeur répond "
        "422."))


class SessionCandidateUpdateSchema(RequestSchema):
    position = fields.Int(strict=True, metadata=_d(
        "Nouveau rang de passage (0 : premier) ; les autres candidats gardent leur ordre et les créneaux "
        "sont recalculés (comme les flèches « monter » et « descendre » de la page)."))
    starts_at = fields.AwareDateTime(metadata=_d(
        "Début du créneau, saisi à la main, avec fuseau horaire (appliqué après le changement de rang)."))


class SessionObservationsRequestSchema(RequestSchema):
    observations = fields.Str(required=True, validate=validate.Length(max=4000), metadata=_d(
        "Observations sur le déroulement de la session (partie 4 du procès-verbal) ; remplacent les "
        "précédentes. Chaîne vide : aucune observation."))
    manager_position = fields.Str(validate=validate.Length(max=200), metadata=_d(
        "Fonction du responsable de session (inchangée si absente)."))


class SessionObservationsSchema(ResponseSchema):
    observations = fields.Str(required=True, metadata=_d("Observations du responsable (partie 4 du PV)."))
    manager_position = fields.Str(required=True, metadata=_d("Fonction du responsable de session."))
    editable = fields.Bool(required=True, metadata=_d(
        "Les observations peuvent changer maintenant (session ouverte, ou correction du procès-verbal en "
        "cours, et aucun procès-verbal en signature)."))


class SessionAttendanceItemSchema(RequestSchema):
    candidate_id = fields.Int(required=True, strict=True)
    attendance = fields.Str(required=True, validate=validate.OneOf(ATTENDANCE_VALUES))


class SessionAttendanceRequestSchema(RequestSchema):
    attendance = fields.List(fields.Nested(SessionAttendanceItemSchema), required=True)


class SessionDeclarationItemSchema(RequestSchema):
    candidate_id = fields.Int(required=True, strict=True)
    no_link = fields.Bool(required=True, metadata=_d("false : lien déclaré avec le candidat."))
    no_training = fields.Bool(required=True, metadata=_d("false : participation déclarée à sa formation."))


class SessionDeclarationRequestSchema(RequestSchema):
    declarations = fields.List(fields.Nested(SessionDeclarationItemSchema), required=True)
