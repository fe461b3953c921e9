"""API of the sessions area: plan, open and run jury sessions; jurors' declarations.

Every view loads the session with :func:`core.jury.services.get_session_for`
(``manage=True`` for changes), so a session of another organisation, or one
the token's account does not sit on, is a 404 on every URL.

This module holds the sessions' own routes; the jurors and their declarations
(:mod:`core.sessions.api_jurors`), the candidates and their attendance
(:mod:`core.sessions.api_candidates`), the schedule's reset and the observations
(:mod:`core.sessions.api_running`) are on the same blueprint, re-exported here.
"""
from __future__ import annotations

from flask import jsonify, url_for
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import TAGS, declare_error_response, declare_tag
from core.auth.models import Role
from core.errors import Forbidden
from core.extensions import db
from core.jury import services as jury
from core.jury.models import SessionStatus
from core.sessions.timetable import passage_minutes
from core.sessions import services
from core.sessions.schemas import (
    SessionCreateSchema,
    SessionDetailSchema,
    SessionListSchema,
    SessionProblemsSchema,
    SessionScheduleRequestSchema,
    SessionUpdateSchema,
)

blueprint = api_blueprint("sessions_api", __name__, url_prefix="/sessions")

if "sessions" not in TAGS:  # the evaluation, deliberation and PV areas share the /sessions prefix
    declare_tag("sessions", "Les sessions de jury : planification par le responsable de session (informations, "
                            "déroulé, candidats, jurés), règles de composition du jury, ouverture, présences, "
                            "observations ; déclarations des jurés.", "Sessions")
declare_error_response("SessionNotFound", code="session_not_found",
                       description="La session n'existe pas, ou le compte du jeton n'en est ni le responsable, "
                                   "ni un juré, ni du personnel du certificateur (ni, pour une modification, "
                                   "un responsable de session de son organisme).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("SessionMemberNotFound", code="candidate_not_found",
                       description="La session n'existe pas pour ce compte, ou ce candidat (`candidate_not_found`) "
                                   "ou ce juré (`juror_not_found`) n'en fait pas partie.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("SessionConflict", code="wrong_state",
                       description="L'action est impossible dans l'état de la session : `wrong_state` "
                                   "(`details.status` donne le statut), `jury_rules_not_met` (ouverture refusée ; "
                                   "`details.problems` liste chaque règle non respectée), `pv_in_signing`, "
                                   "`juror_already_added`.",
                       message="La session est au statut « Ouverte » : les jurés, les candidats et le déroulé "
                               "sont figés depuis son ouverture.")
declare_error_response("SessionInvalid", code="validation_failed",
                       description="Données invalides ; `details` donne les erreurs par champ, en français. "
                                   "Rien n'a changé.",
                       message="Les informations de la session contiennent des erreurs : rien n'a été enregistré.")
declare_error_response("SessionForbidden", code="no_organisation",
                       description="Seul un responsable de session rattaché à un organisme planifie des sessions "
                                   "(`no_organisation`, `forbidden`).",
                       message="Votre compte de responsable de session n'est rattaché à aucun organisme : vous ne "
                               "pouvez pas planifier de session.")


# ---------------------------------------------------------------------------
# serialisation
# ---------------------------------------------------------------------------

def _summary(session) -> dict:
    return {
        "id": session.id, "title": session.title, "certification_code": session.certification_code,
        "status": session.status.value, "status_label": session.status.label, "starts_at": session.starts_at,
        "ends_on": session.ends_on, "centre": session.centre, "address": session.address,
        "video_link": session.video_link,
        "manager": {"id": session.manager_id, "name": session.manager.full_name},
        "counts": services.counts(session),
        "links": {"self": url_for("sessions_api.get_session", session_id=session.id),
                  "html": url_for("sessions.show", session_id=session.id)},
    }


def _juror(juror) -> dict:
    return {"id": juror.id, "user_id": juror.user_id, "name": juror.user.full_name, "email": juror.user.email,
            "position": juror.position, "company": juror.company, "professional": juror.professional,
            "experience_years": juror.experience_years, "external": juror.external, "added_at": juror.added_at}


