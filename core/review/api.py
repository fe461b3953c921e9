"""Review API for the certifier's own systems: decisions and version comparison.

Every view loads the dossier with :func:`core.review.services.get_dossier_for_review`,
so a dossier outside the token owner's organisation is a 404 on every URL.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import TAGS, declare_error_response, declare_tag
from core.errors import UserError
from core.extensions import db
from core.review import services
from core.review.schemas import (DecisionRequestSchema, DecisionSchema, NoteListSchema, NoteRequestSchema,
                                 NoteSchema, VersionDiffSchema)

blueprint = api_blueprint("review_api", __name__, url_prefix="/backoffice")

if "backoffice" not in TAGS:  # the staff lists area may describe the tag too
    declare_tag("backoffice", "Le back-office du certificateur : recevabilité des dossiers déposés "
                              "(décisions, comparaison des versions).", "Back-office")
declare_error_response("DecisionConflict", code="wrong_state",
                       description="La décision est impossible : le dossier n'est pas au statut « Déposé » "
                                   "(`wrong_state`, `details.status` donne le statut actuel) ou les frais de "
                                   "recevabilité ne sont pas réglés (`fee_not_settled`).",
                       message="Une décision de recevabilité ne peut être prise que sur un dossier déposé ; "
                               "ce dossier est au statut « Recevable ».")
declare_error_response("DecisionInvalid", code="validation_failed",
                       description="Données invalides : motifs absents pour une irrecevabilité, correction sans "
                                   "texte ou sans section/annexe (`validation_failed`, `details` par champ), ou "
                                   "mot de passe erroné (`reauthentication_failed`) ; rien n'a changé.",
                       message="Indiquez les motifs de l'irrecevabilité : ils sont communiqués au candidat.")
declare_error_response("VersionNotFound", code="version_not_found",
                       description="Le dossier n'a pas de version déposée portant ce numéro.",
                       message="Cette page ou cette ressource n'existe pas.")


@blueprint.post("/dossiers/<int:dossier_id>/decision")
@token_required
def decision(dossier_id: int):
    """Record an admissibility decision (admissible, inadmissible, corrections).
    ---
    post:
      summary: Décider de la recevabilité d'un dossier
      description: >-
        Réservé au personnel du certificateur qui délivre la certification. Le dossier doit être
        au statut « Déposé ». Le mot de passe du compte confirme l'identité de la personne qui
        décide. La décision change le statut (recevable, irrecevable, corrections demandées),
        est inscrite au journal d'audit, produit une lettre de décision PDF scellée
        (`admissibility_letter`) et prévient le candidat par courriel. Les motifs sont
        obligatoires pour une irrecevabilité ; chaque correction désigne une section ou une annexe.
      tags: [backoffice]
      requestBody:
        required: true
        content:
          application/json:
            schema: DecisionRequestSchema
      responses:
        201:
          description: La décision enregistrée et sa lettre.
          content:
            application/json:
              schema: DecisionSchema
        404: DossierNotFound
        409: DecisionConflict
        422: DecisionInvalid
        429: TooManyPasswordAttempts
    """
    user = current_api_user()
    dossier = services.get_dossier_for_review(user, dossier_id)
    body = load_json(DecisionRequestSchema)
    try:
        letter = services.decide(dossier, actor=user, kind=body["kind"], password=body["password"],
                                 reasons=body.get("reasons"), items=body.get("items"))
    except UserError:
        db.session.rollback()
        raise
    response = jsonify(DecisionSchema().dump({
        "dossier_id": dossier.id, "decision": body["kind"], "status": dossier.status.value,
        "status_label": dossier.status.label, "version": dossier.latest_version.number,
        "letter": {"id": letter.id, "kind": letter.kind, "title": letter.title, "sha256": letter.sha256,
                   "size": letter.size,
                   "links": {"content": url_for("documents_api.document_content", document_id=letter.id)}},
    }))
    response.status_code = 201
    return response


@blueprint.get("/dossiers/<int:dossier_id>/versions/diff")
@token_required
def versions_diff(dossier_id: int):
    """What changed between two submitted versions of a dossier.
    ---
    get:
      summary: Comparer deux versions déposées
      description: >-
        Par section, les champs ajoutés, retirés et modifiés entre la version `from` et la
        version `to` (par défaut : l'avant-dernière et la dernière), et les annexes ajoutées ou
        retirées (comparées par empreinte SHA-256).
      tags: [backoffice]
      parameters:
        - {name: from, in: query, required: false, schema: {type: integer, minimum: 1},
           description: "Version de départ (par défaut : l'avant-dernière)."}
        - {name: to, in: query, required: false, schema: {type: integer, minimum: 1},
           description: "Version d'arrivée (par défaut : la dernière)."}
      responses:
        200:
          description: Les changements entre les deux versions.
          content:
            application/json:
              schema: VersionDiffSchema
        400: BadRequest
        404: VersionNotFound
    """
    user = current_api_user()
    dossier = services.get_dossier_for_review(user, dossier_id)
    latest = dossier.latest_version.number
    try:
        new = int(request.args.get("to", latest))
        old = int(request.args.get("from", max(new - 1, 1)))
    except ValueError:
        raise UserError(_("Les paramètres « from » et « to » doivent être des numéros de version.")) from None
    old_version, new_version = services.version_of(dossier, old), services.version_of(dossier, new)
    diff = services.diff_versions(old_version, new_version)
    return jsonify(VersionDiffSchema().dump({
        "dossier_id": dossier.id, "from_version": old, "to_version": new,
        "from_submitted_at": old_version.submitted_at, "to_submitted_at": new_version.submitted_at,
        "sections": [{"key": s.key, "title": s.title,
                      "changes": [{"path": c.path, "change": c.change, "before": c.before, "after": c.after}
                                  for c in s.changes]} for s in diff.sections],
        "annexes_added": diff.annexes_added, "annexes_removed": diff.annexes_removed,
    }))


def _note(note) -> dict:
    return {"id": note.id, "dossier_id": note.dossier_id, "text": note.text, "created_at": note.created_at,
            "author": {"id": note.author.id, "first_name": note.author.first_name,
                       "last_name": note.author.last_name}}


@blueprint.get("/dossiers/<int:dossier_id>/notes")
@token_required
def notes(dossier_id: int):
    """The staff's private notes on a dossier, latest first.
    ---
    get:
      summary: Lire les notes internes d'un dossier
      description: >-
        Les notes que l'équipe du certificateur a écrites sur le dossier ; elles ne sont jamais montrées
        au candidat.
      tags: [backoffice]
      responses:
        200:
          description: Les notes du dossier.
          content:
            application/json:
              schema: NoteListSchema
        404: DossierNotFound
    """
    dossier = services.get_dossier_for_review(current_api_user(), dossier_id)
    return jsonify(NoteListSchema().dump({"items": [_note(n) for n in services.notes_of(dossier)]}))


@blueprint.post("/dossiers/<int:dossier_id>/notes")
@token_required
def add_note(dossier_id: int):
    """Write a private note on a dossier (audited).
    ---
    post:
      summary: Écrire une note interne
      description: >-
        La note n'est visible que par l'équipe du certificateur. Inscrite au journal d'audit
        (`review.note_added`).
      tags: [backoffice]
      requestBody:
        required: true
        content:
          application/json:
            schema: NoteRequestSchema
      responses:
        201:
          description: La note enregistrée.
          content:
            application/json:
              schema: NoteSchema
        404: DossierNotFound
        422: ValidationFailed
    """
    user = current_api_user()
    dossier = services.get_dossier_for_review(user, dossier_id)
    body = load_json(NoteRequestSchema)
    try:
        note = services.add_note(dossier, actor=user, text=body["text"])
        db.session.commit()
    except UserError:
        db.session.rollback()
        raise
    return jsonify(NoteSchema().dump(_note(note))), 201
