"""Rendering of the jury's documents to accessible PDF (PDF/UA + PDF/A-3).

- the individual evaluation grid of one candidate (Annexe 3): ``pv/grid.html``;
- the procès-verbal of the session (Annexe 4): ``pv/pv.html``;
- the nominative certificate (RS6776 success e-mail): ``pv/certificate.html``.

A certification plugin may override any of them by shipping
``<plugin>/grid.html``, ``<plugin>/pv.html`` or ``<plugin>/certificate.html``
in its template folder (``livret_template_dirs``); they receive the context
built here. Every signed document ends with ``pv/_signature_page.html``: a
page left for the visible signature blocks (see :data:`SIGNATURE_BOXES`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from core.certifications.descriptor import Certification, Grid
from core.jury.models import Attendance, JuryDecision, JurySession, SessionCandidate
from core.jury.services import consolidate, consolidation_dict, mean
from core.pv import outcomes

# Visible signature blocks on the document's last page (the « signatures » page),
# in PDF points on A4 (595 × 842): two columns, from the top down, below the page's heading.
_BOX_W, _BOX_H, _GAP, _LEFTS, _TOP, _BOTTOM = 255, 64, 10, (40, 300), 650, 40


def signature_boxes(count: int) -> list[tuple[int, int, int, int] | None]:
    """``count`` boxes (x1, y1, x2, y2) on the signature page; ``None`` past its capacity
    (pyHanko then stacks the block from the bottom left)."""
    boxes: list[tuple[int, int, int, int] | None] = []
    for index in range(count):
        row, col = divmod(index, len(_LEFTS))
        top = _TOP - row * (_BOX_H + _GAP)
        if top - _BOX_H < _BOTTOM:
            boxes.append(None)
            continue
        left = _LEFTS[col]
        boxes.append((left, top - _BOX_H, left + _BOX_W, top))
    return boxes


def _templates(cert: Certification, name: str) -> list[str]:
    return [f"{cert.plugin}/{name}", f"pv/{name}"] if cert.plugin else [f"pv/{name}"]


def render(cert: Certification, name: str, context: dict[str, Any], *, title: str, author: str,
           created: datetime) -> bytes:
    from core.documents.services import render_pdf

    return render_pdf(_templates(cert, name), context, title=title, author=author, created=created)


def _person(user) -> dict[str, str]:
    return {"last_name": (user.last_name or "").upper(), "first_name": user.first_name or "",
            "full_name": user.full_name}


def signers_context(session: JurySession, planned: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The planned signers, in signing order, with what the signature page prints."""
    roles = {"juror": _("Membre du jury"), "session_manager": _("Responsable de session")}
    from core.auth.models import User
    from core.extensions import db

    users = {j.user_id: j.user for j in session.jurors}
    users[session.manager_id] = session.manager
    return [{**entry, **_person(users.get(entry["user_id"]) or db.session.get(User, entry["user_id"])),
             "role_label": roles.get(entry["role"], entry["role"])} for entry in planned]


# ---------------------------------------------------------------------------
# the procès-verbal (Annexe 4)
# ---------------------------------------------------------------------------

def _refused_blocks_comment(cert: Certification, decision: JuryDecision | None, found: str | None) -> str:
    """« Commentaires sur les blocs refusés »: the blocks not validated, then the jury's comment."""
    if decision is None or found in (None, outcomes.ABSENT, outcomes.TOTAL):
        return ""
    parts = []
    if len(cert.blocks) > 1:
        refused = [b for b in cert.blocks if b.code not in (decision.validated_blocks or [])]
        if refused:
            parts.append(_("Blocs non validés : %(blocks)s.",
                           blocks=", ".join(f"{b.code} ({b.title})" for b in refused)))
    if decision.remaining:
        parts.append(_("À acquérir : %(text)s", text=decision.remaining))
    if decision.comment:
        parts.append(decision.comment)
    return "\n".join(parts)


