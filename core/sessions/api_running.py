"""API of the sessions area, continued: the schedule's reset and the manager's observations.

The views are on :data:`core.sessions.api.blueprint` (endpoints ``sessions_api.*``) and call the
services the pages call (:func:`core.sessions.services.reset_schedule`,
:func:`core.sessions.services.set_observations`).
"""
from __future__ import annotations

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.sessions import services
from core.sessions.api import _commit, _detail, _managed, blueprint
from core.sessions.schemas import SessionObservationsRequestSchema, SessionObservationsSchema


@blueprint.post("/<int:session_id>/schedule/reset")
@token_required
def reset_schedule(session_id: int):
    """Back to the certification's example schedule (slots recomputed).
    ---
    post:
      summary: Rétablir le déroulé type
      description: >-
        Remplace le déroulé par le déroulé type de la certification (par exemple l'Annexe 2 du
        référentiel de RNCP37827) et recalcule les créneaux de tous les candidats, comme le bouton
        « Rétablir le déroulé type » de la page. Session « en préparation » seulement.
      tags: [sessions]
      responses:
        200:
          description: La session, avec le déroulé type et les créneaux recalculés.
          content:
            application/json:
              schema: SessionDetailSchema
        404: SessionNotFound
        409: SessionConflict
    """
    session = _managed(session_id)
    _commit(lambda: services.reset_schedule(session, current_api_user()))
    return _detail(session)


@blueprint.put("/<int:session_id>/observations")
@token_required
def put_observations(session_id: int):
    """Replace the manager's observations (PV part 4) and, optionally, their position.
    ---
    put:
      summary: Saisir les observations du responsable de session
      description: >-
        Les observations sur le déroulement de la session, reprises dans la partie 4 du
        procès-verbal, et la fonction du responsable. Pendant la session ouverte, ou pendant une
        correction du procès-verbal ; jamais pendant qu'un procès-verbal est en signature
        (409 `pv_in_signing`). `GET /sessions/{session_id}` les renvoie aussi.
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionObservationsRequestSchema
      responses:
        200:
          description: Les observations enregistrées.
          content:
            application/json:
              schema: SessionObservationsSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    body = load_json(SessionObservationsRequestSchema)
    _commit(lambda: services.set_observations(session, current_api_user(), observations=body["observations"],
                                              manager_position=body.get("manager_position")))
    return jsonify(SessionObservationsSchema().dump({
        "observations": session.observations, "manager_position": session.manager_position,
        "editable": services.observations_editable(session)}))
