"""Dossier API, continued: the completeness check, the submission, the preview and the issued documents
(``/dossiers/{id}/problems``, ``/submit``, ``/preview``, ``/documents``)."""
from __future__ import annotations

from flask import jsonify, url_for
from sqlalchemy import select

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.certifications.services import get_certification
from core.dossiers import services
from core.dossiers.api import blueprint
from core.dossiers.api_shapes import _document, _problems, _version
from core.dossiers.models import Document
from core.dossiers.schemas import (DossierDocumentListSchema, DossierProblemListSchema, SubmissionSchema,
                                   SubmitRequestSchema)
from core.extensions import db


@blueprint.get("/dossiers/<int:dossier_id>/problems")
@token_required
def dossier_problems(dossier_id: int):
    """The completeness check: what prevents submission, and warnings.
    ---
    get:
      summary: Vérification avant dépôt
      description: >-
        Tout ce qui empêche le dépôt (`blocking: true`), chaque point avec la section et
        le champ où le régler, puis les avertissements (par exemple une compétence sans
        preuve). `ready` est vrai quand le dossier peut être déposé.
      tags: [dossiers]
      responses:
        200:
          description: Les problèmes.
          content:
            application/json:
              schema: DossierProblemListSchema
        404: DossierNotFound
    """
    found = services.get_dossier_for(current_api_user(), dossier_id)
    cert = get_certification(found.certification_code)
    items = _problems(found, cert)
    blocking = sum(1 for p in items if p["blocking"])
    return jsonify(DossierProblemListSchema().dump({
        "ready": found.editable and blocking == 0, "blocking_count": blocking, "items": items}))


@blueprint.post("/dossiers/<int:dossier_id>/submit")
@token_required
def submit(dossier_id: int):
    """Submit the dossier: locks an immutable version; 409 with the problem list when incomplete.
    ---
    post:
      summary: Déposer le dossier
      description: >-
        Fige une version du dossier (sections et manifeste des annexes), fait signer la
        déclaration sur l'honneur par le candidat (certificat personnel émis après
        confirmation de son mot de passe), scelle le Livret 2 et l'accusé de réception
        et les envoie au certificateur ; un accusé de réception est envoyé par courriel.
        Si le dossier est incomplet, la réponse est un 409 `dossier_incomplete` dont
        `details` liste chaque problème (`message`, `section`, `field`, `code`) ; un dossier
        déjà déposé répond 409 `wrong_state` ; un mot de passe erroné, 422
        `reauthentication_failed` ; trop de mots de passe erronés, 429 `rate_limited` avec
        `Retry-After`. Si la signature ou le scellement échoue, rien n'est
        déposé (503 `sealing_failed`) : réessayez plus tard.
      tags: [dossiers]
      requestBody:
        required: true
        content:
          application/json:
            schema: SubmitRequestSchema
      responses:
        201:
          description: La version déposée, ses documents émis.
          content:
            application/json:
              schema: SubmissionSchema
        202:
          description: >-
            La version déposée ; le service d'horodatage tardant à répondre, le Livret 2 signé et
            l'accusé de réception sont émis par la file de tâches (`Location` : leur avancement).
          content:
            application/json:
              schema: SubmissionSchema
        404: DossierNotFound
        409: DossierIncomplete
        429: TooManyPasswordAttempts
    """
    from core.dossiers.submission import submit_and_seal

    user = current_api_user()
    found = services.get_dossier_for(user, dossier_id, write=True)
    body = load_json(SubmitRequestSchema)
    version, _documents = submit_and_seal(found, actor=user, password=body["password"])
    response = jsonify(SubmissionSchema().dump({
        "dossier_id": found.id, "status": found.status.value, "status_label": found.status.label,
        "version": _version(version)}))
    if version.documents_pending:  # a slow TSA: the documents are issued by a job, follow it there
        response.status_code = 202
        response.headers["Location"] = url_for("dossiers_api.sealing_progress", dossier_id=found.id)
    else:
        response.status_code = 201
        response.headers["Location"] = url_for("dossiers_api.dossier", dossier_id=found.id)
    return response


@blueprint.get("/dossiers/<int:dossier_id>/preview")
@token_required
def preview(dossier_id: int):
    """The Livret 2 as it would be submitted now, not signed, marked as a preview (owner only).
    ---
    get:
      summary: Aperçu du Livret 2 avant signature
      description: >-
        Le Livret 2 en PDF, produit par le même code que le livret déposé, à partir des
        brouillons et des annexes actuels, marqué « Aperçu – non signé » sur la
        couverture et sur chaque page : il n'est ni signé ni scellé, rien n'est enregistré.
        Affiché dans le navigateur (`Content-Disposition: inline`), avec
        `X-Content-Type-Options: nosniff` et `Cache-Control: no-store`. Seul le candidat
        titulaire du dossier peut l'obtenir : pour tout autre compte, 404.
      tags: [dossiers]
      responses:
        200:
          description: L'aperçu en PDF.
          content:
            application/pdf:
              schema:
                type: string
                format: binary
        404: DossierNotFound
    """
    from core.dossiers.submission import preview_response

    found = services.get_dossier_for(current_api_user(), dossier_id, write=True)
    return preview_response(found)


@blueprint.get("/dossiers/<int:dossier_id>/documents")
@token_required
def documents(dossier_id: int):
    """The documents the platform issued for the dossier (Livret 2 PDF, receipts…).
    ---
    get:
      summary: Documents d'un dossier
      description: >-
        Les documents émis par la plateforme pour ce dossier (livret déposé en PDF,
        accusés…) que la personne peut lire, du plus ancien au plus récent, avec leur
        empreinte SHA-256 et le lien de téléchargement (un membre du jury ne voit que le
        livret déposé).
      tags: [dossiers]
      responses:
        200:
          description: Les documents.
          content:
            application/json:
              schema: DossierDocumentListSchema
        404: DossierNotFound
    """
    from core.policy import allowed

    user = current_api_user()
    found = services.get_dossier_for(user, dossier_id)
    rows = [d for d in db.session.scalars(select(Document).where(Document.dossier_id == found.id)
                                          .order_by(Document.created_at, Document.id))
            if allowed(user, "document.view", d)]
    versions = {v.id: v.number for v in found.versions}
    return jsonify(DossierDocumentListSchema().dump({"items": [_document(d, versions) for d in rows]}))