def pv_rows(cert: Certification, grid: Grid, session: JurySession) -> list[dict[str, Any]]:
    rows = []
    for candidate in session.candidates:
        decision = candidate.decision
        found = outcomes.category(grid, decision.outcome if decision else None)
        rows.append({**_person(candidate.dossier.candidate), "access_route": candidate.access_route,
                     "reference": candidate.dossier.reference,
                     "decision": str(outcomes.CATEGORY_LABELS[found]) if found else "",
                     "comment": _refused_blocks_comment(cert, decision, found)})
    return rows


def evaluation_dates(session: JurySession) -> list:
    """The days (in the documents' time zone) the present candidates were evaluated."""
    from core.documents.filters import to_local

    days = {to_local(c.starts_at or session.starts_at).date() for c in session.candidates
            if c.attendance is not Attendance.ABSENT}
    return sorted(days) or [to_local(session.starts_at).date()]


def pv_context(session: JurySession, cert: Certification, grid: Grid, *, number: int, planned,
               replaces=None, reason: str = "", generated_at: datetime) -> dict[str, Any]:
    jurors = [{**_person(j.user), "position": j.position, "company": j.company,
               "field": next((p["field"] for p in planned if p["user_id"] == j.user_id), "")}
              for j in session.jurors]
    return {
        "session": session, "cert": cert, "number": number, "replaces": replaces, "reason": reason,
        "generated_at": generated_at, "counts": outcomes.counts(grid, session.candidates),
        "rows": pv_rows(cert, grid, session), "jurors": jurors,
        "manager": {**_person(session.manager), "position": session.manager_position},
        "manager_field": next((p["field"] for p in planned if p["role"] == "session_manager"), ""),
        "evaluation_dates": evaluation_dates(session), "organisation": session.organisation,
        "signers": signers_context(session, planned), "seal_label": _("Cachet du centre organisateur de la session"),
    }


def pv_title(session: JurySession, cert: Certification, number: int) -> str:
    if number > 1:
        return _("Procès-verbal rectificatif n° %(n)d – %(code)s – %(title)s", n=number, code=cert.code,
                 title=session.title)
    return _("Procès-verbal de délibération du jury – %(code)s – %(title)s", code=cert.code, title=session.title)


# ---------------------------------------------------------------------------
# the individual evaluation grid (Annexe 3)
# ---------------------------------------------------------------------------

def _snapshot(candidate: SessionCandidate, decision: JuryDecision) -> dict[str, Any]:
    return decision.consolidation or consolidation_dict(consolidate(candidate))


def _juror_comments(candidate: SessionCandidate, code: str) -> list[dict[str, str]]:
    names = {j.user_id: j.user.full_name for j in candidate.session.jurors}
    found = []
    for g in candidate.grids:
        entry = ((g.data or {}).get("competencies") or {}).get(code) or {}
        if (entry.get("comment") or "").strip():
            found.append({"juror": names.get(g.juror_id, ""), "comment": entry["comment"].strip()})
    return found


def _competency_row(comp, candidate, decision, snap, grid: Grid) -> dict[str, Any]:
    votes = snap.get("criteria") or {}
    marks = (snap.get("marks") or {}).get(comp.code) or []
    retained = (decision.marks or {}).get(comp.code)
    retained = retained if retained is not None else mean(marks)
    if decision.acquired_competencies:
        acquired = comp.code in decision.acquired_competencies
    elif grid.mode == "marks":
        acquired = retained is not None and retained >= (grid.threshold or 0)
    else:
        acquired = all((votes.get(c.code) or {}).get("met", 0) > (votes.get(c.code) or {}).get("not_met", 0)
                       for c in comp.criteria) if comp.criteria else False
    return {
        "competency": comp, "expected": comp.expected or ", ".join(comp.evaluations),
        "criteria": [{"criterion": c, "met": (votes.get(c.code) or {}).get("met", 0),
                      "not_met": (votes.get(c.code) or {}).get("not_met", 0)} for c in comp.criteria],
        "marks": marks, "retained": retained, "acquired": acquired,
        "comments": _juror_comments(candidate, comp.code),
    }


