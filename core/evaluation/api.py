"""The juror's API: their grid for a candidate, and the candidate's dossier as they read it.

Every view loads the session and the candidate with
:func:`core.evaluation.services.juror_candidate`: anyone who does not sit on
the session as a juror gets a 404 on every URL.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from core.api.auth import current_api_user, token_required
from core.api.blueprint import api_blueprint
from core.api.parsing import load_json
from core.api.spec import TAGS, declare_error_response, declare_tag
from core.evaluation import grids, reading, services
from core.evaluation.schemas import (
    JurorDossierSchema,
    JurorGridInputSchema,
    JurorGridRevisionSchema,
    JurorGridSchema,
)
from core.extensions import db
from core.jury.models import GridStatus

blueprint = api_blueprint("evaluation_api", __name__, url_prefix="/sessions")

if "jury" not in TAGS:  # the other jury areas may describe the tag too
    declare_tag("jury", "Le jury : sessions, grilles d'évaluation des jurés, lecture des dossiers, délibération "
                        "et procès-verbaux.", "Jury")
declare_error_response("JurorNotFound", code="session_not_found",
                       description="La session ou le candidat n'existe pas, ou le compte du jeton ne siège pas "
                                   "dans ce jury (`session_not_found`, `candidate_not_found`, `annex_not_found`).",
                       message="Cette page ou cette ressource n'existe pas.")
declare_error_response("GridConflict", code="stale_revision",
                       description="La grille ne peut pas changer : révision dépassée (`stale_revision`, "
                                   "`details.revision` donne la révision actuelle), session non ouverte, candidat "
                                   "absent ou décision déjà enregistrée (`grid_locked`), grille déjà terminée "
                                   "(`grid_completed`) ou pas encore terminée (`grid_not_completed`).",
                       message="Votre grille a été modifiée ailleurs (autre onglet ou appareil) depuis que vous "
                               "l'avez ouverte : vos saisies n'ont pas été enregistrées.")
declare_error_response("GridInvalid", code="grid_incomplete",
                       description="La grille n'est pas complète (`grid_incomplete`) ou contient un code inconnu "
                                   "(`validation_failed`) ; `details` donne les messages par chemin de champ.",
                       message="Votre grille n'est pas complète : 3 point(s) à régler avant de la terminer.")
declare_error_response("DossierNotOpen", code="session_not_open",
                       description="La session est en préparation : les dossiers s'ouvrent au jury à l'ouverture "
                                   "de la session (`session_not_open`) ; ou l'annexe ne peut pas être ouverte "
                                   "(`annex_not_downloadable`, analyse antivirus).",
                       message="La session est en préparation : les dossiers des candidats s'ouvrent aux membres "
                               "du jury à l'ouverture de la session.")


# ---------------------------------------------------------------------------
# bodies
# ---------------------------------------------------------------------------

def _definition(cert, grid) -> dict[str, Any]:
    return {
        "title": grid.title, "mode": grid.mode, "scale": grid.scale, "threshold": grid.threshold,
        "block_proposals": grid.block_proposals,
        "blocks": [{"code": b.code, "title": b.title, "competencies": [
            {"code": c.code, "title": c.title, "expected": c.expected,
             "criteria": [{"code": k.code, "text": k.text} for k in c.criteria]} for c in b.competencies]}
            for b in cert.blocks],
        "scores": [{"key": s.key, "label": s.label, "maximum": s.maximum, "eliminatory_below": s.eliminatory_below,
                    "step": s.step} for s in grid.scores],
        "outcomes": [{"code": o.code, "label": o.label, "description": o.description,
                      "comment_required": o.comment_required} for o in grid.outcomes],
    }


def _data(data: dict[str, Any]) -> dict[str, Any]:
    return {"criteria": data.get("criteria") or {}, "competencies": data.get("competencies") or {},
            "blocks": data.get("blocks") or {}, "scores": data.get("scores") or {}, "typed": data.get("typed") or {},
            "proposal": data.get("proposal") or "", "comment": data.get("comment") or ""}


def _grid_body(session, candidate, user) -> dict[str, Any]:
    cert, grid_def = services.definition(session)
    row = services.grid_for(candidate, user)
    data = row.data if row is not None else {}
    refusal = services.editing_refusal(session, candidate)
    done, expected = grids.answered(cert, grid_def, data)
    return JurorGridSchema().dump({
        "session_id": session.id, "candidate_id": candidate.id,
        "status": row.status.value if row is not None else "new",
        "revision": row.revision if row is not None else 0,
        "updated_at": row.updated_at if row is not None else None,
        "completed_at": row.completed_at if row is not None else None,
        "editable": refusal is None and (row is None or row.status is GridStatus.DRAFT),
        "locked_reason": refusal, "answered": done, "expected": expected,
        "data": _data(data), "problems": grids.problems(cert, grid_def, data),
        "definition": _definition(cert, grid_def),
    })


def _annex(session, candidate, entry: reading.AnnexEntry) -> dict[str, Any]:
    return {"number": entry.number, "title": entry.title, "filename": entry.filename, "media_type": entry.media_type,
            "size": entry.size, "sha256": entry.sha256, "competencies": entry.competencies,
            "scan_state": entry.scan_state, "readable": entry.readable, "inline": entry.inline,
            "refusal": entry.refusal, "deliverable": entry.deliverable, "pages": entry.pages,
            "links": {"content": url_for("evaluation_api.annex_content", session_id=session.id,
                                         candidate_id=candidate.id, number=entry.number),
                      "page": url_for("evaluation.annex", session_id=session.id, candidate_id=candidate.id,
                                      number=entry.number)}}


# ---------------------------------------------------------------------------
# the grid
# ---------------------------------------------------------------------------

@blueprint.get("/<int:session_id>/candidates/<int:candidate_id>/grid")
@token_required
def grid(session_id: int, candidate_id: int):
    """The caller's grid for one candidate, with the certification's grid definition.
    ---
    get:
      summary: Lire ma grille d'évaluation d'un candidat
      description: >-
        Réservé aux jurés de la session. Renvoie la grille du juré (ce qu'il a saisi, son statut,
        sa révision, ce qui l'empêche encore d'être terminée) et la définition de la grille de la
        certification : blocs, compétences et critères (mode `criteria`, par exemple RNCP37827),
        ou une note par compétence sur `scale`, acquise à partir de `threshold`, sans moyenne entre
        compétences (mode `marks`, par exemple RS6776), les notes hors compétences (`scores`, l'oral
        sur 20) et les décisions possibles.
      tags: [jury]
      responses:
        200:
          description: La grille du juré.
          content:
            application/json:
              schema: JurorGridSchema
        404: JurorNotFound
    """
    user = current_api_user()
    session, candidate = services.juror_candidate(user, session_id, candidate_id)
    return jsonify(_grid_body(session, candidate, user))


@blueprint.put("/<int:session_id>/candidates/<int:candidate_id>/grid")
@token_required
def save_grid(session_id: int, candidate_id: int):
    """Save the caller's grid as a draft (whatever is typed; stale revisions refused).
    ---
    put:
      summary: Enregistrer ma grille en brouillon
      description: >-
        Enregistre tout ce qui est envoyé, même incomplet ou hors bornes (une note qui n'est pas un
        nombre est gardée telle quelle dans `typed`) : la réponse liste dans `problems` ce qui reste
        à régler avant de terminer la grille. Le corps remplace la grille entière. `revision` doit
        être la révision lue : si la grille a changé entre-temps (autre onglet, autre appareil), la
        demande est refusée (409 `stale_revision`) et rien n'est enregistré. Possible seulement
        pendant que la session est ouverte, pour un candidat qui n'est pas absent et tant que la
        décision du jury n'est pas enregistrée.
      tags: [jury]
      requestBody:
        required: true
        content:
          application/json:
            schema: JurorGridInputSchema
      responses:
        200:
          description: La grille enregistrée et ce qui reste à régler.
          content:
            application/json:
              schema: JurorGridSchema
        404: JurorNotFound
        409: GridConflict
        422: GridInvalid
    """
    user = current_api_user()
    session, candidate = services.juror_candidate(user, session_id, candidate_id)
    body = load_json(JurorGridInputSchema)
    revision = body.pop("revision")
    services.save_draft(session, candidate, user, body, expected_revision=revision)
    db.session.commit()
    return jsonify(_grid_body(session, candidate, user))


@blueprint.post("/<int:session_id>/candidates/<int:candidate_id>/grid/complete")
@token_required
def complete_grid(session_id: int, candidate_id: int):
    """Complete the caller's grid (422 with the problems per field when it is not whole).
    ---
    post:
      summary: Terminer ma grille
      description: >-
        Vérifie que la grille enregistrée est complète (chaque critère jugé, chaque note dans ses
        bornes, chaque bloc proposé, une décision proposée, le commentaire quand la décision
        l'exige) puis la marque terminée. Sinon 422 `grid_incomplete` avec, dans `details`, les
        messages par chemin de champ. Le corps est facultatif : `{"revision": n}` refuse la demande
        (409) si la grille a changé depuis la lecture.
      tags: [jury]
      requestBody:
        required: false
        content:
          application/json:
            schema: JurorGridRevisionSchema
      responses:
        200:
          description: La grille terminée.
          content:
            application/json:
              schema: JurorGridSchema
        404: JurorNotFound
        409: GridConflict
        422: GridInvalid
    """
    user = current_api_user()
    session, candidate = services.juror_candidate(user, session_id, candidate_id)
    body = load_json(JurorGridRevisionSchema) if request.get_data() else {}
    services.complete(session, candidate, user, expected_revision=body.get("revision"))
    db.session.commit()
    return jsonify(_grid_body(session, candidate, user))


@blueprint.post("/<int:session_id>/candidates/<int:candidate_id>/grid/reopen")
@token_required
def reopen_grid(session_id: int, candidate_id: int):
    """Reopen the caller's completed grid (back to draft) while no decision is recorded.
    ---
    post:
      summary: Rouvrir ma grille terminée
      description: >-
        Repasse la grille en brouillon pour la modifier, tant que la décision du jury n'est pas
        enregistrée pour ce candidat et que le procès-verbal n'est pas en signature.
      tags: [jury]
      responses:
        200:
          description: La grille, de nouveau en brouillon.
          content:
            application/json:
              schema: JurorGridSchema
        404: JurorNotFound
        409: GridConflict
    """
    user = current_api_user()
    session, candidate = services.juror_candidate(user, session_id, candidate_id)
    services.reopen(session, candidate, user)
    db.session.commit()
    return jsonify(_grid_body(session, candidate, user))


# ---------------------------------------------------------------------------
# the dossier
# ---------------------------------------------------------------------------

@blueprint.get("/<int:session_id>/candidates/<int:candidate_id>/dossier")
@token_required
def dossier(session_id: int, candidate_id: int):
    """The candidate's submitted dossier as a juror reads it: Livret 2 and annexes by competency.
    ---
    get:
      summary: Lire le dossier d'un candidat (juré)
      description: >-
        Réservé aux jurés de la session, une fois la session ouverte. La dernière version déposée :
        le Livret 2 signé et scellé (lien vers son contenu), et les annexes de son manifeste, par
        compétence puis sans compétence, chacune avec un lien vers son contenu (affiché en place
        pour un PDF ou une image, téléchargé sinon) et son état d'analyse antivirus ; pour un
        candidat d'une voie à livrables (formation), les livrables par épreuve (`evaluations`).
      tags: [jury]
      responses:
        200:
          description: Le dossier tel que le jury le lit.
          content:
            application/json:
              schema: JurorDossierSchema
        404: JurorNotFound
        409: DossierNotOpen
    """
    user = current_api_user()
    session, candidate = services.juror_candidate(user, session_id, candidate_id)
    services.require_dossiers_open(session)
    cert, _grid = services.definition(session)
    read = reading.reading_of(candidate, cert)
    livret = read.livret2
    return jsonify(JurorDossierSchema().dump({
        "session_id": session.id, "candidate_id": candidate.id, "dossier_id": read.dossier.id,
        "reference": read.dossier.reference or "", "candidate_name": read.dossier.candidate.full_name,
        "version": read.version.number, "submitted_at": read.version.submitted_at,
        "livret2": None if livret is None else {
            "id": livret.id, "title": livret.title, "filename": livret.filename, "sha256": livret.sha256,
            "size": livret.size, "links": {"content": url_for("documents_api.document_content",
                                                              document_id=livret.id)}},
        "competencies": [{"block": row.block.code, "code": row.competency.code, "title": row.competency.title,
                          "annexes": [_annex(session, candidate, e) for e in row.annexes]}
                         for row in read.by_competency],
        "unlinked": [_annex(session, candidate, e) for e in read.unlinked],
        "annexes": [_annex(session, candidate, e) for e in read.annexes],
        "evaluations": [{"code": row.evaluation.code, "title": row.evaluation.title, "expected": row.expected,
                         "deliverables": [_annex(session, candidate, e) for e in row.deliverables]}
                        for row in read.by_evaluation],
    }))


@blueprint.get("/<int:session_id>/candidates/<int:candidate_id>/annexes/<int:number>/content")
@token_required
def annex_content(session_id: int, candidate_id: int, number: int):
    """One annex of the submitted version, inline when the browser can show it (audited).
    ---
    get:
      summary: Ouvrir une annexe du dossier (juré)
      description: >-
        Le fichier d'une annexe de la dernière version déposée, lu en flux : en place
        (`Content-Disposition: inline`) pour un PDF ou une image, en pièce jointe sinon ou avec
        `?download=1` ; toujours `X-Content-Type-Options: nosniff` et `Cache-Control: no-store`.
        Refusé (409) tant que l'analyse antivirus ne l'autorise pas. Chaque ouverture est inscrite
        au journal d'audit.
      tags: [jury]
      parameters:
        - {name: download, in: query, required: false, schema: {type: integer, enum: [0, 1]},
           description: "1 : toujours en pièce jointe."}
      responses:
        200: AnnexFile
        404: JurorNotFound
        409: DossierNotOpen
    """
    user = current_api_user()
    session, candidate = services.juror_candidate(user, session_id, candidate_id)
    services.require_dossiers_open(session)
    return reading.annex_response(user, candidate, number, download=request.args.get("download") == "1")
