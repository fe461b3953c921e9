"""Marshmallow schemas of the API resources.

Schemas serialise the certification descriptor (frozen dataclasses) and the
database models; they are also what the OpenAPI document describes (the
MarshmallowPlugin turns each schema into ``components/schemas/<Name>``,
the class name without its ``Schema`` suffix). Field descriptions are in
French: they are shown to API users on the docs page.

Class names must be unique across the project: views refer to them by name
in their YAML docstrings (marshmallow's class registry resolves the name).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, missing, validate

from core.api.parsing import RequestSchema

from core.auth.models import Role


class UtcDateTime(fields.DateTime):
    """An ISO 8601 date-time in UTC with a ``Z`` suffix (naive values are taken as UTC, as SQLite returns them)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - defensive
            return super()._serialize(value, attr, obj, **kwargs)
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.isoformat(timespec="seconds").replace("+00:00", "Z")


class ResponseSchema(Schema):
    """Base of the schemas the API answers with.

    ``unknown = EXCLUDE`` keeps ``additionalProperties: false`` out of the
    document: a response may gain fields later without breaking clients that
    validate it. Request schemas keep marshmallow's default (``RAISE``).
    """

    class Meta:
        unknown = EXCLUDE


def _d(text: str) -> dict:
    return {"description": text}


# -- errors -------------------------------------------------------------------

class ErrorBodySchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code stable de l'erreur, à tester par les clients "
                                                 "(par exemple « unauthorized », « certification_not_found »)."))
    message = fields.Str(required=True, metadata=_d("Message lisible, en français."))
    details = fields.Raw(required=True, allow_none=True,
                         metadata=_d("Précisions (par exemple les erreurs par champ), ou null."))


class ErrorSchema(ResponseSchema):
    """Every error answered by the API: ``{"error": {"code", "message", "details"}}``."""

    error = fields.Nested(ErrorBodySchema, required=True)


# -- certifications -----------------------------------------------------------

class FeeSchema(ResponseSchema):
    amount_cents = fields.Int(required=True, metadata=_d("Montant en centimes."))
    currency = fields.Str(required=True, metadata=_d("Devise (ISO 4217), par exemple EUR."))
    label = fields.Str(metadata=_d("Libellé des frais."))
    covers = fields.Str(metadata=_d("Ce que les frais couvrent."))
    refundable = fields.Bool(required=True, metadata=_d("Les frais sont-ils remboursables ?"))