def closing_evaluations(cert: Certification) -> dict[str, list]:
    """Per competency code, the épreuves whose last competency (in the grid's order) it is: Annexe 3 prints
    each épreuve's « Livrable (pour E1 global) » and « Évaluation (pour E1 global) » after it."""
    if cert.scheme is None:
        return {}
    order = [c.code for c in cert.competencies]
    closing: dict[str, list] = {}
    for evaluation in cert.scheme.evaluations:
        assessed = [code for code in order if code in evaluation.competencies]
        if assessed and (evaluation.deliverable or evaluation.assessment):
            closing.setdefault(assessed[-1], []).append(evaluation)
    return closing


def grid_blocks(cert: Certification, grid: Grid, candidate: SessionCandidate, decision: JuryDecision):
    snap = _snapshot(candidate, decision)
    closing = closing_evaluations(cert)
    blocks = []
    for block in cert.blocks:
        rows = []
        for comp in block.competencies:
            row = _competency_row(comp, candidate, decision, snap, grid)
            row["closes"] = closing.get(comp.code, [])
            rows.append(row)
        blocks.append({"block": block, "validated": block.code in (decision.validated_blocks or []),
                       "votes": (snap.get("blocks") or {}).get(block.code) or {}, "competencies": rows})
    scores = []
    for score in grid.scores:
        values = (snap.get("scores") or {}).get(score.key) or []
        retained = (decision.scores or {}).get(score.key)
        retained = retained if retained is not None else mean(values)
        scores.append({"score": score, "marks": values, "retained": retained,
                       "eliminated": score.eliminatory_below is not None and retained is not None
                       and retained < score.eliminatory_below})
    return blocks, scores, snap


def _vae_outcome_label(cert: Certification, code: str) -> str:
    return next((o.label for o in cert.extra.get("vae_outcomes") or () if o.code == code), code)


def grid_context(candidate: SessionCandidate, cert: Certification, grid: Grid, *, planned,
                 generated_at: datetime) -> dict[str, Any]:
    decision = candidate.decision
    blocks, scores, snap = grid_blocks(cert, grid, candidate, decision)
    outcome = next((o for o in grid.outcomes if o.code == decision.outcome), None)
    return {
        "session": candidate.session, "cert": cert, "grid": grid, "candidate": candidate,
        "person": _person(candidate.dossier.candidate), "dossier": candidate.dossier,
        "decision": decision, "outcome_label": outcomes.outcome_label(grid, decision.outcome),
        "outcome": outcome, "category_label": outcomes.category_label(grid, decision.outcome),
        "vae_outcome_label": _vae_outcome_label(cert, decision.vae_outcome) if decision.vae_outcome else "",
        "validated_blocks": [b for b in cert.blocks if b.code in (decision.validated_blocks or [])],
        "blocks": blocks, "scores": scores, "jurors_count": snap.get("jurors") or 0,
        "jurors": [{**_person(j.user), "position": j.position, "company": j.company} for j in candidate.session.jurors],
        "signers": signers_context(candidate.session, planned), "generated_at": generated_at,
        "organisation": candidate.session.organisation,
        "session_date": candidate.starts_at or candidate.session.starts_at,
        "seal_label": _("Cachet du certificateur"),
    }


def grid_title(candidate: SessionCandidate, cert: Certification) -> str:
    return _("Grille d'évaluation individuelle – %(code)s – %(name)s", code=cert.code,
             name=candidate.dossier.candidate.full_name)


# ---------------------------------------------------------------------------
# the nominative certificate
# ---------------------------------------------------------------------------

def certificate_context(candidate: SessionCandidate, cert: Certification, *, verify_url: str,
                        issued_at: datetime) -> dict[str, Any]:
    decision = candidate.decision
    return {"cert": cert, "candidate": candidate, "person": _person(candidate.dossier.candidate),
            "dossier": candidate.dossier, "session": candidate.session, "organisation": candidate.session.organisation,
            "deliberated_at": decision.recorded_at if decision else issued_at, "issued_at": issued_at,
            "verify_url": verify_url, "certifier": cert.certifier or candidate.session.organisation.name}


def certificate_title(candidate: SessionCandidate, cert: Certification) -> str:
    return _("Certificat – %(code)s – %(name)s", code=cert.code, name=candidate.dossier.candidate.full_name)
