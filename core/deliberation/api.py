"""Deliberation API: one candidate's consolidated grids, recording the decision, the session's decisions.

Every view loads the session with :func:`core.jury.services.get_session_for`
(404 for anybody who is not its manager, one of its jurors or the
certifier's staff) and the candidate with
:func:`core.jury.services.get_candidate_for` (404 for a candidate of
another session).
"""
from __future__ import annotations

from flask import jsonify

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_tag
from core.certifications.descriptor import RecordedDecision
from core.deliberation import services
from core.deliberation.schemas import (
    DeliberationSchema,
    JuryDecisionRequestSchema,
    JuryDecisionSchema,
    SessionDecisionsSchema,
)
from core.extensions import db
from core.jury import services as jury

blueprint = api_blueprint("deliberation_api", __name__, url_prefix="/sessions")

declare_tag("deliberation", "La délibération du jury : grilles consolidées, désaccords, décision calculée par les "
                            "règles de la certification et décision enregistrée par le jury.", "Délibération")
declare_error_response("SessionOrCandidateNotFound", code="session_not_found",
                       description="La session n'existe pas ou le compte du jeton n'en est ni le responsable, ni "
                                   "un juré, ni un membre du certificateur (`session_not_found`) ; ou le candidat "
                                   "n'appartient pas à cette session (`candidate_not_found`).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("NoDeliberativeVote", code="no_deliberative_vote",
                       description="Seuls les jurés enregistrent une décision : le responsable de session n'a pas "
                                   "de voix délibérative (`no_deliberative_vote`), le personnel du certificateur "
                                   "non plus (`not_a_juror`).",
                       message="Le responsable de session n'a pas de voix délibérative : seuls les membres du jury "
                               "enregistrent la décision.")
declare_error_response("DecisionLocked", code="decisions_locked",
                       description="La décision ne peut pas être enregistrée maintenant : session non ouverte, "
                                   "procès-verbal en cours de signature ou scellé (`decisions_locked`), ou grilles "
                                   "des jurés non terminées (`grids_incomplete`, `details.pending`).",
                       message="Le procès-verbal est en cours de signature : les décisions ne peuvent plus changer.")
declare_error_response("DecisionRefused", code="decision_rules",
                       description="La décision contredit les règles de la certification (`decision_rules` : "
                                   "`details.rules` cite chaque règle, `details.fields` les rattache aux champs) "
                                   "ou des données manquent (`validation_failed`, `details.fields`).",
                       message="La décision contredit les règles de la certification : « Admis » exige la "
                               "validation des trois blocs de compétences.")


def _load(session_id: int, candidate_id: int):
    user = current_api_user()
    session = jury.get_session_for(user, session_id)
    candidate = jury.get_candidate_for(user, session, candidate_id)
    return user, services.deliberation_of(session, candidate)


def _blocked_by(user, delib) -> str | None:
    if not services.may_record(user, delib.session):
        return None
    return delib.locked or delib.pending_reason


def _decision(delib, decision):
    return services.decision_dict(delib.grid, delib.cert, decision) if decision is not None else None


@blueprint.get("/<int:session_id>/candidates/<int:candidate_id>/deliberation")
@token_required
def deliberation(session_id: int, candidate_id: int):
    """One candidate's deliberation.
    ---
    get:
      summary: Délibération d'un candidat
      description: >-
        Les grilles terminées des jurés côte à côte (une colonne par juré), les lignes où ils sont
        en désaccord, la consolidation, la décision calculée par les règles du plugin et la décision
        enregistrée en vigueur. Réservé aux jurés de la session, à son responsable et au personnel du
        certificateur.
      tags: [deliberation]
      responses:
        200:
          description: La délibération.
          content:
            application/json:
              schema: DeliberationSchema
        404: SessionOrCandidateNotFound
    """
    user, delib = _load(session_id, candidate_id)
    completed = {j.user_id for j in delib.columns}
    rows = [row for group in delib.groups for row in group.rows]
    blocked = _blocked_by(user, delib)
    proposal = delib.proposal
    return jsonify(DeliberationSchema().dump({
        "session_id": delib.session.id, "candidate_id": delib.candidate.id,
        "dossier_id": delib.candidate.dossier_id, "attendance": delib.candidate.attendance.value,
        "mode": delib.grid.mode,
        "jurors": [{"user_id": j.user_id, "name": j.user.full_name, "completed": j.user_id in completed}
                   for j in delib.session.jurors],
        "rows": [{"kind": r.kind, "code": r.code, "label": r.label, "values": r.raw, "mean": r.mean,
                  "disagreement": r.disagreement} for r in rows],
        "disagreements": [r.code for r in delib.disagreements],
        "consolidation": jury.consolidation_dict(delib.consolidation),
        "proposal": {"outcome": proposal.outcome, "outcome_label": services.outcome_label(delib.grid, proposal.outcome),
                     "validated_blocks": list(proposal.validated_blocks),
                     "acquired_competencies": list(proposal.acquired_competencies),
                     "reasons": list(proposal.reasons), "extra": dict(proposal.extra)},
        "decision": _decision(delib, delib.decision),
        "can_record": services.may_record(user, delib.session) and blocked is None,
        "blocked_by": blocked,
    }))


