"""API of the procès-verbal, continued: sign every document awaiting one's signature at once.

The counterpart of the page « Mes signatures » (``pv.sign_all``): one password, then
:func:`core.pv.services.sign_all`, the service the page calls (each document in its own
transaction, stopping at the first failure).
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from flask_babel import gettext as _

import core.sealing.services as sealing
from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.errors import Conflict
from core.jury.services import get_session_for
from core.policy import require
from core.pv import services
from core.pv.api import _data, blueprint
from core.pv.schemas import PvSignAllRequestSchema, PvSignAllSchema, SealingProgressSchema


def _requested(session, user, ids: list[int] | None) -> list:
    """The documents to sign, in the order the page signs them (grids, then the PV)."""
    if ids is None:
        return services.awaiting(session, user)
    wanted = {services.get_document(session, document_id).id for document_id in ids}  # 404 for another's
    return [d for d in services.documents_of(session) if d.id in wanted]


@blueprint.post("/<int:session_id>/signatures")
@token_required
def sign_all(session_id: int):
    """Sign every document awaiting the token's owner (or those listed) with one password.
    ---
    post:
      summary: Signer tous mes documents de la session
      description: >-
        Comme la page « Mes signatures » : le mot de passe est vérifié une fois, puis chaque document
        (les grilles, puis le procès-verbal) est signé dans sa propre transaction, dans l'ordre ;
        un document est signé entièrement ou pas du tout. Sans `documents`, tous les documents qui
        attendent la signature du compte du jeton. Avant le mot de passe, chaque document demandé est
        vérifié : un document qui n'attend pas cette signature est refusé (409 `already_signed`,
        `not_your_turn`, `document_sealed` ; 403 `not_a_signer`) et rien n'est signé ; 409
        `nothing_to_sign` quand aucun document n'attend la signature.


        Une signature qui échoue arrête la suite. Si aucun document n'a encore été signé, la réponse
        est l'erreur de ce document (par exemple 503 `sealing_failed`, avec `details.document_id`) :
        rien n'a changé. Si des documents ont déjà été signés, la réponse est **200** avec
        `complete: false` : `signed` liste ceux qui restent signés, `failed` le document en échec (resté
        tel quel) et la raison en français, `not_tried` les suivants ; renvoyer la demande signe ce qui
        reste. Après la dernière signature d'un procès-verbal, le cachet est apposé, les décisions sont
        scellées et la session close (voir la signature du procès-verbal).
      tags: [pv]
      requestBody:
        required: true
        content:
          application/json:
            schema: PvSignAllRequestSchema
      responses:
        200:
          description: Les documents signés ; `complete` dit si tous l'ont été.
          content:
            application/json:
              schema: PvSignAllSchema
        202:
          description: >-
            Signés ; le cachet d'au moins un document est en cours dans la file de tâches : l'en-tête
            `Location` donne l'avancement (`GET /sessions/{id}/sealing`).
          content:
            application/json:
              schema: PvSignAllSchema
        403: PvNotSigner
        404: PvDocumentNotFound
        409: PvConflict
        422: PvInvalid
        429: TooManyPasswordAttempts
        503: PvSigningFailed
    """
    user = current_api_user()
    session = get_session_for(user, session_id)
    require(user, "session.sign", session, reason=services.not_a_signer_reason(), refusal_code="not_a_signer")
    body = load_json(PvSignAllRequestSchema)
    docs = _requested(session, user, body.get("documents"))
    if not docs:
        raise Conflict(_("Aucun document n'attend votre signature."), code="nothing_to_sign")
    for doc in docs:
        services.check_can_sign(doc, user)
    sealing.reauthenticate(user, body["password"])
    run = services.sign_all(session, user, docs)
    if run.failed is not None and not run.signed:
        error = run.error
        error.details = {**(error.details if isinstance(error.details, dict) else {}),
                         "document_id": run.failed.id}
        raise error
    failed = None
    if run.failed is not None:
        failed = {"document": _data(run.failed), "code": getattr(run.error, "code", "error"), "reason": run.reason}
    done = {d.id for d in run.signed} | ({run.failed.id} if run.failed is not None else set())
    not_tried = [d.id for d in docs if d.id not in done]
    return accepted_if_sealing(jsonify(PvSignAllSchema().dump({
        "complete": run.failed is None, "signed": [_data(d) for d in run.signed], "failed": failed,
        "not_tried": not_tried})), session.id, run.signed)


def accepted_if_sealing(response, session_id: int, docs) -> Any:
    """202 with ``Location`` (the sealing status) when a document signed here waits for its seal (RQ
    jobs); the response as it is otherwise (inline jobs: already sealed)."""
    from core.jury.models import SignedDocumentStatus

    if any(d.status is SignedDocumentStatus.SEALING for d in docs):
        response.status_code = 202
        response.headers["Location"] = url_for("pv_api.sealing_progress", session_id=session_id)
    return response


@blueprint.get("/<int:session_id>/sealing")
@token_required
def sealing_progress(session_id: int):
    """Where the final seals of the session's documents stand.
    ---
    get:
      summary: Avancement du scellement des documents de la session
      description: >-
        Après la dernière signature d'un document (grille ou procès-verbal), le cachet de l'organisme est
        apposé par la file de tâches : la signature répond **202** avec l'en-tête `Location` vers cette
        adresse. `done` devient vrai quand chaque document signé porte son cachet ; un cachet qui échoue
        est retenté automatiquement (sa raison est dans `errors`) ou à la demande du responsable
        (`POST` sur cette adresse). Un document n'est jamais scellé deux fois.
      tags: [pv]
      responses:
        200:
          description: L'avancement.
          content:
            application/json:
              schema: SealingProgressSchema
        404: NotFound
    """
    from core.pv.sealing import progress

    session = get_session_for(current_api_user(), session_id)
    response = jsonify(SealingProgressSchema().dump(progress(session)))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/<int:session_id>/sealing")
@token_required
def retry_sealing(session_id: int):
    """Queue again the seals still waiting (session manager).
    ---
    post:
      summary: Relancer le scellement
      description: >-
        Remet dans la file de tâches le cachet de chaque document de la session qui l'attend encore (après
        une panne de la file ou de l'autorité d'horodatage, par exemple). Sans effet sur un document déjà
        scellé : un document n'est jamais scellé deux fois. Répond **202** tant que des cachets attendent.
      tags: [pv]
      responses:
        200:
          description: Plus rien n'attend (avancement).
          content:
            application/json:
              schema: SealingProgressSchema
        202:
          description: Les cachets en attente ont été remis dans la file (avancement).
          content:
            application/json:
              schema: SealingProgressSchema
        403: Forbidden
        404: NotFound
    """
    from core.pv.sealing import progress, retry

    user = current_api_user()
    session = get_session_for(user, session_id, manage=True)
    retry(session, user)
    state = progress(session)
    response = jsonify(SealingProgressSchema().dump(state))
    if not state["done"]:
        response.status_code = 202
        response.headers["Location"] = url_for("pv_api.sealing_progress", session_id=session_id)
    return response
