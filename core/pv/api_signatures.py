"""API of the procès-verbal, continued: sign every document awaiting one's signature at once.

The counterpart of the page « Mes signatures » (``pv.sign_all``): one password, then
:func:`core.pv.services.sign_all`, the service the page calls (each document in its own
transaction, stopping at the first failure).
"""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

import core.sealing.services as sealing
from core.api.auth import current_api_user, token_required
from core.api.parsing import load_json
from core.errors import Conflict
from core.jury.services import get_session_for
from core.policy import require
from core.pv import services
from core.pv.api import _data, blueprint
from core.pv.schemas import PvSignAllRequestSchema, PvSignAllSchema


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
    return jsonify(PvSignAllSchema().dump({"complete": run.failed is None, "signed": [_data(d) for d in run.signed],
                                           "failed": failed, "not_tried": not_tried}))