@blueprint.post("/<int:session_id>/candidates/<int:candidate_id>/decision")
@token_required
def record_decision(session_id: int, candidate_id: int):
    """Record the jury's decision for one candidate.
    ---
    post:
      summary: Enregistrer la décision du jury
      description: >-
        Réservé aux jurés de la session (le responsable de session n'a pas de voix délibérative).
        Toutes les grilles des jurés doivent être terminées, sauf pour un candidat absent (décision
        « absent »). La décision est vérifiée par les règles de la certification : une décision qui
        les contredit est refusée en citant la règle. Elle remplace la décision précédente non scellée
        (conservée dans l'historique), passe le dossier au statut « Évalué » et est inscrite au
        journal d'audit.
      tags: [deliberation]
      requestBody:
        required: true
        content:
          application/json:
            schema: JuryDecisionRequestSchema
      responses:
        201:
          description: La décision enregistrée.
          content:
            application/json:
              schema: JuryDecisionSchema
        403: NoDeliberativeVote
        404: SessionOrCandidateNotFound
        409: DecisionLocked
        422: DecisionRefused
    """
    user, delib = _load(session_id, candidate_id)
    services.check_may_record(user, delib.session)
    body = load_json(JuryDecisionRequestSchema)
    decision = RecordedDecision(outcome=body["outcome"], validated_blocks=tuple(body["validated_blocks"]),
                                marks=dict(body["marks"]), scores=dict(body["scores"]),
                                vae_outcome=body["vae_outcome"], remaining=body["remaining"], comment=body["comment"])
    row = services.record_decision(delib, user, decision)
    db.session.commit()
    response = jsonify(JuryDecisionSchema().dump(services.decision_dict(delib.grid, delib.cert, row)))
    response.status_code = 201
    return response


@blueprint.get("/<int:session_id>/decisions")
@token_required
def decisions(session_id: int):
    """The session's candidates and their current decisions.
    ---
    get:
      summary: Décisions de la session
      description: >-
        Chaque candidat de la session dans l'ordre de passage : présence, grilles terminées,
        décision calculée par les règles et décision enregistrée en vigueur.
      tags: [deliberation]
      responses:
        200:
          description: Les décisions de la session.
          content:
            application/json:
              schema: SessionDecisionsSchema
        404: SessionOrCandidateNotFound
    """
    session = jury.get_session_for(current_api_user(), session_id)
    cert = jury.certification_of(session)
    grid = jury.grid_of(cert)
    return jsonify(SessionDecisionsSchema().dump({
        "session_id": session.id, "locked": jury.decisions_locked(session),
        "candidates": [{
            "candidate_id": r.candidate.id, "dossier_id": r.candidate.dossier_id,
            "reference": r.candidate.dossier.reference, "name": r.candidate.dossier.candidate.full_name,
            "attendance": r.candidate.attendance.value, "grids_completed": r.completed, "jurors": r.jurors,
            "computed_outcome": r.proposal.outcome,
            "decision": services.decision_dict(grid, cert, r.decision) if r.decision else None,
        } for r in services.overview(session)],
    }))
