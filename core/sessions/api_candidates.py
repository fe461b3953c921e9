"""API of the sessions area, continued: the candidates of a session (eligible dossiers, order of passage,
slots) and their attendance.

The views are on :data:`core.sessions.api.blueprint` (endpoints ``sessions_api.*``) and call the
services the pages call (:mod:`core.sessions.services`, :mod:`core.sessions.members`).
"""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.errors import ValidationFailed
from core.jury import services as jury
from core.sessions import members, services
from core.sessions.api import _candidate, _commit, _managed, _viewed, blueprint
from core.sessions.schemas import (
    SessionAttendanceRequestSchema,
    SessionCandidateCreateSchema,
    SessionCandidateListSchema,
    SessionCandidateSchema,
    SessionCandidateUpdateSchema,
    SessionEligibleListSchema,
)


@blueprint.get("/<int:session_id>/candidates")
@token_required
def list_candidates(session_id: int):
    """The candidates of a session, in order of passage.
    ---
    get:
      summary: Lister les candidats
      tags: [sessions]
      responses:
        200:
          description: Les candidats, avec créneau et présence.
          content:
            application/json:
              schema: SessionCandidateListSchema
        404: SessionNotFound
    """
    session = _viewed(session_id)
    return jsonify(SessionCandidateListSchema().dump(
        {"items": [_candidate(session, c) for c in services.ordered(session)]}))


@blueprint.get("/<int:session_id>/candidates/eligible")
@token_required
def eligible_candidates(session_id: int):
    """Dossiers that may be added to a draft session.
    ---
    get:
      summary: Dossiers pouvant être ajoutés
      description: >-
        Les dossiers recevables de la certification qui ne sont dans aucune session en préparation
        ou ouverte, et les rattrapages permis (décision scellée d'échec, délai de rattrapage non
        dépassé à la date de la session, nombre de passages permis non atteint).
      tags: [sessions]
      responses:
        200:
          description: Les dossiers.
          content:
            application/json:
              schema: SessionEligibleListSchema
        404: SessionNotFound
    """
    session = _managed(session_id)
    rows = members.eligible_dossiers(session) if session.editable else []
    return jsonify(SessionEligibleListSchema().dump({"items": [
        {"dossier_id": e.dossier.id, "reference": e.dossier.reference, "name": e.dossier.candidate.full_name,
         "attempt": e.attempt, "retake": e.retake} for e in rows]}))


@blueprint.post("/<int:session_id>/candidates")
@token_required
def add_candidate(session_id: int):
    """Add a dossier to a draft session.
    ---
    post:
      summary: Ajouter un candidat
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionCandidateCreateSchema
      responses:
        201:
          description: Le candidat ajouté, en dernière position.
          content:
            application/json:
              schema: SessionCandidateSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    body = load_json(SessionCandidateCreateSchema)
    candidate = _commit(lambda: members.add_candidate(session, current_api_user(), body["dossier_id"],
                                                      body.get("access_route")))
    response = jsonify(SessionCandidateSchema().dump(_candidate(session, candidate)))
    response.status_code = 201
    return response


@blueprint.patch("/<int:session_id>/candidates/<int:candidate_id>")
@token_required
def update_candidate(session_id: int, candidate_id: int):
    """Move a candidate in the order of passage, or set their slot by hand.
    ---
    patch:
      summary: Modifier le rang de passage ou le créneau d'un candidat
      description: >-
        Session « en préparation » seulement. `position` place le candidat à ce rang (0 : premier),
        les autres gardent leur ordre et tous les créneaux sont recalculés (les flèches « monter » et
        « descendre » de la page). `starts_at` fixe son créneau à la main (la page « Modifier
        l'horaire ») ; il est gardé jusqu'au prochain changement du déroulé ou de l'ordre de passage.
        L'un des deux au moins ; avec les deux, le rang change d'abord. Tout ou rien.
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionCandidateUpdateSchema
      responses:
        200:
          description: Le candidat.
          content:
            application/json:
              schema: SessionCandidateSchema
        404: SessionMemberNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    user = current_api_user()
    session = _managed(session_id)
    candidate = jury.get_candidate_for(user, session, candidate_id)
    body = load_json(SessionCandidateUpdateSchema)
    if not body:
        message = _("Indiquez le rang de passage (position) ou le début du créneau (starts_at).")
        raise ValidationFailed(_("Rien à modifier : rien n'a été enregistré."),
                               details={"position": [message], "starts_at": [message]})

    def change():
        if "position" in body:
            services.move_candidate_to(session, user, candidate, body["position"])
        if "starts_at" in body:
            start = services.local(body["starts_at"])
            services.set_slot(session, user, candidate, start.date(), start.time().replace(tzinfo=None))

    _commit(change)
    return jsonify(SessionCandidateSchema().dump(_candidate(session, candidate)))


@blueprint.delete("/<int:session_id>/candidates/<int:candidate_id>")
@token_required
def remove_candidate(session_id: int, candidate_id: int):
    """Remove a candidate from a draft session.
    ---
    delete:
      summary: Retirer un candidat
      tags: [sessions]
      responses:
        204:
          description: Le candidat est retiré ; les créneaux des suivants sont recalculés.
        404: SessionMemberNotFound
        409: SessionConflict
    """
    user = current_api_user()
    session = _managed(session_id)
    candidate = jury.get_candidate_for(user, session, candidate_id)
    _commit(lambda: members.remove_candidate(session, user, candidate))
    return "", 204


@blueprint.put("/<int:session_id>/attendance")
@token_required
def put_attendance(session_id: int):
    """Record present / absent per candidate of an open session.
    ---
    put:
      summary: Saisir les présences
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionAttendanceRequestSchema
      responses:
        200:
          description: Les candidats, avec leur présence.
          content:
            application/json:
              schema: SessionCandidateListSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    body = load_json(SessionAttendanceRequestSchema)
    values = {item["candidate_id"]: item["attendance"] for item in body["attendance"]}
    _commit(lambda: services.set_attendance(session, current_api_user(), values))
    return jsonify(SessionCandidateListSchema().dump(
        {"items": [_candidate(session, c) for c in services.ordered(session)]}))

