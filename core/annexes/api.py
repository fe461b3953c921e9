"""API of the annexes: list, upload (streamed multipart), edit, remove, download.

Every endpoint answers 404 for a dossier the token's account may not see.
Upload refusals carry the code of :class:`storage.safety.UploadRefused`:
413 for size and quota, 415 for the type, 422 for the other checks.
"""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from core.annexes import services
from core.annexes.multipart import MultipartError, MultipartReader
from core.annexes.schemas import AnnexListSchema, AnnexSchema, AnnexUpdateSchema
from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_file_response, declare_tag
from core.dossiers.services import get_dossier_for
from core.errors import UserError, ValidationFailed
from core.extensions import db
from storage.safety import FILE_TYPES

blueprint = api_blueprint("annexes_api", __name__, url_prefix="/dossiers")

declare_file_response(
    "AnnexFile", description="Le contenu du fichier, avec le type lu dans son contenu au dépôt (un des types "
                             "acceptés, ou application/octet-stream).",
    media_types=[t.media_type for t in FILE_TYPES.values()] + ["application/octet-stream"])

declare_tag("annexes", "Les pièces justificatives (annexes) d'un dossier : dépôt d'un fichier (vérifié, analysé "
                       "par l'antivirus, stocké), titre et compétences, retrait, téléchargement.", "Annexes")
declare_error_response("AnnexDossierNotFound", code="dossier_not_found",
                       description="Aucun dossier de ce numéro n'est accessible avec ce jeton.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("AnnexNotFound", code="annex_not_found",
                       description="Le dossier n'a pas d'annexe de ce numéro (ou elle a été retirée).",
                       message="Cette annexe n'existe pas.")
declare_error_response("DossierLocked", code="dossier_locked",
                       description="Le dossier est déposé : ses annexes ne peuvent plus changer.",
                       message="Ce dossier a été déposé : ses annexes ne peuvent plus être modifiées.")
declare_error_response("AnnexNotDownloadable", code="annex_not_downloadable",
                       description="L'analyse antivirus ne permet pas le téléchargement (en attente, virus, erreur).",
                       message="L'annexe n° 1 n'a pas encore été analysée par l'antivirus : elle ne peut pas "
                               "être téléchargée pour le moment. Réessayez plus tard.")
declare_error_response("UploadTooLarge", code="too_large",
                       description="Fichier trop volumineux (`too_large`) ou espace du dossier dépassé "
                                   "(`quota_exceeded`).",
                       message="Le fichier dépasse la taille maximale autorisée (20 Mo).")
declare_error_response("UploadTypeRefused", code="type_not_allowed",
                       description="Type de fichier refusé (`type_not_allowed`), contenu ne correspondant pas à "
                                   "l'extension (`extension_mismatch`), archive (`archive`), ou requête qui n'est "
                                   "pas en multipart/form-data (`unsupported_media_type`).",
                       message="Ce type de fichier n'est pas accepté. Formats acceptés : PDF, PNG, JPEG, ODT, DOCX.")
declare_error_response("UploadRefused", code="pdf_active_content",
                       description="Fichier refusé par une vérification (`pdf_active_content`, `empty`, "
                                   "`pdf_invalid`, `macros`, `container_too_large`…) ou champ invalide "
                                   "(`validation_failed`, avec les erreurs par champ).",
                       message="Ce PDF contient du contenu actif (JavaScript) : il a été refusé.")

UPLOAD_STATUS = {"too_large": 413, "quota_exceeded": 413, "type_not_allowed": 415, "extension_mismatch": 415,
                 "archive": 415}


class UploadRefusedError(UserError):
    """An :class:`storage.safety.UploadRefused` turned into the JSON error of the API."""

    def __init__(self, refused):
        super().__init__(str(refused), code=refused.code, details=refused.details or None)
        self.status = UPLOAD_STATUS.get(refused.code, 422)


@blueprint.get("/<int:dossier_id>/annexes")
@token_required
def annexes(dossier_id: int):
    """List a dossier's active annexes.
    ---
    get:
      summary: Annexes d'un dossier
      description: >-
        Les annexes actives du dossier, par numéro, avec leur empreinte SHA-256 et l'état de
        l'analyse antivirus ; l'espace utilisé, le quota et les types acceptés.
      tags: [annexes]
      responses:
        200:
          description: Les annexes.
          content:
            application/json:
              schema: AnnexListSchema
        404: AnnexDossierNotFound
    """
    dossier = get_dossier_for(current_api_user(), dossier_id)
    policy = services.upload_policy()
    return jsonify(AnnexListSchema().dump({
        "items": services.list_annexes(dossier), "usage": services.usage_of(dossier.id),
        "quota": services.dossier_quota(), "max_file_size": policy.max_file_size,
        "allowed_types": list(policy.allowed_types)}))


def read_upload(dossier, user, *, allowed=()) -> tuple:
    """The one file of a multipart request (field ``file``), staged while it streams in (checked as it goes,
    never whole in memory), with its declared type and the text fields (only ``allowed`` names: 422 for any
    other). Shared by the annex and deliverable uploads; on any error the staged file is removed."""
    fields: MultiDict = MultiDict()
    staged = None
    declared_type = None
    try:
        for part in MultipartReader.from_request(request):
            if not part.is_file:
                fields.add(part.name, part.text())
                continue
            if part.name != "file" or staged is not None:
                raise MultipartError(_("Envoyez un seul fichier par requête, dans le champ « file »."),
                                     code="one_file_expected")
            declared_type = part.content_type
            # Reads the part from the socket into the staging file, checking as it goes.
            staged = services.stage_annex(dossier, user=user, stream=part.chunks(), filename=part.filename)
        if staged is None:
            raise ValidationFailed(details={"file": [_("Joignez un fichier dans le champ « file ».")]})
        unknown = sorted(set(fields) - set(allowed))
        if unknown:
            raise ValidationFailed(details={name: [_("Champ inconnu.")] for name in unknown})
    except BaseException:
        if staged is not None:
            staged.close()
        raise
    return staged, declared_type, fields


