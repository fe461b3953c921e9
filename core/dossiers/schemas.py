"""Marshmallow schemas of the dossier API (:mod:`core.dossiers.api`).

The views build plain dicts from the dossier services and dump them through
these schemas; the OpenAPI document describes them under
``components/schemas`` (class name without ``Schema``). Descriptions are in
French: API users read them on the docs page.
"""
from __future__ import annotations

from marshmallow import fields, validate

from core.annexes.schemas import DossierDeliverableSchema
from core.api.parsing import RequestSchema
from core.api.schemas import ResponseSchema, UtcDateTime


def _d(text: str) -> dict:
    return {"description": text}


SECTION_STATES = ("empty", "in_progress", "complete")


# -- certification sections ---------------------------------------------------

class SectionDescriptorSchema(ResponseSchema):
    key = fields.Str(required=True, metadata=_d("Clé stable de la section (segment d'URL)."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la section."))
    kind = fields.Str(required=True, metadata={"enum": ["form", "annexes", "deliverables", "contents", "text"], **_d(
        "Nature : « form » (formulaire à remplir par l'API), « annexes » (pièces justificatives, "
        "envoyées en multipart), « deliverables » (livrables des épreuves de la voie d'accès, envoyés en "
        "multipart par POST /api/v1/dossiers/{id}/deliverables/{code}), « contents » (table calculée par la "
        "plateforme) ou « text » (information imprimée dans le document déposé, dans `intro` : rien à remplir).")})
    required = fields.Bool(required=True, metadata=_d("La section est-elle nécessaire au dépôt ?"))
    intro = fields.Str(required=True, metadata=_d("Texte d'introduction ; chaîne vide s'il n'y en a pas."))
    schema = fields.Dict(required=True, allow_none=True, metadata=_d(
        "JSON Schema (2020-12) des données d'une section complète ; null si la section n'est pas un "
        "formulaire."))
    draft_schema = fields.Dict(required=True, allow_none=True, metadata=_d(
        "JSON Schema (2020-12) d'un brouillon (aucun champ obligatoire) : ce que PUT accepte ; null si la "
        "section n'est pas un formulaire."))


class SectionDescriptorListSchema(ResponseSchema):
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    items = fields.List(fields.Nested(SectionDescriptorSchema), required=True, metadata=_d(
        "Les sections du dossier, dans l'ordre du livret ; liste vide si la certification n'a pas de "
        "dossier en ligne."))


# -- problems and coverage ----------------------------------------------------

class DossierProblemSchema(ResponseSchema):
    message = fields.Str(required=True, metadata=_d("Ce qui manque ou est à corriger, en français."))
    section = fields.Str(required=True, allow_none=True, metadata=_d("Clé de la section concernée, ou null."))
    field = fields.Str(required=True, allow_none=True, metadata=_d(
        "Champ concerné dans la section (chemin avec des tirets, par exemple « fiches-0-contexte »), ou null."))
    code = fields.Str(required=True, metadata=_d(
        "Code stable : section_empty, section_invalid, annexes_missing, annex_infected, annex_pending, "
        "competency_without_evidence, deliverable_missing, deliverable_infected, deliverable_pending, ou un "
        "code propre à l'extension."))
    blocking = fields.Bool(required=True, metadata=_d(
        "true : empêche le dépôt ; false : simple avertissement."))


class DossierProblemListSchema(ResponseSchema):
    ready = fields.Bool(required=True, metadata=_d(
        "true si le dossier peut être déposé maintenant (modifiable et sans problème bloquant)."))
    blocking_count = fields.Int(required=True, metadata=_d("Nombre de problèmes bloquants."))
    items = fields.List(fields.Nested(DossierProblemSchema), required=True, metadata=_d(
        "Les problèmes, bloquants puis avertissements."))


class CoverageRowSchema(ResponseSchema):
    block = fields.Str(required=True, metadata=_d("Code du bloc de compétences."))
    competency = fields.Str(required=True, metadata=_d("Code de la compétence."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la compétence."))
    annexes = fields.List(fields.Int(), required=True, metadata=_d(
        "Numéros des annexes associées à la compétence ; liste vide : aucune preuve."))


class DossierAnnexSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de l'annexe dans le dossier."))
    title = fields.Str(required=True, metadata=_d("Titre de l'annexe."))
    role = fields.Str(required=True, metadata=_d("Rôle : « evidence » (preuve), « cv »…"))
    filename = fields.Str(required=True, metadata=_d("Nom de fichier (nettoyé)."))
    media_type = fields.Str(required=True, metadata=_d("Type de contenu détecté."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 (hexadécimal)."))
    scan_state = fields.Str(required=True, metadata={
        "enum": ["pending", "clean", "infected", "error", "not_scanned"], **_d("État de l'analyse antivirus.")})
    competencies = fields.List(fields.Str(), required=True, metadata=_d("Codes des compétences associées."))


# -- sections of a dossier ----------------------------------------------------

class DossierSectionSchema(ResponseSchema):
    key = fields.Str(required=True, metadata=_d("Clé de la section."))
    title = fields.Str(required=True, metadata=_d("Intitulé de la section."))
    kind = fields.Str(required=True, metadata={"enum": ["form", "annexes", "deliverables", "contents", "text"],
                                               **_d("Nature.")})
    required = fields.Bool(required=True, metadata=_d("La section est-elle nécessaire au dépôt ?"))
    state = fields.Str(required=True, metadata={"enum": list(SECTION_STATES), **_d(
        "État : « empty » (rien d'enregistré), « in_progress » (brouillon incomplet), « complete ».")})
    state_label = fields.Str(required=True, metadata=_d("État en français."))
    complete = fields.Bool(required=True, metadata=_d("La section est-elle complète ?"))
    revision = fields.Int(required=True, allow_none=True, metadata=_d(
        "Révision du brouillon (incrémentée à chaque enregistrement), à renvoyer dans « If-Match » ou "
        "« revision » pour refuser une écriture concurrente ; null si rien n'est enregistré."))
    updated_at = UtcDateTime(required=True, allow_none=True, metadata=_d(
        "Date du dernier enregistrement, ou null."))
    problems = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()), required=True, metadata=_d(
        "Ce qui manque pour que la section soit complète : messages par chemin de champ "
        "(par exemple « fiches.0.contexte »)."))
    data = fields.Dict(required=True, allow_none=True, metadata=_d(
        "Les données enregistrées (conformes à « draft_schema ») ; null si la section n'est pas un formulaire."))


# -- dossiers -----------------------------------------------------------------

class DossierLinksSchema(ResponseSchema):
    self = fields.Str(required=True, metadata=_d("Chemin de la ressource dans l'API."))
    html = fields.Str(required=True, metadata=_d("Chemin de la page web du dossier."))
    problems = fields.Str(required=True, metadata=_d("Chemin de la vérification avant dépôt."))
    submit = fields.Str(required=True, metadata=_d("Chemin du dépôt (POST)."))
    documents = fields.Str(required=True, metadata=_d("Chemin des documents émis."))
    preview = fields.Str(required=True, metadata=_d(
        "Chemin de l'aperçu PDF du Livret 2 avant signature (titulaire du dossier seulement)."))


class DossierOrganisationSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant de l'organisme."))
    name = fields.Str(required=True, metadata=_d("Nom de l'organisme."))


class DossierSummarySchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    organisation = fields.Nested(DossierOrganisationSchema, required=True, allow_none=True, metadata=_d(
        "L'organisme (certificateur ou centre habilité) auprès duquel le dossier est déposé : son équipe seule "
        "l'instruit."))
    reference = fields.Str(required=True, metadata=_d("Référence lisible, par exemple RNCP37827-2025-000042."))
    certification = fields.Str(required=True, metadata=_d("Code de la certification."))
    route = fields.Str(required=True, metadata=_d("Voie d'accès du dossier (code parmi `routes` de la certification)."))
    route_label = fields.Str(required=True, metadata=_d("Voie d'accès telle que le procès-verbal l'imprime."))
    block = fields.Str(required=True, allow_none=True, metadata=_d(
        "Le bloc de compétences unique présenté, ou null pour l'ensemble de la certification."))
    status = fields.Str(required=True, metadata={"enum": [
        "draft", "submitted", "corrections_requested", "admissible", "inadmissible", "scheduled", "evaluated",
        "decided", "closed"], **_d("Statut du dossier.")})
    status_label = fields.Str(required=True, metadata=_d("Statut en français."))
    editable = fields.Bool(required=True, metadata=_d(
        "Les sections peuvent-elles être modifiées (brouillon ou corrections demandées) ?"))
    created_at = UtcDateTime(required=True, metadata=_d("Date d'ouverture."))
    updated_at = UtcDateTime(required=True, metadata=_d("Date de la dernière modification."))
    submitted_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Date du dernier dépôt, ou null."))
    links = fields.Nested(DossierLinksSchema, required=True, metadata=_d("Liens utiles."))


class DossierListSchema(ResponseSchema):
    items = fields.List(fields.Nested(DossierSummarySchema), required=True, metadata=_d(
        "Les dossiers du compte, du plus récent au plus ancien (pas de pagination : un candidat n'a que "
        "quelques dossiers)."))


class ManifestEntrySchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de l'annexe."))
    title = fields.Str(required=True, metadata=_d("Titre."))
    role = fields.Str(metadata=_d("Rôle de l'annexe."))
    filename = fields.Str(metadata=_d("Nom de fichier."))
    media_type = fields.Str(required=True, metadata=_d("Type de contenu."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 de l'objet déposé."))
    pages = fields.Int(allow_none=True, metadata=_d("Nombre de pages, si connu."))
    competencies = fields.List(fields.Str(), metadata=_d("Compétences associées."))
    deliverable = fields.Str(metadata=_d("Code du livrable d'épreuve (E1, E2…) ; absent pour une annexe."))


class DossierVersionSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro de la version déposée (1, 2…)."))
    submitted_at = UtcDateTime(required=True, metadata=_d("Date du dépôt."))
    manifest = fields.List(fields.Nested(ManifestEntrySchema), required=True, metadata=_d(
        "Manifeste des annexes figées dans cette version."))
    documents_pending = fields.Bool(required=True, metadata=_d(
        "Vrai tant que le Livret 2 signé et l'accusé de réception attendent leur scellement (service "
        "d'horodatage lent) : suivre `GET /dossiers/{id}/sealing`."))


class SubmissionSealingSchema(ResponseSchema):
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    version = fields.Int(required=True, allow_none=True, metadata=_d("La dernière version déposée (null : aucune)."))
    done = fields.Bool(required=True, metadata=_d(
        "Vrai quand le Livret 2 signé et l'accusé de réception de cette version sont émis."))
    signed = fields.Int(required=True, metadata=_d("Documents à émettre pour la version (2)."))
    sealed = fields.Int(required=True, metadata=_d("Parmi eux, ceux qui sont émis (signés et scellés)."))
    error = fields.Str(required=True, allow_none=True, metadata=_d(
        "La raison du dernier essai échoué, en français (un nouvel essai est prévu)."))
    attempted_at = UtcDateTime(required=True, allow_none=True, metadata=_d("Le dernier essai."))


class SubmissionSchema(ResponseSchema):
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    status = fields.Str(required=True, metadata=_d("Nouveau statut du dossier (« submitted »)."))
    status_label = fields.Str(required=True, metadata=_d("Statut en français."))
    version = fields.Nested(DossierVersionSchema, required=True, metadata=_d("La version déposée."))


class DossierSchema(DossierSummarySchema):
    sections = fields.List(fields.Nested(DossierSectionSchema), required=True, metadata=_d(
        "Les sections, dans l'ordre du livret, avec leur état et leurs données."))
    problems = fields.List(fields.Nested(DossierProblemSchema), required=True, metadata=_d(
        "Ce qui empêche le dépôt (blocking: true) et les avertissements."))
    coverage = fields.List(fields.Nested(CoverageRowSchema), required=True, metadata=_d(
        "Couverture des compétences par les preuves."))
    annexes = fields.List(fields.Nested(DossierAnnexSchema), required=True, metadata=_d(
        "Les annexes actuelles du dossier (livrables compris, rôle « deliverable »)."))
    deliverables = fields.List(fields.Nested(DossierDeliverableSchema), required=True, metadata=_d(
        "Les livrables des épreuves que la voie d'accès du dossier demande, avec le fichier déposé pour "
        "chacun ; liste vide sur une voie sans livrable."))
    versions = fields.List(fields.Nested(DossierVersionSchema), required=True, metadata=_d(
        "Les versions déposées, de la plus ancienne à la plus récente."))


class DossierCreateSchema(RequestSchema):
    certification = fields.Str(required=True, metadata=_d("Code de la certification, par exemple RNCP37827."))
    organisation_id = fields.Int(strict=True, load_default=None, allow_none=True,
                                 validate=validate.Range(min=1, max=2**31 - 1),
                                 metadata=_d("Organisme auprès duquel le dossier est déposé (certificateur ou "
                                             "centre habilité), parmi `organisations` de la certification ; "
                                             "obligatoire quand plusieurs organismes la délivrent."))
    route = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40),
                       metadata=_d("Voie d'accès, parmi `routes` de la certification (`vae`, `formation`…) ; la "
                                   "première voie déclarée par défaut. Une voie non proposée répond 422 avec "
                                   "`details.offered_routes`."))
    block = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=40),
                       metadata=_d("Pour se présenter à un seul bloc de compétences (`BC02`…), sur une voie qui "
                                   "le permet ; absent : l'ensemble de la certification."))


# -- documents ----------------------------------------------------------------

class DossierDocumentLinksSchema(ResponseSchema):
    content = fields.Str(required=True, metadata=_d("Chemin du téléchargement du fichier."))


class DossierDocumentSchema(ResponseSchema):
    id = fields.Int(required=True, metadata=_d("Identifiant du document."))
    kind = fields.Str(required=True, metadata=_d("Nature, par exemple « livret2 » ou « receipt »."))
    title = fields.Str(required=True, metadata=_d("Titre."))
    filename = fields.Str(required=True, metadata=_d("Nom de fichier proposé au téléchargement."))
    media_type = fields.Str(required=True, metadata=_d("Type de contenu (en général application/pdf)."))
    size = fields.Int(required=True, metadata=_d("Taille en octets."))
    sha256 = fields.Str(required=True, metadata=_d("Empreinte SHA-256 du fichier."))
    version = fields.Int(required=True, allow_none=True, metadata=_d(
        "Numéro de la version du dossier à laquelle le document se rapporte, ou null."))
    created_at = UtcDateTime(required=True, metadata=_d("Date d'émission."))
    links = fields.Nested(DossierDocumentLinksSchema, required=True, metadata=_d("Liens."))


class DossierDocumentListSchema(ResponseSchema):
    items = fields.List(fields.Nested(DossierDocumentSchema), required=True, metadata=_d(
        "Les documents émis pour le dossier, du plus ancien au plus récent."))


class SubmitRequestSchema(RequestSchema):
    password = fields.String(required=True, load_only=True, metadata={
        "description": "Mot de passe du candidat : il confirme son identité avant la signature de sa déclaration."})


# -- the candidate's result (GET /dossiers/{id}/result) ------------------------------------------------

class DossierResultBlockSchema(ResponseSchema):
    code = fields.Str(required=True, metadata=_d("Code du bloc de compétences, par exemple « BC02 »."))
    title = fields.Str(required=True, metadata=_d("Intitulé du bloc."))
    reference = fields.Str(required=True, allow_none=True, metadata=_d(
        "Référence du bloc au répertoire (par exemple « RNCP37827BC02 »), ou null."))


class DossierResultDecisionSchema(ResponseSchema):
    outcome = fields.Str(required=True, metadata=_d(
        "Code de la décision (issues de la grille de la certification, ou « absent »)."))
    outcome_label = fields.Str(required=True, metadata=_d("Libellé français de la décision."))
    category = fields.Str(required=True, allow_none=True, metadata={
        "enum": ["total", "partial", "refused", "absent"],
        **_d("Catégorie du procès-verbal : « total » (admission totale), « partial » (admission partielle), "
             "« refused » (refus), « absent ».")})
    category_label = fields.Str(required=True, metadata=_d("Libellé français de la catégorie."))
    vae_outcome = fields.Str(required=True, allow_none=True, metadata=_d("Issue de l'entretien VAE, ou null."))
    vae_outcome_label = fields.Str(required=True, allow_none=True, metadata=_d("Son libellé français, ou null."))
    validated_blocks = fields.List(fields.Nested(DossierResultBlockSchema), required=True, metadata=_d(
        "Blocs de compétences validés par le jury, dans l'ordre du référentiel."))
    remaining = fields.Str(required=True, metadata=_d("Ce qui reste à acquérir, tel que la page le montre."))
    comment = fields.Str(required=True, metadata=_d("Commentaires du jury, tels que la page les montre."))
    retake_until = fields.Date(required=True, allow_none=True, metadata=_d(
        "Dernier jour pour se présenter au rattrapage fixé par cette décision, ou null."))
    sealed_at = UtcDateTime(required=True, metadata=_d("Scellement de la décision (procès-verbal signé et scellé)."))


class DossierResultPvSchema(ResponseSchema):
    number = fields.Int(required=True, metadata=_d("Numéro du procès-verbal (2, 3… : rectificatif)."))
    sealed_at = UtcDateTime(required=True, metadata=_d("Scellement du procès-verbal."))


class DossierSittingSchema(ResponseSchema):
    attempt = fields.Int(required=True, metadata=_d("Numéro du passage : 1, puis 2 pour un rattrapage…"))
    session_id = fields.Int(required=True, metadata=_d("Identifiant de la session de jury."))
    session_date = fields.Date(required=True, metadata=_d("Jour de la session (heure de Paris)."))
    attendance = fields.Str(required=True, metadata={"enum": ["unknown", "present", "absent"],
                                                     **_d("Présence du candidat.")})
    attendance_label = fields.Str(required=True, metadata=_d("Libellé français de la présence."))
    decision = fields.Nested(DossierResultDecisionSchema, required=True, metadata=_d("La décision scellée."))
    pv = fields.Nested(DossierResultPvSchema, required=True, allow_none=True, metadata=_d(
        "Le procès-verbal qui porte la décision, ou null."))
    documents = fields.List(fields.Nested(DossierDocumentSchema), required=True, metadata=_d(
        "Documents émis avec cette décision et lisibles par le compte du jeton : grille d'évaluation "
        "signée (« jury_grid »), certificat nominatif (« certificate »), relevé de décision pour l'édition du "
        "parchemin (« parchment_record »), attestation de blocs (« blocks_attestation »)…, avec leur lien de "
        "téléchargement, "
        "leur empreinte SHA-256 et leur taille."))


class DossierRetakeSchema(ResponseSchema):
    possible = fields.Bool(required=True, metadata=_d(
        "Un rattrapage est encore possible : la dernière décision scellée n'est pas une réussite, le délai "
        "de rattrapage court toujours et le nombre de passages permis n'est pas atteint."))
    attempts_used = fields.Int(required=True, metadata=_d("Passages devant un jury (sessions ouvertes ou closes)."))
    attempts_allowed = fields.Int(required=True, metadata=_d(
        "Passages permis par le règlement : 1 + le nombre de rattrapages."))
    deadline = fields.Date(required=True, allow_none=True, metadata=_d(
        "Dernier jour du délai de rattrapage (décision d'échec), ou null."))
    free = fields.Bool(required=True, metadata=_d("Le rattrapage est sans frais de certification."))
    message = fields.Str(required=True, metadata=_d("Ce que la page du dossier en dit, en français ; vide sinon."))


class DossierResultSchema(ResponseSchema):
    dossier_id = fields.Int(required=True, metadata=_d("Identifiant du dossier."))
    reference = fields.Str(required=True, allow_none=True, metadata=_d("Référence du dossier."))
    certification_code = fields.Str(required=True, metadata=_d("Code de la certification."))
    status = fields.Str(required=True, metadata={"enum": ["not_convened", "awaiting_result", "decided"], **_d(
        "« not_convened » : aucune session de jury ouverte pour ce dossier ; « awaiting_result » : le dernier "
        "passage n'a pas encore de décision scellée ; « decided » : la décision du dernier passage est "
        "scellée.")})
    status_label = fields.Str(required=True, metadata=_d("Libellé français du statut."))
    sittings = fields.List(fields.Nested(DossierSittingSchema), required=True, metadata=_d(
        "Les passages dont la décision est scellée, du plus ancien au plus récent. Une décision n'apparaît "
        "qu'une fois son procès-verbal signé et scellé ; pendant une correction, la décision scellée reste "
        "affichée jusqu'au scellement du procès-verbal rectificatif."))
    retake = fields.Nested(DossierRetakeSchema, required=True, allow_none=True, metadata=_d(
        "Le rattrapage, ou null quand la certification n'est plus installée."))