def _declaration(declaration) -> dict:
    return {"candidate_id": declaration.candidate_id, "juror_user_id": declaration.juror_id,
            "juror_name": declaration.juror.full_name, "no_link": declaration.no_link,
            "no_training": declaration.no_training, "declared_at": declaration.declared_at}


def _candidate(session, candidate) -> dict:
    dossier = candidate.dossier
    return {"id": candidate.id, "dossier_id": dossier.id, "reference": dossier.reference,
            "name": dossier.candidate.full_name, "position": candidate.position, "starts_at": candidate.starts_at,
            "convocation_at": services.convocation_time(session, candidate), "attempt": candidate.attempt,
            "retake": candidate.attempt > 1, "access_route": candidate.access_route,
            "block": dossier.target_block, "slot_minutes": passage_minutes(session, candidate),
            "attendance": candidate.attendance.value, "attendance_label": candidate.attendance.label,
            "dossier_status": dossier.status.value,
            "declarations": [_declaration(d) for d in candidate.declarations]}


def _problems(session) -> dict:
    blocking, warnings = services.problems_of(session)
    return {"blocking": [services.problem_dict(p) for p in blocking],
            "warnings": [services.problem_dict(p) for p in warnings]}


def _detail(session, status: int = 200):
    data = {**_summary(session), "manager_position": session.manager_position,
            "observations": session.observations,
            "observations_editable": services.observations_editable(session), "opened_at": session.opened_at, "closed_at": session.closed_at,
            "regulation_sent_at": session.regulation_sent_at,
            "slot_minutes": session.slot_minutes, "schedule": session.schedule or [],
            "jurors": [_juror(j) for j in session.jurors],
            "candidates": [_candidate(session, c) for c in services.ordered(session)],
            "problems": _problems(session)}
    response = jsonify(SessionDetailSchema().dump(data))
    response.status_code = status
    return response


def _commit(action):
    """Run a service call and commit (a refusal propagates; its handler rolls back)."""
    result = action()
    db.session.commit()
    return result


def _viewed(session_id: int):
    return jury.get_session_for(current_api_user(), session_id)


def _managed(session_id: int):
    return jury.get_session_for(current_api_user(), session_id, manage=True)


def _info(body: dict, base: services.SessionInfo) -> services.SessionInfo:
    if "starts_at" in body:
        start = services.local(body["starts_at"])
        base.day, base.clock = start.date(), start.time().replace(tzinfo=None)
    for name in ("title", "ends_on", "centre", "address", "video_link", "manager_position"):
        if name in body:
            setattr(base, name, body[name])
    return base


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------

@blueprint.get("")
@token_required
def list_sessions():
    """The sessions the token's account may see.
    ---
    get:
      summary: Lister les sessions de jury
      description: >-
        Responsable de session : les sessions de son organisme. Juré : les sessions où il siège.
        Personnel du certificateur : les sessions de son organisme. Autres comptes : liste vide.
      tags: [sessions]
      responses:
        200:
          description: Les sessions, les plus récentes d'abord.
          content:
            application/json:
              schema: SessionListSchema
    """
    return jsonify(SessionListSchema().dump({"items": [_summary(s) for s in jury.sessions_of(current_api_user())]}))


@blueprint.post("")
@token_required
def create_session():
    """Create a draft session.
    ---
    post:
      summary: Créer une session de jury
      description: >-
        Réservé aux responsables de session rattachés à un organisme, pour une certification
        activée pour cet organisme. La session est créée « en préparation » avec le déroulé type
        de la certification.
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionCreateSchema
      responses:
        201:
          description: La session créée.
          content:
            application/json:
              schema: SessionDetailSchema
        403: SessionForbidden
        422: SessionInvalid
    """
    user = current_api_user()
    if user.role is not Role.SESSION_MANAGER:
        raise Forbidden(_("Seul un responsable de session peut planifier une session."))
    services.manager_organisation(user)
    body = load_json(SessionCreateSchema)
    session = _commit(lambda: services.create_session(user, certification_code=body["certification"],
                                                      info=_info(body, services.SessionInfo())))
    return _detail(session, 201)