class WholeObject(fields.Nested):
    """A nested schema fed with the parent object itself (for computed sub-objects such as links)."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj


class CertificationLinksSchema(ResponseSchema):
    self = fields.Method("get_self", required=True,
                         metadata={"type": "string", **_d("Chemin de la ressource dans l'API.")})
    html = fields.Method("get_html", required=True,
                         metadata={"type": "string", **_d("Chemin de la page web de la certification.")})

    def get_self(self, cert) -> str:
        return url_for("api.certification", code=cert.code)

    def get_html(self, cert) -> str:
        return url_for("certifications.detail", code=cert.code)


class CertificationSummarySchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la certification (par exemple RNCP37827)."))
    title = fields.Str(required=True, metadata=_d("Intitulé."))
    certifier = fields.Str(required=True, metadata=_d("Certificateur."))
    registry = fields.Str(required=True, metadata=_d("Répertoire : RNCP ou RS."))
    level = fields.Str(required=True, metadata=_d("Niveau ; chaîne vide s'il n'est pas précisé."))
    plugin = fields.Str(required=True, metadata=_d("Extension (plugin) qui déclare la certification."))
    competency_count = fields.Method("get_competency_count", required=True,
                                     metadata={"type": "integer", **_d("Nombre de compétences.")})
    fee = fields.Nested(FeeSchema, required=True, allow_none=True, metadata=_d("Frais, ou null."))
    links = WholeObject(CertificationLinksSchema, required=True, metadata=_d("Liens vers la ressource et sa page web."))

    def get_competency_count(self, cert) -> int:
        return len(cert.competencies)


class CertificationListSchema(ResponseSchema):
    items = fields.List(fields.Nested(CertificationSummarySchema), required=True,
                        metadata=_d("Les certifications, triées par code."))


class CriterionSchema(ResponseSchema):
    code = fields.Str(required=True)
    text = fields.Str(required=True, metadata=_d("Critère d'évaluation, tel qu'écrit dans la grille."))


class CompetencySchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la compétence (par exemple C1)."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la compétence."))
    expected = fields.Str(required=True, metadata=_d("Contexte attendu de l'évaluation ; chaîne vide sinon."))
    editable = fields.Bool(required=True, metadata=_d("Intitulé non officiel, à confirmer par le certificateur."))
    evaluations = fields.List(fields.Str(), required=True, metadata=_d("Codes des épreuves qui l'évaluent."))
    criteria = fields.List(fields.Nested(CriterionSchema), required=True, metadata=_d("Critères d'évaluation."))


class BlockSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du bloc de compétences."))
    title = fields.Str(required=True, metadata=_d("Intitulé du bloc."))
    reference = fields.Str(required=True, metadata=_d("Référence de la certification partielle ; chaîne vide sinon."))
    evaluations = fields.List(fields.Str(), required=True, metadata=_d("Codes des épreuves du bloc."))
    evidence_examples = fields.List(fields.Str(), required=True, metadata=_d("Exemples d'éléments de preuve."))
    competencies = fields.List(fields.Nested(CompetencySchema), required=True)


class EvaluationSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de l'épreuve (par exemple E1)."))
    kind = fields.Str(required=True, metadata=_d("Modalité : mise en situation, cas pratique, oral…"))
    title = fields.Str(required=True)
    competencies = fields.List(fields.Str(), required=True, metadata=_d("Codes des compétences évaluées."))
    duration_minutes = fields.Int(required=True, allow_none=True, metadata=_d("Durée en minutes, ou null."))
    deliverable = fields.Str(required=True, metadata=_d("Livrable attendu."))
    assessment = fields.Str(required=True, metadata=_d("Modalité d'évaluation."))
    candidate_tasks = fields.List(fields.Str(), required=True, metadata=_d("Ce que fait le candidat ou la candidate."))
    max_score = fields.Float(required=True, allow_none=True, metadata=_d("Note maximale, ou null."))
    eliminatory_below = fields.Float(required=True, allow_none=True,
                                     metadata=_d("Note éliminatoire : strictement en dessous, l'épreuve est échouée ; "
                                                 "ou null."))


class ScheduleStepSchema(ResponseSchema):
    title = fields.Str(required=True)
    duration_minutes = fields.Int(required=True)
    with_candidate = fields.Bool(required=True, metadata=_d("Étape en présence du candidat ou de la candidate."))


class OralPartSchema(ResponseSchema):
    evaluations = fields.List(fields.Str(), required=True, metadata=_d("Épreuves concernées."))
    activity = fields.Str(required=True)
    minutes = fields.Int(required=True)
    deliverable = fields.Str(required=True)
    description = fields.Str(required=True)


class BlockOralSchema(ResponseSchema):
    block = fields.Str(required=True, metadata=_d("Code du bloc."))
    title = fields.Str(required=True, metadata=_d("Par exemple « Oral de passage du bloc 2 »."))
    total_minutes = fields.Int(required=True)
    parts = fields.List(fields.Nested(OralPartSchema), required=True)


class EvaluationSchemeSchema(ResponseSchema):
    summary = fields.Str(required=True, metadata=_d("Résumé des modalités d'évaluation."))
    evaluations = fields.List(fields.Nested(EvaluationSchema), required=True, metadata=_d("Les épreuves."))
    schedule = fields.List(fields.Nested(ScheduleStepSchema), required=True,
                           metadata=_d("Exemple de déroulé d'une session."))
    total_minutes = fields.Int(required=True, allow_none=True, metadata=_d("Durée totale en minutes, ou null."))
    block_orals = fields.List(fields.Nested(BlockOralSchema), required=True, metadata=_d(
        "L'oral passé pour valider un seul bloc (voies qui le permettent)."))


class DeliverableSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du livrable (par exemple E2)."))
    title = fields.Str(required=True)
    evaluations = fields.List(fields.Str(), required=True, metadata=_d("Épreuves qu'il sert."))
    min_pages = fields.Int(required=True, allow_none=True, metadata=_d("Nombre de pages minimal, ou null."))
    max_pages = fields.Int(required=True, allow_none=True, metadata=_d("Nombre de pages maximal, ou null."))
    rule = fields.Str(required=True, metadata=_d("La règle du référentiel, citée en cas de refus."))


class RouteSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code de la voie, à donner à l'ouverture du dossier."))
    label = fields.Str(required=True, metadata=_d("Libellé (colonne « Voie d'accès » du procès-verbal)."))
    description = fields.Str(required=True)
    sections = fields.List(fields.Str(), required=True, metadata=_d("Sections du dossier sur cette voie (vide : "
                                                                    "toutes)."))
    deliverables = fields.List(fields.Nested(DeliverableSchema), required=True, metadata=_d(
        "Livrables à déposer, par épreuve."))
    fee = fields.Bool(required=True, metadata=_d("Les frais de la certification s'appliquent-ils ?"))
    blocks_alone = fields.Bool(required=True, metadata=_d("Peut-on se présenter à un seul bloc ?"))
    admissibility_review = fields.Bool(required=True, metadata=_d(
        "Le certificateur étudie-t-il la recevabilité du dossier déposé ? Sinon, le dossier déposé est "
        "recevable aussitôt."))


class OutcomeSchema(ResponseSchema):
    code = fields.Str(required=True)
    label = fields.Str(required=True)
    description = fields.Str(required=True)
    comment_required = fields.Bool(required=True, metadata=_d("Le jury doit motiver cette décision."))


class DecisionRulesSchema(ResponseSchema):
    summary = fields.List(fields.Str(), required=True, metadata=_d("Les règles, en phrases."))
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True, metadata=_d("Décisions possibles du jury."))
    block_validation = fields.Bool(required=True, metadata=_d("Chaque bloc peut être validé séparément."))
    competency_scale = fields.Float(required=True, allow_none=True,
                                    metadata=_d("Barème d'une compétence (par exemple 5), ou null."))
    competency_threshold = fields.Float(required=True, allow_none=True,
                                        metadata=_d("Seuil de validation d'une compétence, ou null."))
    averaging = fields.Bool(required=True, metadata=_d("Compensation par la moyenne entre compétences."))
    retakes = fields.Int(required=True, metadata=_d("Nombre de repassages permis."))
    retake_within_days = fields.Int(required=True, allow_none=True,
                                    metadata=_d("Délai du repassage en jours, ou null."))
    retake_within_months = fields.Int(required=True, allow_none=True, metadata=_d(
        "Délai du repassage en mois calendaires (12 : un an), ou null ; il remplace le délai en jours."))
    retake_free = fields.Bool(required=True, metadata=_d("Repassage gratuit."))
    notify_success = fields.Str(required=True)
    notify_failure = fields.Str(required=True)


class JuryRuleSchema(ResponseSchema):
    key = fields.Str(required=True)
    text = fields.Str(required=True)


class DeadlineSchema(ResponseSchema):
    key = fields.Str(required=True)
    label = fields.Str(required=True)
    days = fields.Int(required=True, metadata=_d("Délai en jours."))
    after = fields.Str(required=True, metadata=_d("Événement à partir duquel le délai court."))


class CertificationSchema(CertificationSummarySchema):
    summary = fields.Str(required=True, metadata=_d("Présentation."))
    organisations = fields.Method("get_organisations", required=True, metadata={
        "type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": ["certifier", "centre"]}}, "required": ["id", "name", "role"]},
        **_d("Organismes qui délivrent la certification sur la plateforme : le certificateur puis les centres "
             "habilités. Vide : aucun dossier ne peut encore être ouvert.")})

    def get_organisations(self, cert) -> list[dict]:
        from core.dossiers.services import delivering_organisations

        rows = []
        for org in delivering_organisations(cert.code):
            link = next(link for link in org.certifications if link.certification_code == cert.code)
            rows.append({"id": org.id, "name": org.name, "role": link.role.value})
        return rows
    access_routes = fields.List(fields.Str(), required=True, metadata=_d("Voies d'accès (telles que publiées)."))
    routes = fields.List(fields.Nested(RouteSchema), required=True, metadata=_d(
        "Les voies d'accès sur lesquelles un dossier peut être ouvert, la première par défaut."))
    blocks = fields.List(fields.Nested(BlockSchema), required=True,
                         metadata=_d("Blocs → compétences → critères d'évaluation."))
    scheme = fields.Nested(EvaluationSchemeSchema, required=True, allow_none=True,
                           metadata=_d("Épreuves et déroulé, ou null."))
    rules = fields.Nested(DecisionRulesSchema, required=True, allow_none=True,
                          metadata=_d("Règles de décision, ou null."))
    jury_rules = fields.List(fields.Nested(JuryRuleSchema), required=True, metadata=_d("Composition du jury."))
    deadlines = fields.List(fields.Nested(DeadlineSchema), required=True, metadata=_d("Délais."))
    notes = fields.List(fields.Str(), required=True,
                        metadata=_d("Avertissements (par exemple intitulés non officiels)."))


# -- accounts and tokens ------------------------------------------------------

class OrganisationRefSchema(ResponseSchema):
    id = fields.Int(required=True)
    name = fields.Str(required=True)


class MeSchema(ResponseSchema):
    id = fields.Int(required=True)
    email = fields.Email(required=True)
    first_name = fields.Str(required=True)
    last_name = fields.Str(required=True)
    role = fields.Enum(Role, by_value=True, required=True, metadata={"type": "string", **_d("Rôle du compte.")})
    organisation = fields.Nested(OrganisationRefSchema, required=True, allow_none=True,
                                 metadata=_d("Organisation de rattachement, ou null."))
    email_verified = fields.Method("get_email_verified", required=True,
                                   metadata={"type": "boolean", **_d("Adresse électronique vérifiée.")})
    language = fields.Str(required=True, allow_none=True, attribute="locale", metadata=_d(
        "Langue choisie pour le compte (« fr », « en »), ou null si aucune ne l'a été : voir `PATCH /api/v1/me`."))

    def get_email_verified(self, user) -> bool:
        return user.is_verified


class TokenSchema(ResponseSchema):
    id = fields.Int(required=True)
    name = fields.Str(required=True, metadata=_d("Libellé choisi à la création."))
    hint = fields.Str(required=True, metadata=_d("Premiers caractères du jeton, pour le reconnaître."))
    created_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Dernière utilisation, ou null."))
    expires_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Expiration, ou null (sans expiration)."))
    revoked = fields.Method("get_revoked", required=True, metadata={"type": "boolean", **_d("Jeton révoqué.")})
    revoked_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date de révocation, ou null."))
    current = fields.Method("get_current", required=True,
                            metadata={"type": "boolean", **_d("C'est le jeton utilisé pour cette requête.")})

    def get_revoked(self, token) -> bool:
        return token.revoked_at is not None

    def get_current(self, token) -> bool:
        from core.api.auth import current_api_token

        used = current_api_token()
        return used is not None and used.id == token.id


class TokenListSchema(ResponseSchema):
    items = fields.List(fields.Nested(TokenSchema), required=True,
                        metadata=_d("Les jetons, du plus récent au plus ancien."))


# -- requests: signing in for a token, the account's preferences ---------------------------------

TOKEN_DAYS_MAX = 365  # the account page offers 30, 90, 365 days or none (0); a script may want a day


class _TokenDays(validate.Range):
    """0 to :data:`TOKEN_DAYS_MAX` (published as minimum/maximum), with a message in the request's language."""

    def __init__(self) -> None:
        super().__init__(min=0, max=TOKEN_DAYS_MAX)

    def __call__(self, value):
        from flask_babel import gettext as _
        from marshmallow import ValidationError

        if isinstance(value, int) and not 0 <= value <= TOKEN_DAYS_MAX:
            raise ValidationError(_("Durée de validité invalide : de 1 à %(max)d jours, ou 0 pour un jeton sans "
                                    "date d'expiration.", max=TOKEN_DAYS_MAX))
        return value


