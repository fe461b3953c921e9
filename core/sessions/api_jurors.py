"""API of the sessions area, continued: the jurors of a session and their declarations.

The views are on :data:`core.sessions.api.blueprint` (endpoints ``sessions_api.*``) and call the
services the pages call (:mod:`core.sessions.members`).
"""
from __future__ import annotations

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.sessions import members
from core.sessions.api import _commit, _declaration, _juror, _managed, _viewed, blueprint
from core.sessions.schemas import (
    SessionDeclarationListSchema,
    SessionDeclarationRequestSchema,
    SessionJurorAddedSchema,
    SessionJurorCreateSchema,
    SessionJurorListSchema,
    SessionJurorSchema,
    SessionJurorUpdateSchema,
)


@blueprint.get("/<int:session_id>/jurors")
@token_required
def list_jurors(session_id: int):
    """The jurors of a session.
    ---
    get:
      summary: Lister les jurés
      tags: [sessions]
      responses:
        200:
          description: Les jurés.
          content:
            application/json:
              schema: SessionJurorListSchema
        404: SessionNotFound
    """
    session = _viewed(session_id)
    return jsonify(SessionJurorListSchema().dump({"items": [_juror(j) for j in session.jurors]}))


@blueprint.post("/<int:session_id>/jurors")
@token_required
def add_juror(session_id: int):
    """Add a juror (an existing juror account, or a new account invited by e-mail).
    ---
    post:
      summary: Ajouter un juré
      description: >-
        Un compte de juré existant est ajouté ; pour une adresse sans compte, le prénom et le nom
        sont obligatoires : un compte de juré est créé et reçoit un lien à usage unique pour choisir
        son mot de passe. Session « en préparation » seulement. `external` (extérieur ou non au
        certificateur et à l'organisme évaluateur) est obligatoire : il n'a pas de valeur par défaut.
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionJurorCreateSchema
      responses:
        201:
          description: Le juré ajouté.
          content:
            application/json:
              schema: SessionJurorAddedSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    body = load_json(SessionJurorCreateSchema)
    info = members.JurorInfo(position=body["position"], company=body["company"], professional=body["professional"],
                             experience_years=body["experience_years"], external=body["external"])
    juror, invited = _commit(lambda: members.add_juror(session, current_api_user(), email=body["email"], info=info,
                                                       first_name=body["first_name"], last_name=body["last_name"]))
    response = jsonify(SessionJurorAddedSchema().dump({**_juror(juror), "invited": invited}))
    response.status_code = 201
    return response


@blueprint.patch("/<int:session_id>/jurors/<int:juror_id>")
@token_required
def update_juror(session_id: int, juror_id: int):
    """Change what is recorded about a juror.
    ---
    patch:
      summary: Modifier un juré
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionJurorUpdateSchema
      responses:
        200:
          description: Le juré.
          content:
            application/json:
              schema: SessionJurorSchema
        404: SessionMemberNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    juror = members.get_juror_for(session, juror_id)
    body = load_json(SessionJurorUpdateSchema)
    info = members.JurorInfo(**{name: body.get(name, getattr(juror, name)) for name in
                                ("position", "company", "professional", "experience_years", "external")})
    _commit(lambda: members.update_juror(session, current_api_user(), juror, info))
    return jsonify(SessionJurorSchema().dump(_juror(juror)))


@blueprint.delete("/<int:session_id>/jurors/<int:juror_id>")
@token_required
def remove_juror(session_id: int, juror_id: int):
    """Remove a juror (and their declarations for this session).
    ---
    delete:
      summary: Retirer un juré
      tags: [sessions]
      responses:
        204:
          description: Le juré est retiré.
        404: SessionMemberNotFound
        409: SessionConflict
    """
    session = _managed(session_id)
    juror = members.get_juror_for(session, juror_id)
    _commit(lambda: members.remove_juror(session, current_api_user(), juror))
    return "", 204


# ---------------------------------------------------------------------------
# candidates
# ---------------------------------------------------------------------------

@blueprint.put("/<int:session_id>/declarations")
@token_required
def put_declarations(session_id: int):
    """A juror's declarations: no link and no part in the training, per candidate.
    ---
    put:
      summary: Déclarer l'absence de lien avec les candidats (juré)
      description: >-
        Réservé aux jurés de la session, tant qu'elle est en préparation ou ouverte. Pour chaque
        candidat : `no_link` (aucun lien professionnel ou personnel) et `no_training` (aucune
        participation à sa formation ou à sa préparation) ; `false` déclare un conflit, qui
        empêche l'ouverture de la session.
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionDeclarationRequestSchema
      responses:
        200:
          description: Les déclarations du juré pour cette session.
          content:
            application/json:
              schema: SessionDeclarationListSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    user = current_api_user()
    session = _viewed(session_id)
    body = load_json(SessionDeclarationRequestSchema)
    _commit(lambda: members.declare(session, user, body["declarations"]))
    rows = [d for _c, d in members.declaration_rows(session, user) if d is not None]
    return jsonify(SessionDeclarationListSchema().dump({"items": [_declaration(d) for d in rows]}))

