"""Dossier API, continued: the candidate's result after the jury (``GET /dossiers/{id}/result``).

What the dossier page's result block shows, from the same service
(:func:`core.deliberation.results.result_of`): sealed decisions only.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from core.api.auth import current_api_user, token_required
from core.dossiers import services
from core.dossiers.api import blueprint
from core.dossiers.api_shapes import _document
from core.dossiers.schemas import DossierResultSchema


def _status_label(status: str) -> str:
    return {"not_convened": _("Aucune session de jury pour l'instant"),
            "awaiting_result": _("Résultat du jury pas encore rendu"),
            "decided": _("Résultat du jury rendu")}[status]


def _sitting(sitting, user, versions: dict[int, int]) -> dict[str, Any]:
    from core.policy import allowed
    from core.pv.outcomes import category, category_label
    from core.sessions.services import local

    result, decision, candidate = sitting.result, sitting.result.decision, sitting.candidate
    return {
        "attempt": candidate.attempt, "session_id": candidate.session_id,
        "session_date": local(sitting.session.starts_at).date(),
        "attendance": candidate.attendance.value, "attendance_label": candidate.attendance.label,
        "decision": {
            "outcome": decision.outcome, "outcome_label": result.outcome_label,
            "category": category(result.grid, decision.outcome),
            "category_label": category_label(result.grid, decision.outcome),
            "vae_outcome": decision.vae_outcome or None, "vae_outcome_label": result.vae_outcome_label or None,
            "validated_blocks": [{"code": b.code, "title": b.title, "reference": b.reference or None}
                                 for b in result.validated_blocks],
            "remaining": decision.remaining or "", "comment": decision.comment or "",
            "retake_until": decision.retake_until, "sealed_at": decision.sealed_at},
        "pv": {"number": sitting.pv.number, "sealed_at": sitting.pv.sealed_at} if sitting.pv is not None else None,
        "documents": [_document(d, versions) for d in sitting.documents if allowed(user, "document.view", d)],
    }


@blueprint.get("/dossiers/<int:dossier_id>/result")
@token_required
def result(dossier_id: int):
    """The candidate's result: each sitting's sealed decision, its documents, and the retake.
    ---
    get:
      summary: Résultat du candidat après le jury
      description: >-
        Ce que la page du dossier montre au candidat après le jury, passage par passage : la
        session, la présence, la décision scellée (code et libellé, catégorie du procès-verbal,
        issue de l'entretien VAE, blocs validés, ce qui reste à acquérir, commentaires du jury, délai
        de rattrapage), le procès-verbal qui la porte et les documents émis (grille signée,
        certificat…) avec leur lien, leur empreinte et leur taille ; puis le rattrapage : encore
        possible ou non, passages faits et permis, date limite, sans frais ou non. Rien d'une
        délibération n'apparaît avant le scellement de son procès-verbal : avant, `sittings` ne
        contient pas ce passage et `status` vaut `awaiting_result`. Pour le candidat, le personnel
        du certificateur de l'organisme du dossier et les jurés qui évaluent le dossier.
      tags: [dossiers]
      responses:
        200:
          description: Le résultat.
          content:
            application/json:
              schema: DossierResultSchema
        404: DossierNotFound
    """
    from core.deliberation.results import result_of

    user = current_api_user()
    dossier = services.get_dossier_for(user, dossier_id)
    found = result_of(dossier)
    retake = found.retake
    versions = {v.id: v.number for v in dossier.versions}
    return jsonify(DossierResultSchema().dump({
        "dossier_id": dossier.id, "reference": dossier.reference, "certification_code": dossier.certification_code,
        "status": found.status, "status_label": _status_label(found.status),
        "sittings": [_sitting(s, user, versions) for s in found.sittings],
        "retake": None if retake is None else {
            "possible": retake.possible, "attempts_used": retake.attempts_used,
            "attempts_allowed": retake.attempts_allowed, "deadline": retake.deadline, "free": retake.free,
            "message": retake.message},
    }))