class TokenCreateSchema(RequestSchema):
    email = fields.Str(required=True, validate=validate.Length(
        max=254, error=_l("L'adresse est limitée à 254 caractères.")), metadata=_d("Adresse électronique du compte."))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(
        max=1000, error=_l("Le mot de passe est trop long.")), metadata=_d("Mot de passe du compte."))
    name = fields.Str(required=True, validate=validate.Length(
        min=1, max=100, error=_l("Le nom doit faire entre 1 et 100 caractères.")), metadata=_d("Nom du jeton, pour le reconnaître plus tard (par exemple « Script d'import »)."))
    days = fields.Int(load_default=90, validate=_TokenDays(), metadata=_d(
        "Durée de validité en jours, de 1 à 365 (90 par défaut, comme sur la page du compte) ; 0 pour un jeton "
        "sans date d'expiration."))


class TokenCreatedSchema(TokenSchema):
    token = fields.Str(required=True, metadata=_d(
        "Le jeton d'accès, à envoyer dans l'en-tête « Authorization: Bearer <jeton> ». Il n'est montré "
        "qu'une fois : seule son empreinte est conservée."))


class MeUpdateSchema(RequestSchema):
    language = fields.Str(metadata=_d("Langue du compte : « fr » ou « en » (réglage LANGUAGES)."))
    first_name = fields.Str(validate=validate.Length(min=1, max=100), metadata=_d(
        "Prénom (rectification, RGPD art. 16). Les documents déjà scellés gardent le nom avec lequel ils ont été "
        "signés."))
    last_name = fields.Str(validate=validate.Length(min=1, max=100), metadata=_d("Nom de famille."))
