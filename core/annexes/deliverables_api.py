"""API of the deliverables of a dossier's access route (:mod:`core.annexes.deliverables`): one upload per code.

Registered on the annexes' API blueprint (imported at the end of :mod:`core.annexes.api`). The files
are annexes (role ``deliverable``): read and downloaded with the annex endpoints, listed with their
deliverable in the dossier's detail (``deliverables``).
"""
from __future__ import annotations

from flask import jsonify

from core.annexes import deliverables, services
from core.annexes.api import UploadRefusedError, blueprint, read_upload
from core.annexes.schemas import DossierDeliverableSchema
from core.api.auth import current_api_user, token_required
from core.api.spec import declare_error_response, declare_tag
from core.dossiers.services import get_dossier_for
from core.extensions import db

declare_tag("livrables", "Les livrables des épreuves qu'une voie d'accès demande (RNCP37827 en formation : "
                         "rapports E1 à E5) : un fichier PDF par livrable, nombre de pages vérifié au dépôt.",
            "Livrables")
declare_error_response("DeliverableNotFound", code="deliverable_not_found",
                       description="Aucun dossier de ce numéro n'est accessible avec ce jeton "
                                   "(`dossier_not_found`), ou sa voie d'accès n'attend pas ce code "
                                   "(`deliverable_not_found`, `details.offered` : les codes attendus).",
                       message="Ce dossier n'attend pas de livrable « E9 ». Livrables attendus : E1, E2, E3, E4, E5.")
declare_error_response("DeliverablesConflict", code="dossier_locked",
                       description="Le dossier est déposé : ses livrables ne peuvent plus changer (`dossier_locked`), "
                                   "ou sa voie d'accès ne prévoit pas de livrable (`no_deliverables`, VAE).",
                       message="Ce dossier n'a pas de livrable à déposer : sa voie d'accès n'en prévoit pas.")
declare_error_response("DeliverableRefused", code="page_count",
                       description="Fichier refusé : nombre de pages hors de la règle (`page_count`, avec "
                                   "`details.pages`, `min_pages`, `max_pages`, `rule`), nombre de pages illisible "
                                   "(`page_count_unreadable`), ou une vérification des annexes (`pdf_active_content`, "
                                   "`empty`, `pdf_invalid`…, `validation_failed`).",
                       message="Le rapport E2 doit compter de 15 à 20 pages ; le vôtre en compte 9 (règle : E2 : "
                               "Présentation orale (15 min) - Livrable: Rapport 15-20p).")
declare_error_response("DeliverableTypeRefused", code="type_not_allowed",
                       description="Le livrable n'est pas un PDF (`type_not_allowed`), son contenu ne correspond "
                                   "pas à son extension (`extension_mismatch`), ou la requête n'est pas en "
                                   "multipart/form-data (`unsupported_media_type`).",
                       message="Le livrable E2 doit être un fichier PDF (« rapport.png » est un fichier PNG).")


@blueprint.post("/<int:dossier_id>/deliverables/<code>")
@token_required
def deliverable_upload(dossier_id: int, code: str):
    """Upload (or replace) the file of one deliverable (multipart/form-data, read as a stream).
    ---
    post:
      summary: Déposer un livrable d'épreuve
      description: >-
        Envoie le livrable `code` (E1, E2… parmi `deliverables` du dossier) en `multipart/form-data`,
        champ `file`, un seul fichier PDF. Le fichier passe les vérifications des annexes (taille,
        espace du dossier, type lu dans le contenu, contenu actif des PDF), puis son nombre de pages est
        comparé à la règle de l'épreuve : hors de la fourchette, il est refusé (422) avec la règle
        citée, et rien n'est conservé. Un nouveau dépôt pour le même code remplace le fichier précédent
        (retiré comme une annexe). Réservé au candidat du dossier tant qu'il est modifiable.
      tags: [livrables]
      parameters:
        - {name: code, in: path, required: true, schema: {type: string, maxLength: 20},
           description: "Code du livrable (E1, E2…)."}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: DeliverableUploadSchema
      responses:
        201:
          description: Le livrable est enregistré.
          content:
            application/json:
              schema: DossierDeliverableSchema
        400: BadRequest
        404: DeliverableNotFound
        409: DeliverablesConflict
        413: UploadTooLarge
        415: DeliverableTypeRefused
        422: DeliverableRefused
    """
    from storage.safety import UploadRefused

    user = current_api_user()
    dossier = get_dossier_for(user, dossier_id, write=True)
    services.require_editable(dossier, user)
    deliverable = deliverables.deliverable_of(dossier, code)
    staged = None
    try:
        staged, declared_type, _fields = read_upload(dossier, user)
        annex = deliverables.store_deliverable(dossier, deliverable, staged, user=user, declared_type=declared_type)
    except UploadRefused as refused:
        db.session.rollback()
        raise UploadRefusedError(refused) from None
    finally:
        if staged is not None:
            staged.close()
    db.session.refresh(dossier)
    row = deliverables.DeliverableRow(deliverable, annex)
    response = jsonify(DossierDeliverableSchema().dump(deliverables.entry(row)))
    response.status_code = 201
    return response