@blueprint.post("/<int:dossier_id>/annexes")
@token_required
def upload(dossier_id: int):
    """Upload one annex (multipart/form-data, read as a stream).
    ---
    post:
      summary: Déposer une annexe
      description: >-
        Envoie un fichier en `multipart/form-data` (champ `file`, un seul fichier), avec
        `title`, `role` et `competencies` (champ répété ou valeurs séparées par des virgules).
        Le fichier est lu au fil de l'eau (jamais entièrement en mémoire), vérifié (taille,
        espace du dossier, type lu dans le contenu et extension, contenu actif des PDF,
        archives), stocké, puis analysé par l'antivirus. Aucun fichier refusé n'est conservé.
      tags: [annexes]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: AnnexUploadSchema
      responses:
        201:
          description: L'annexe est enregistrée.
          content:
            application/json:
              schema: AnnexSchema
        400: BadRequest
        404: AnnexDossierNotFound
        409: DossierLocked
        413: UploadTooLarge
        415: UploadTypeRefused
        422: UploadRefused
    """
    from storage.safety import UploadRefused

    user = current_api_user()
    dossier = get_dossier_for(user, dossier_id, write=True)
    services.require_editable(dossier, user)
    staged = None
    try:
        staged, declared_type, fields = read_upload(dossier, user, allowed=("title", "role", "competencies"))
        annex = services.store_annex(
            dossier, staged, user=user, title=fields.get("title"), role=fields.get("role") or "evidence",
            competencies=services.parse_competencies(fields.getlist("competencies")), declared_type=declared_type)
    except UploadRefused as refused:
        db.session.rollback()
        raise UploadRefusedError(refused) from None
    finally:
        if staged is not None:
            staged.close()
    response = jsonify(AnnexSchema().dump(annex))
    response.status_code = 201
    response.headers["Location"] = AnnexSchema().dump(annex)["links"]["self"]
    return response


@blueprint.get("/<int:dossier_id>/annexes/<int:number>")
@token_required
def annex(dossier_id: int, number: int):
    """One annex.
    ---
    get:
      summary: Détail d'une annexe
      tags: [annexes]
      responses:
        200:
          description: L'annexe.
          content:
            application/json:
              schema: AnnexSchema
        404: AnnexNotFound
    """
    dossier = get_dossier_for(current_api_user(), dossier_id)
    return jsonify(AnnexSchema().dump(services.get_annex(dossier, number)))


@blueprint.patch("/<int:dossier_id>/annexes/<int:number>")
@token_required
def update(dossier_id: int, number: int):
    """Change an annex's title and/or competencies.
    ---
    patch:
      summary: Modifier une annexe
      description: >-
        Change le titre et/ou les compétences (la liste envoyée remplace l'actuelle ; codes
        vérifiés dans le référentiel de la certification). Le fichier, lui, ne change jamais :
        pour le remplacer, retirez l'annexe et déposez-en une nouvelle.
      tags: [annexes]
      requestBody:
        required: true
        content:
          application/json:
            schema: AnnexUpdateSchema
      responses:
        200:
          description: L'annexe modifiée.
          content:
            application/json:
              schema: AnnexSchema
        404: AnnexNotFound
        409: DossierLocked
        422: ValidationFailed
    """
    user = current_api_user()
    dossier = get_dossier_for(user, dossier_id, write=True)
    data = load_json(AnnexUpdateSchema)
    annex = services.update_annex(dossier, number, user=user, title=data.get("title"),
                                  competencies=data.get("competencies"))
    db.session.commit()
    return jsonify(AnnexSchema().dump(annex))


@blueprint.delete("/<int:dossier_id>/annexes/<int:number>")
@token_required
def remove(dossier_id: int, number: int):
    """Withdraw an annex from the dossier being written.
    ---
    delete:
      summary: Retirer une annexe
      description: >-
        Retire l'annexe du dossier en cours. Son numéro n'est pas réutilisé ; le fichier reste
        conservé tant qu'une version déposée du dossier le mentionne.
      tags: [annexes]
      responses:
        204:
          description: L'annexe est retirée.
        404: AnnexNotFound
        409: DossierLocked
    """
    user = current_api_user()
    dossier = get_dossier_for(user, dossier_id, write=True)
    services.remove_annex(dossier, number, user=user)
    db.session.commit()
    return "", 204


@blueprint.get("/<int:dossier_id>/annexes/<int:number>/content")
@token_required
def content(dossier_id: int, number: int):
    """Download an annex's file.
    ---
    get:
      summary: Télécharger une annexe
      description: >-
        Le fichier, en pièce jointe (`Content-Disposition: attachment`), avec
        `X-Content-Type-Options: nosniff` et `Cache-Control: no-store`. Réservé au candidat et
        au certificateur ; refusé tant que l'analyse antivirus ne l'autorise pas. Chaque
        téléchargement est inscrit au journal d'audit.
      tags: [annexes]
      responses:
        200: AnnexFile
        404: AnnexNotFound
        409: AnnexNotDownloadable
    """
    user = current_api_user()
    dossier = get_dossier_for(user, dossier_id)
    return services.download_response(services.open_annex_for_download(user, dossier, number))


from core.annexes import deliverables_api  # noqa: E402,F401  (the deliverables' upload, on this blueprint)
