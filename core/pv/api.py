"""API of the procès-verbal and the signed grids of a jury session.

Every view loads the session with :func:`core.jury.services.get_session_for`
(the session manager, its jurors, the certifier's staff; anyone else gets a
404 on every URL) and the document with :func:`core.pv.services.get_document`.
"""
from __future__ import annotations

from flask import jsonify, url_for

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import declare_error_response, declare_tag
from core.jury.services import certification_of, get_session_for, grid_of
from core.pv import committee, generation, services, stages
from core.pv.schemas import (
    PvCorrectionRequestSchema,
    PvCorrectionSchema,
    PvDocumentSchema,
    PvGeneratedSchema,
    PvListSchema,
    PvSignRequestSchema,
)

blueprint = api_blueprint("pv_api", __name__, url_prefix="/sessions")

declare_tag("pv", "Procès-verbal de délibération et grilles d'évaluation individuelles d'une session de jury : "
                  "génération, signatures des jurés puis du responsable de session, cachet final, "
                  "procès-verbal rectificatif.", "Procès-verbal et signatures")
declare_error_response("PvSessionNotFound", code="session_not_found",
                       description="La session n'existe pas ou le compte n'y a pas accès (ni responsable, ni juré, "
                                   "ni personnel du certificateur).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("PvDocumentNotFound", code="document_not_found",
                       description="Ce document n'existe pas dans cette session.",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("PvConflict", code="pv_not_ready",
                       description="L'action est impossible dans l'état actuel : procès-verbal pas encore générable "
                                   "(`pv_not_ready`, `details.missing` liste ce qui manque), session pas ouverte ou "
                                   "close (`wrong_state`), procès-verbal déjà en signature (`pv_in_signing`), document "
                                   "déjà scellé (`document_sealed`, `details.status`), pas encore le tour du "
                                   "signataire (`not_your_turn`), signature déjà apposée (`already_signed`), "
                                   "correction déjà en cours (`correction_in_progress`).",
                       message="Le procès-verbal ne peut pas encore être généré : Dupont Camille : aucune décision "
                               "du jury n'est enregistrée.")
declare_error_response("PvNotSigner", code="not_a_signer",
                       description="Le compte n'est pas signataire prévu de ce document.",
                       message="Vous n'êtes pas signataire de ce document.")
declare_error_response("PvInvalid", code="validation_failed",
                       description="Données invalides (`validation_failed`, `details` par champ) ou mot de passe "
                                   "erroné (`reauthentication_failed`) ; rien n'a changé.",
                       message="Mot de passe incorrect : votre identité n'a pas pu être confirmée, rien n'a été signé.")
declare_error_response("PvSigningFailed", code="sealing_failed",
                       description="La signature ou le scellement a échoué (horodatage indisponible…) ; le document "
                                   "est resté tel quel. Réessayer plus tard.",
                       message="Le document n'a pas pu être scellé. Réessayez plus tard.")


def _links(session_id: int, doc) -> dict:
    base = {"session_id": session_id}
    if doc.kind == services.PV:
        links = {"content": url_for("pv_api.pv_content", pv_id=doc.id, **base),
                 "sign": url_for("pv_api.sign_pv", pv_id=doc.id, **base)}
    else:
        links = {"content": url_for("pv_api.document_content", document_id=doc.id, **base),
                 "sign": url_for("pv_api.sign_document", document_id=doc.id, **base)}
    if doc.document_id is not None:  # sealed: the issued document, on the generic documents route
        links["document"] = url_for("documents_api.document", document_id=doc.document_id)
    return links


def dump(doc) -> dict:
    return PvDocumentSchema().dump(_data(doc))


def _data(doc) -> dict:
    """The document as :class:`PvDocumentSchema` reads it (not serialised yet); ``sha256`` and ``size`` are
    those of the bytes ``links.content`` serves (see :func:`core.pv.services.content_of`)."""
    content = services.content_of(doc)
    return {
        "id": doc.id, "kind": doc.kind, "number": doc.number, "status": doc.status.value,
        "status_label": services.status_label(doc), "candidate_id": doc.candidate_id,
        "dossier_id": doc.candidate.dossier_id if doc.candidate else None, "replaces_id": doc.replaces_id,
        "correction_reason": doc.correction_reason or "", "sha256": content.sha256, "size": content.size,
        "created_at": doc.created_at, "sealed_at": doc.sealed_at, "document_id": doc.document_id,
        "planned": services.signer_rows(doc), "signatures": doc.signatures or [],
        "waiting_for": [p["user_id"] for p in services.allowed_now(doc)], "links": _links(doc.session_id, doc)}


@blueprint.get("/<int:session_id>/pv")
@token_required
def pv_list(session_id: int):
    """The procès-verbaux and grids of a session, with their signatures.
    ---
    get:
      summary: Procès-verbaux et grilles d'une session
      description: >-
        Pour le responsable de session, les jurés de la session et le personnel du certificateur.
        Chaque document indique son statut, les signataires prévus (et qui peut signer maintenant),
        les signatures apposées et, une fois scellé, le document émis. `missing` dit ce qui manque
        pour générer le procès-verbal ; `stages`, où en est son renseignement (trois étapes) ;
        `quality_committee`, sa transmission au comité qualité du certificateur.
      tags: [pv]
      responses:
        200:
          description: Les documents de la session.
          content:
            application/json:
              schema: PvListSchema
        404: PvSessionNotFound
    """
    session = get_session_for(current_api_user(), session_id)
    problem = generation.state_problem(session)
    missing = generation.missing(session, grid_of(certification_of(session))) if problem is None else [str(problem)]
    return jsonify(PvListSchema().dump({
        "session_id": session.id, "session_status": session.status.value,
        "correction_in_progress": session.correction_started_at is not None,
        "can_generate": not missing, "missing": missing,
        "items": [_data(d) for d in sorted(services.documents_of(session, services.PV), key=lambda d: d.number)],
        "grids": [_data(d) for d in services.documents_of(session, services.GRID)],
        "stages": stages.as_dicts(stages.stages(session)), "quality_committee": committee.status(session)}))


@blueprint.post("/<int:session_id>/pv")
@token_required
def generate(session_id: int):
    """Generate the PV and the grids to sign.
    ---
    post:
      summary: Générer le procès-verbal et les grilles
      description: >-
        Réservé au responsable de la session. La session doit être ouverte (ou close avec une
        correction en cours : le procès-verbal est alors rectificatif et remplace le précédent), chaque
        candidat doit avoir sa présence et une décision enregistrées. Génère la grille d'évaluation
        individuelle de chaque candidat présent (Annexe 3) et le procès-verbal (Annexe 4), en PDF
        accessible, certifiés par l'organisme (seules les signatures prévues peuvent suivre).
      tags: [pv]
      responses:
        201:
          description: Le procès-verbal et les grilles à signer.
          content:
            application/json:
              schema: PvGeneratedSchema
        404: PvSessionNotFound
        409: PvConflict
        503: PvSigningFailed
    """
    user = current_api_user()
    session = get_session_for(user, session_id, manage=True)
    pv, grids = generation.generate(session, user)
    response = jsonify(PvGeneratedSchema().dump({"pv": _data(pv), "grids": [_data(g) for g in grids]}))
    response.status_code = 201
    return response


def _sign(session_id: int, document_id: int, kind: str | None):
    from core.policy import require

    user = current_api_user()
    session = get_session_for(user, session_id)
    require(user, "session.sign", session, reason=services.not_a_signer_reason(), refusal_code="not_a_signer")
    doc = services.get_document(session, document_id, kind)
    body = load_json(PvSignRequestSchema)
    doc = services.sign(doc, user, body["password"])
    from core.pv.api_signatures import accepted_if_sealing

    return accepted_if_sealing(jsonify(dump(doc)), session.id, [doc])


@blueprint.post("/<int:session_id>/pv/<int:pv_id>/sign")
@token_required
def sign_pv(session_id: int, pv_id: int):
    """Sign the PV as the token's owner.
    ---
    post:
      summary: Signer le procès-verbal
      description: >-
        Signature personnelle (certificat délivré au nom du signataire par la plateforme) après
        confirmation du mot de passe. Les jurés signent dans n'importe quel ordre, le responsable
        de session après tous les jurés ; après la dernière signature, l'organisme appose son
        cachet (B-LTA), les décisions sont scellées, la session close, les candidats prévenus et
        les webhooks `decision.sealed` et `pv.sealed` émis. Un document scellé ne change plus.
      tags: [pv]
      requestBody:
        required: true
        content:
          application/json:
            schema: PvSignRequestSchema
      responses:
        200:
          description: Le procès-verbal après la signature.
          content:
            application/json:
              schema: PvDocumentSchema
        202:
          description: >-
            Signé par tous ; le cachet de l'organisme est en cours dans la file de tâches (statut
            `sealing`) : l'en-tête `Location` donne l'avancement (`GET /sessions/{id}/sealing`).
          content:
            application/json:
              schema: PvDocumentSchema
        403: PvNotSigner
        404: PvDocumentNotFound
        409: PvConflict
        422: PvInvalid
        429: TooManyPasswordAttempts
        503: PvSigningFailed
    """
    return _sign(session_id, pv_id, services.PV)


@blueprint.post("/<int:session_id>/documents/<int:document_id>/sign")
@token_required
def sign_document(session_id: int, document_id: int):
    """Sign a grid (or any signed document of the session) as the token's owner.
    ---
    post:
      summary: Signer une grille d'évaluation individuelle
      description: >-
        Comme la signature du procès-verbal, pour une grille (Annexe 3) : chaque juré de la
        session la signe, puis l'organisme la scelle ; elle rejoint alors les documents du dossier.
      tags: [pv]
      requestBody:
        required: true
        content:
          application/json:
            schema: PvSignRequestSchema
      responses:
        200:
          description: Le document après la signature.
          content:
            application/json:
              schema: PvDocumentSchema
        202:
          description: >-
            Signé par tous ; le cachet de l'organisme est en cours dans la file de tâches (statut
            `sealing`) : l'en-tête `Location` donne l'avancement (`GET /sessions/{id}/sealing`).
          content:
            application/json:
              schema: PvDocumentSchema
        403: PvNotSigner
        404: PvDocumentNotFound
        409: PvConflict
        422: PvInvalid
        429: TooManyPasswordAttempts
        503: PvSigningFailed
    """
    return _sign(session_id, document_id, None)


def _content(session_id: int, document_id: int, kind: str | None):
    user = current_api_user()
    session = get_session_for(user, session_id)
    return services.content_response(services.get_document(session, document_id, kind), user)


_CONTENT_DOC = """
    get:
      summary: {summary}
      description: >-
        Le PDF scellé une fois le document signé par tous, sinon les octets en cours de signature ;
        en pièce jointe, `nosniff`, `no-store`, avec `ETag` (l'empreinte SHA-256 de la liste) et
        `Content-Digest`. `If-None-Match` avec cette empreinte : 304 sans corps. Les octets sont
        vérifiés contre l'empreinte avant l'envoi (503 `document_unavailable` sinon). Chaque
        téléchargement (pas un 304) est inscrit au journal d'audit.
      tags: [pv]
      responses:
        200:
          description: Le PDF.
          content:
            application/pdf:
              schema:
                type: string
                format: binary
        404: PvDocumentNotFound
        503: DocumentUnavailable
"""


@blueprint.get("/<int:session_id>/pv/<int:pv_id>/content")
@token_required
def pv_content(session_id: int, pv_id: int):
    return _content(session_id, pv_id, services.PV)


@blueprint.get("/<int:session_id>/documents/<int:document_id>/content")
@token_required
def document_content(session_id: int, document_id: int):
    return _content(session_id, document_id, None)


pv_content.__doc__ = "Download the PV.\n---" + _CONTENT_DOC.format(summary="Télécharger un procès-verbal")
document_content.__doc__ = "Download a signed document.\n---" + _CONTENT_DOC.format(
    summary="Télécharger une grille ou un procès-verbal")


@blueprint.post("/<int:session_id>/pv/correction")
@token_required
def correction(session_id: int):
    """Start a correction of the sealed PV.
    ---
    post:
      summary: Ouvrir une correction (procès-verbal rectificatif)
      description: >-
        Réservé au responsable de la session, sur une session close dont le procès-verbal est scellé,
        avec un motif et le mot de passe du compte. Le jury peut alors modifier les décisions ; le
        prochain procès-verbal généré est rectificatif (numéro suivant) et remplace le précédent.
      tags: [pv]
      requestBody:
        required: true
        content:
          application/json:
            schema: PvCorrectionRequestSchema
      responses:
        200:
          description: La correction ouverte.
          content:
            application/json:
              schema: PvCorrectionSchema
        404: PvSessionNotFound
        409: PvConflict
        422: PvInvalid
        429: TooManyPasswordAttempts
    """
    user = current_api_user()
    session = get_session_for(user, session_id, manage=True)
    body = load_json(PvCorrectionRequestSchema)
    generation.start_correction(session, user, password=body["password"], reason=body["reason"])
    return jsonify(PvCorrectionSchema().dump({
        "session_id": session.id, "correction_started_at": session.correction_started_at,
        "correction_reason": session.correction_reason}))


from core.pv import api_signatures  # noqa: E402,F401 - signing every awaiting document at once
from core.pv import api_committee  # noqa: E402,F401 - the draft, the quality committee
