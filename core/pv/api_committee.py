"""API of the procès-verbal, continued: the draft (« Projet ») and the transmission to the quality committee.

Counterparts of the pages ``pv.draft`` and ``pv.resend_committee`` (:mod:`core.pv.views`); both call
:mod:`core.pv.stages` and :mod:`core.pv.committee`, the services the pages call.
"""
from __future__ import annotations

from flask import Response, jsonify

from core.api.auth import current_api_user, token_required
from core.api.spec import declare_error_response
from core.jury.services import get_session_for
from core.pv import committee, stages
from core.pv.api import blueprint
from core.pv.schemas import PvQualityCommitteeSchema

declare_error_response("PvCommitteeConflict", code="no_quality_committee",
                       description="La certification ne prévoit pas de comité qualité (`no_quality_committee`) ou "
                                   "le procès-verbal n'est pas encore scellé (`pv_not_sealed`).",
                       message="Cette certification ne prévoit pas de transmission à un comité qualité.")


@blueprint.get("/<int:session_id>/pv/draft")
@token_required
def pv_draft(session_id: int):
    """The PV as filled in so far, unsigned (« Projet »).
    ---
    get:
      summary: Projet de procès-verbal
      description: >-
        Pour le responsable de session, les jurés de la session et le personnel du certificateur. Le
        procès-verbal tel qu'il est renseigné maintenant, marqué « Projet », non signé et non conservé :
        dès l'étape « avant session », la partie 1 et les noms des candidats ; les résultats une fois
        enregistrés par le jury ; les effectifs une fois toutes les décisions enregistrées.
      tags: [pv]
      responses:
        200:
          description: Le projet, en PDF.
          content:
            application/pdf:
              schema:
                type: string
                format: binary
        404: PvSessionNotFound
    """
    return draft_response(get_session_for(current_api_user(), session_id), inline=False)


def draft_response(session, *, inline: bool) -> Response:
    from core.downloads import content_disposition

    disposition = content_disposition(stages.draft_filename(session))
    if inline:
        disposition = disposition.replace("attachment", "inline", 1)
    response = Response(stages.draft_pdf(session), mimetype="application/pdf")
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.post("/<int:session_id>/pv/quality-committee")
@token_required
def resend_committee(session_id: int):
    """Send the sealed PV and grids to the quality committee again.
    ---
    post:
      summary: Renvoyer au comité qualité
      description: >-
        Réservé au responsable de la session. Quand le procès-verbal est scellé, il est transmis avec
        les grilles d'évaluation individuelle scellées, en pièces jointes, au comité qualité que nomme
        la certification (RNCP37827 : Comité de Contrôle et de Conformité Qualité). Si cet envoi a
        échoué (`quality_committee.state` = `failed` dans `GET .../pv`), cette route l'envoie à nouveau ;
        l'envoi est inscrit au journal d'audit.
      tags: [pv]
      responses:
        200:
          description: L'état de la transmission après la demande.
          content:
            application/json:
              schema: PvQualityCommitteeSchema
        404: PvSessionNotFound
        409: PvCommitteeConflict
    """
    user = current_api_user()
    session = get_session_for(user, session_id, manage=True)
    return jsonify(PvQualityCommitteeSchema().dump(committee.resend(session, user)))
