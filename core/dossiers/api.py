"""Dossier API: section schemas, dossiers, section drafts, completeness, submission, documents.

Every view loads the dossier through :func:`core.dossiers.services.get_dossier_for`
with the token's user, so a dossier the caller may not see is a 404 (never a
403) on every URL. The logic lives in :mod:`core.dossiers.services`; this
module parses requests, calls the services and shapes the answers.

Differences with the browser pages, on purpose:

- ``PUT /dossiers/{id}/sections/{key}`` refuses (422, nothing saved) data that
  do not parse — unknown fields, wrong JSON types, a date that is not a date,
  a SIRET whose key is wrong — whereas the page saves a draft as typed so that
  nothing is lost. An API client keeps its own copy and should fix its
  payload. Data that parse but are incomplete are saved, as on the page, with
  ``complete: false`` and the strict problems.
- Concurrent writes: the revision of a section is its ``ETag``; ``If-Match``
  (or ``revision`` in the body) makes a stale write a 409 ``stale_revision``.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import TAGS, declare_error_response, declare_tag
from core.certifications.services import get_certification
from core.dossiers import services
from core.dossiers.api_bodies import _parse_revision, _require_editable, _schema_errors, _split_body
from core.dossiers.api_shapes import _detail, _section_response, _summary
from core.dossiers.schemas import (DossierCreateSchema, DossierListSchema, DossierSchema,
                                   SectionDescriptorListSchema)
from core.dossiers.sections import DELIVERABLES, FORM
from core.errors import UserError, ValidationFailed
from core.extensions import db

blueprint = api_blueprint("dossiers_api", __name__)

declare_tag("dossiers", "Le dossier du candidat : description des sections (JSON Schema), ouverture, "
                        "brouillons section par section, vérification, dépôt et documents émis.", "Dossiers")
if "documents" not in TAGS:  # another area may describe the tag too
    declare_tag("documents", "Les documents émis par la plateforme : téléchargement.", "Documents")
declare_error_response("DossierNotFound", code="dossier_not_found",
                       description="Aucun dossier accessible avec ce jeton ne porte cet identifiant "
                                   "(un dossier d'un autre compte est toujours signalé comme absent).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("SectionNotFound", code="section_not_found",
                       description="Le dossier n'a pas de section portant cette clé.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("DocumentNotFound", code="document_not_found",
                       description="Aucun document accessible avec ce jeton ne porte cet identifiant.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("DossierExists", code="dossier_exists",
                       description="Le compte a déjà un dossier en cours pour cette certification ; "
                                   "`details.dossier_id` le désigne.",
                       message="Vous avez déjà un dossier en cours pour cette certification.")
declare_error_response("DossierNotCreated", code="not_a_candidate",
                       description="Le dossier ne peut pas être ouvert : le compte n'est pas un compte "
                                   "candidat (`not_a_candidate`) ou la certification n'a pas de dossier en "
                                   "ligne (`no_online_dossier`).",
                       message="Seul un compte candidat peut ouvrir un dossier.")
declare_error_response("SectionConflict", code="dossier_locked",
                       description="Écriture refusée : le dossier est déposé (`dossier_locked`), ou la "
                                   "section a été modifiée depuis la révision envoyée (`stale_revision`).",
                       message="Ce dossier a été déposé : il ne peut plus être modifié.")
declare_error_response("SectionInvalid", code="validation_failed",
                       description="Les données ne peuvent pas être lues ; rien n'est enregistré. "
                                   "`details` donne les messages par chemin de champ "
                                   "(par exemple `{\"date_naissance\": [\"Date invalide…\"]}`).",
                       message="Certaines données sont invalides.")
declare_error_response("SectionNotWritable", code="not_a_form_section",
                       description="La section n'est pas un formulaire (annexes, contenu calculé), ou "
                                   "l'en-tête If-Match / le champ revision est mal formé (`invalid_revision`).",
                       message="Cette section ne se remplit pas par ce point d'accès.")
declare_error_response("DossierIncomplete", code="dossier_incomplete",
                       description="Le dossier ne peut pas être déposé : incomplet (`dossier_incomplete`, "
                                   "`details` = liste des problèmes {message, section, field, code}) ou "
                                   "déjà déposé (`wrong_state`).",
                       message="Le dossier est incomplet : 2 point(s) à régler avant le dépôt.")
declare_error_response("DocumentUnavailable", code="document_unavailable",
                       description="Le fichier du document est momentanément inaccessible dans le stockage, ou "
                                   "ses octets ne correspondent plus à l'empreinte SHA-256 enregistrée : rien "
                                   "n'est envoyé.",
                       message="Ce document est momentanément indisponible. Réessayez plus tard.")



# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------

@blueprint.get("/certifications/<code>/sections")
@token_required
def certification_sections(code: str):
    """The sections of a certification's dossier, each form with its JSON Schema.
    ---
    get:
      summary: Sections du dossier d'une certification
      description: >-
        Les sections du dossier en ligne, dans l'ordre du livret. Pour chaque formulaire,
        `schema` décrit une section complète (JSON Schema 2020-12 : champs obligatoires,
        conditions `if`/`then`, formats) et `draft_schema` ce que `PUT
        /dossiers/{id}/sections/{key}` accepte pour un brouillon. Liste vide si la
        certification n'a pas de dossier en ligne.
      tags: [dossiers]
      parameters:
        - name: code
          in: path
          description: Code de la certification, par exemple RNCP37827 (sans distinction de casse).
      responses:
        200:
          description: Les sections.
          content:
            application/json:
              schema: SectionDescriptorListSchema
        404: CertificationNotFound
    """
    cert = get_certification(code)
    items = []
    for spec in services.sections_for(cert):
        is_form = spec.kind == FORM
        items.append({
            "key": spec.key, "title": str(spec.title), "kind": spec.kind, "required": spec.required,
            "intro": str(spec.intro or ""),
            "schema": spec.form.json_schema(certification=cert) if is_form else None,
            "draft_schema": spec.form.json_schema(certification=cert, partial=True) if is_form else None,
        })
    return jsonify(SectionDescriptorListSchema().dump({"certification": cert.code, "items": items}))


@blueprint.post("/dossiers")
@token_required
def create_dossier():
    """Open a dossier for a certification (candidate accounts).
    ---
    post:
      summary: Ouvrir un dossier
      description: >-
        Ouvre un dossier pour la certification indiquée. Un seul dossier en cours par
        certification : un second essai répond 409 `dossier_exists` avec
        `details.dossier_id`. L'en-tête `Location` donne l'adresse du dossier.
      tags: [dossiers]
      requestBody:
        required: true
        content:
          application/json:
            schema: DossierCreateSchema
            example: {"certification": "RNCP37827"}
      responses:
        201:
          description: Le dossier ouvert.
          content:
            application/json:
              schema: DossierSchema
        400: DossierNotCreated
        404: CertificationNotFound
        409: DossierExists
        422: ValidationFailed
    """
    body = load_json(DossierCreateSchema)
    dossier = services.create_dossier(current_api_user(), body["certification"],
                                      organisation_id=body.get("organisation_id"), route=body.get("route"),
                                      block=body.get("block"))
    db.session.commit()
    response = jsonify(DossierSchema().dump(_detail(dossier)))
    response.status_code = 201
    response.headers["Location"] = url_for("dossiers_api.dossier", dossier_id=dossier.id)
    return response


@blueprint.get("/dossiers")
@token_required
def dossiers():
    """The token's own dossiers, newest first.
    ---
    get:
      summary: Mes dossiers
      description: Les dossiers du compte du jeton, du plus récent au plus ancien.
      tags: [dossiers]
      responses:
        200:
          description: Les dossiers.
          content:
            application/json:
              schema: DossierListSchema
    """
    rows = services.dossiers_of(current_api_user())
    return jsonify(DossierListSchema().dump({"items": [_summary(d) for d in rows]}))


@blueprint.get("/dossiers/<int:dossier_id>")
@token_required
def dossier(dossier_id: int):
    """One dossier: status, sections with their state and data, problems, coverage, annexes, versions.
    ---
    get:
      summary: Détail d'un dossier
      description: >-
        Le statut, chaque section avec son état (`empty`, `in_progress`, `complete`), sa
        révision et ses données, la liste de ce qui empêche le dépôt, la couverture des
        compétences par les preuves, les annexes et les versions déposées.
      tags: [dossiers]
      responses:
        200:
          description: Le dossier.
          content:
            application/json:
              schema: DossierSchema
        404: DossierNotFound
    """
    found = services.get_dossier_for(current_api_user(), dossier_id)
    return jsonify(DossierSchema().dump(_detail(found)))


@blueprint.get("/dossiers/<int:dossier_id>/sections/<key>")
@token_required
def section(dossier_id: int, key: str):
    """One section of a dossier: state, revision (also the ETag), problems and data.
    ---
    get:
      summary: Section d'un dossier
      description: >-
        L'état de la section, ses données enregistrées et ce qui manque pour qu'elle soit
        complète. L'en-tête `ETag` porte la révision, à renvoyer dans `If-Match`.
      tags: [dossiers]
      responses:
        200:
          description: La section.
          content:
            application/json:
              schema: DossierSectionSchema
        404: SectionNotFound
    """
    found = services.get_dossier_for(current_api_user(), dossier_id)
    cert = get_certification(found.certification_code)
    spec = services.section_spec(cert, key, found)
    return _section_response(found, cert, spec.key)


@blueprint.put("/dossiers/<int:dossier_id>/sections/<key>")
@token_required
def save_section(dossier_id: int, key: str):
    """Save a section's draft; 422 (nothing saved) when the data do not parse.
    ---
    put:
      summary: Enregistrer une section
      description: >-
        Le corps est l'objet de données de la section, conforme à son `draft_schema`
        (voir `GET /certifications/{code}/sections`), ou l'enveloppe
        `{"data": {...}, "revision": n}`. Les données qui ne peuvent pas être lues (champ
        inconnu, mauvais type JSON, date impossible, SIRET dont la clé est fausse…) sont
        refusées par un 422 et rien n'est enregistré. Des données lisibles mais
        incomplètes sont enregistrées : la réponse dit alors `complete: false` et liste
        les `problems` par chemin de champ. La section est remplacée en entier.
        Avec `If-Match: "n"` (ou `revision`), l'écriture est refusée (409
        `stale_revision`) si la section a été modifiée depuis la révision n.
      tags: [dossiers]
      parameters:
        - name: If-Match
          in: header
          required: false
          description: Révision attendue de la section (valeur de l'ETag), par exemple "3".
          schema:
            type: string
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              description: Les données de la section (voir son draft_schema).
            example: {"lettre": "Madame, Monsieur, …"}
      responses:
        200:
          description: La section enregistrée.
          content:
            application/json:
              schema: DossierSectionSchema
        400: SectionNotWritable
        404: SectionNotFound
        409: SectionConflict
        422: SectionInvalid
    """
    user = current_api_user()
    found = services.get_dossier_for(user, dossier_id, write=True)
    cert = get_certification(found.certification_code)
    spec = services.section_spec(cert, key, found)
    if spec.kind == DELIVERABLES:
        raise UserError(_("La section « %(t)s » ne se remplit pas par ce point d'accès (chaque livrable s'envoie "
                          "par POST /api/v1/dossiers/{id}/deliverables/{code}).", t=spec.title),
                        code="not_a_form_section")
    if spec.kind != FORM:
        raise UserError(_("La section « %(t)s » ne se remplit pas par ce point d'accès (les annexes s'envoient "
                          "par POST /api/v1/dossiers/{id}/annexes).", t=spec.title), code="not_a_form_section")
    _require_editable(found)
    body = request.get_json(silent=True)
    if body is None:
        raise UserError(_("Le corps de la requête doit être un document JSON valide, envoyé avec l'en-tête "
                          "« Content-Type: application/json »."), code="invalid_json")
    data, body_revision = _split_body(body, spec, cert)
    if not isinstance(data, dict):
        raise ValidationFailed(_("Un objet JSON est attendu : les données de la section."),
                               details={"": [_("Un objet JSON est attendu.")]})
    header_revision = _parse_revision(request.headers.get("If-Match"), header=True)
    body_revision = _parse_revision(body_revision, header=False)
    if header_revision is not None and body_revision is not None and header_revision != body_revision:
        raise UserError(_("L'en-tête « If-Match » et le champ « revision » indiquent deux révisions "
                          "différentes."), code="invalid_revision")
    expected = header_revision if header_revision is not None else body_revision

    errors = _schema_errors(spec, cert, data)  # structure first: the form would coerce a wrong type silently
    form = None
    if not errors:
        form = services.build_form(spec, cert, data=data)
        if not form.validate_draft():
            errors = form.errors_by_path()
    if errors:
        raise ValidationFailed(_("Certaines données de la section « %(t)s » sont invalides : rien n'a été "
                                 "enregistré.", t=spec.title), details=errors)
    services.save_section(found, spec, form, actor=user, cert=cert, expected_revision=expected)
    db.session.commit()
    return _section_response(found, cert, spec.key)


from core.dossiers import api_submission  # noqa: E402,F401 - check, submit, preview, documents
from core.dossiers import api_result  # noqa: E402,F401 - the candidate's result after the jury
from core.dossiers import api_sealing  # noqa: E402,F401 - a deferred submission's documents
