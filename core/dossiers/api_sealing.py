"""Dossier API, continued: the documents of a submission a slow TSA deferred (``GET /dossiers/{id}/sealing``).

The same figures as the dossier page's progress block (:func:`core.dossiers.submission_queue.progress`).
"""
from __future__ import annotations

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.dossiers import services
from core.dossiers.api import blueprint
from core.dossiers.schemas import SubmissionSealingSchema


@blueprint.get("/dossiers/<int:dossier_id>/sealing")
@token_required
def sealing_progress(dossier_id: int):
    """Where the documents of the dossier's last submitted version stand.
    ---
    get:
      summary: Avancement de l'émission des documents d'un dépôt
      description: >-
        Quand le service d'horodatage tarde à répondre, le dépôt est enregistré (la version existe et
        ne peut plus être perdue) et le dépôt répond **202** avec l'en-tête `Location` vers cette
        adresse : le Livret 2 signé et l'accusé de réception sont émis par la file de tâches, une seule
        fois, et retentés automatiquement en cas d'échec (la raison est dans `error`). `done` devient
        vrai quand ils sont émis ; ils apparaissent alors dans `GET /dossiers/{id}/documents`.
      tags: [dossiers]
      responses:
        200:
          description: L'avancement.
          content:
            application/json:
              schema: SubmissionSealingSchema
        404: DossierNotFound
    """
    from core.dossiers.submission_queue import progress

    found = services.get_dossier_for(current_api_user(), dossier_id)
    response = jsonify(SubmissionSealingSchema().dump(progress(found)))
    response.headers["Cache-Control"] = "no-store"
    return response