@blueprint.get("/<int:session_id>")
@token_required
def get_session(session_id: int):
    """A session with its schedule, jurors, candidates and composition problems.
    ---
    get:
      summary: Détail d'une session
      tags: [sessions]
      responses:
        200:
          description: La session.
          content:
            application/json:
              schema: SessionDetailSchema
        404: SessionNotFound
    """
    return _detail(_viewed(session_id))


@blueprint.patch("/<int:session_id>")
@token_required
def update_session(session_id: int):
    """Change a session's information, or the manager's observations.
    ---
    patch:
      summary: Modifier une session
      description: >-
        Les informations (intitulé, dates, lieu, lien) ne changent que « en préparation ».
        Les observations et la fonction du responsable se modifient pendant la session ouverte
        (ou pendant une correction du procès-verbal).
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionUpdateSchema
      responses:
        200:
          description: La session modifiée.
          content:
            application/json:
              schema: SessionDetailSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    user = current_api_user()
    body = load_json(SessionUpdateSchema)
    info_keys = set(body) - {"observations", "manager_position"}
    draft = session.status is SessionStatus.DRAFT

    def change():
        if info_keys or (draft and "manager_position" in body):
            services.update_info(session, user, _info(body, services.info_of(session)))
        if "observations" in body or (not draft and "manager_position" in body):
            services.set_observations(session, user, observations=body.get("observations"),
                                      manager_position=body.get("manager_position"))

    _commit(change)
    return _detail(session)


@blueprint.put("/<int:session_id>/schedule")
@token_required
def put_schedule(session_id: int):
    """Replace the schedule of one candidate's passage (slots recomputed).
    ---
    put:
      summary: Remplacer le déroulé
      tags: [sessions]
      requestBody:
        required: true
        content:
          application/json:
            schema: SessionScheduleRequestSchema
      responses:
        200:
          description: La session, avec les créneaux recalculés.
          content:
            application/json:
              schema: SessionDetailSchema
        404: SessionNotFound
        409: SessionConflict
        422: SessionInvalid
    """
    session = _managed(session_id)
    body = load_json(SessionScheduleRequestSchema)
    _commit(lambda: services.set_schedule(session, current_api_user(), body["steps"]))
    return _detail(session)


@blueprint.get("/<int:session_id>/problems")
@token_required
def get_problems(session_id: int):
    """The composition problems of a session.
    ---
    get:
      summary: Règles de composition du jury
      description: >-
        Les points bloquants (la session ne peut pas s'ouvrir) et les avertissements, chacun en
        français et nommant la règle de la certification.
      tags: [sessions]
      responses:
        200:
          description: Les problèmes.
          content:
            application/json:
              schema: SessionProblemsSchema
        404: SessionNotFound
    """
    return jsonify(SessionProblemsSchema().dump(_problems(_viewed(session_id))))


@blueprint.post("/<int:session_id>/open")
@token_required
def open_session(session_id: int):
    """Open a session whose jury respects every rule.
    ---
    post:
      summary: Ouvrir une session
      description: >-
        Refusé (409 `jury_rules_not_met`) tant qu'une règle bloquante n'est pas respectée ;
        `details.problems` les liste toutes. Sinon la session est ouverte, les dossiers passent
        au statut « Convoqué en session », les candidats et les jurés reçoivent leur convocation.
      tags: [sessions]
      responses:
        200:
          description: La session ouverte.
          content:
            application/json:
              schema: SessionDetailSchema
        404: SessionNotFound
        409: SessionConflict
    """
    session = _managed(session_id)
    _commit(lambda: services.open_session(session, current_api_user()))
    return _detail(session)


# The jurors, candidates, schedule reset and observations routes live in sibling modules, on this
# blueprint: importing them registers them. They import this module, so their views are looked up
# when asked for (``core.sessions.api.add_juror``) rather than imported here, whichever module loads first.
from core.sessions import api_jurors, api_candidates, api_running  # noqa: E402 - the routes of the other groups

_VIEW_MODULES = (api_jurors, api_candidates, api_running)


def __getattr__(name: str):
    for module in _VIEW_MODULES:
        view = module.__dict__.get(name)
        if view is not None and getattr(view, "__module__", None) == module.__name__:
            return view
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
