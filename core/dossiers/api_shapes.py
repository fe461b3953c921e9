"""Dossier API: the answers' shapes (a dossier, its sections, problems, versions, documents), shared by the
views of :mod:`core.dossiers.api` and its siblings (submission, result)."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from core.annexes import deliverables
from core.certifications.descriptor import Certification
from core.certifications.services import get_certification
from core.dossiers import services
from core.dossiers.models import Document, Dossier, DossierVersion
from core.dossiers.routes import route_of
from core.dossiers.schemas import DossierSectionSchema
from core.dossiers.sections import FORM

# ---------------------------------------------------------------------------
# Shaping answers
# ---------------------------------------------------------------------------

def _dossier_links(dossier: Dossier) -> dict[str, str]:
    return {
        "self": url_for("dossiers_api.dossier", dossier_id=dossier.id),
        "html": url_for("dossiers.overview", dossier_id=dossier.id),
        "problems": url_for("dossiers_api.dossier_problems", dossier_id=dossier.id),
        "submit": url_for("dossiers_api.submit", dossier_id=dossier.id),
        "documents": url_for("dossiers_api.documents", dossier_id=dossier.id),
        "preview": url_for("dossiers_api.preview", dossier_id=dossier.id),
    }


def _summary(dossier: Dossier) -> dict[str, Any]:
    route = route_of(dossier)
    return {
        "id": dossier.id, "reference": dossier.reference, "certification": dossier.certification_code,
        "route": route.code, "route_label": route.label, "block": dossier.target_block,
        "organisation": ({"id": dossier.organisation.id, "name": dossier.organisation.name}
                         if dossier.organisation is not None else None),
        "status": dossier.status.value, "status_label": dossier.status.label, "editable": dossier.editable,
        "created_at": dossier.created_at, "updated_at": dossier.updated_at, "submitted_at": dossier.submitted_at,
        "links": _dossier_links(dossier),
    }


def _section(dossier: Dossier, state: services.SectionState) -> dict[str, Any]:
    spec = state.spec
    draft = services.draft_of(dossier, spec.key) if spec.kind == FORM else None
    return {
        "key": spec.key, "title": str(spec.title), "kind": spec.kind, "required": spec.required,
        "state": state.state, "state_label": state.label, "complete": state.state == "complete",
        "revision": draft.revision if draft else None, "updated_at": draft.updated_at if draft else None,
        "problems": dict(state.problems or {}),
        "data": (dict(draft.data or {}) if draft else {}) if spec.kind == FORM else None,
    }


def _problem(problem) -> dict[str, Any]:
    return {"message": str(problem.message), "section": problem.section, "field": problem.field,
            "code": problem.code, "blocking": problem.blocking}


def _problems(dossier: Dossier, cert: Certification) -> list[dict[str, Any]]:
    found = services.problems(dossier, cert)
    return [_problem(p) for p in sorted(found, key=lambda p: not p.blocking)]


def _version(version: DossierVersion) -> dict[str, Any]:
    return {"number": version.number, "submitted_at": version.submitted_at, "manifest": list(version.manifest or []),
            "documents_pending": bool(version.documents_pending)}


def _detail(dossier: Dossier) -> dict[str, Any]:
    cert = get_certification(dossier.certification_code)
    return {
        **_summary(dossier),
        "sections": [_section(dossier, state) for state in services.progress(dossier, cert)],
        "problems": _problems(dossier, cert),
        "coverage": [{"block": row["block"].code, "competency": row["competency"].code,
                      "title": row["competency"].title, "annexes": [a.number for a in row["annexes"]]}
                     for row in services.coverage(dossier, cert)],
        "annexes": [{"number": a.number, "title": a.title, "role": a.role, "filename": a.filename,
                     "media_type": a.media_type, "size": a.size, "sha256": a.sha256,
                     "scan_state": a.scan_state.value, "competencies": a.competency_codes}
                    for a in services.active_annexes(dossier)],
        "deliverables": deliverables.detail(dossier, cert),
        "versions": [_version(v) for v in dossier.versions],
    }


def _section_response(dossier: Dossier, cert: Certification, key: str, status: int = 200) -> Response:
    state = next(s for s in services.progress(dossier, cert) if s.spec.key == key)
    body = DossierSectionSchema().dump(_section(dossier, state))
    response = jsonify(body)
    response.status_code = status
    if body["revision"] is not None:
        response.headers["ETag"] = f'"{body["revision"]}"'
    return response


def _document(doc: Document, versions: dict[int, int]) -> dict[str, Any]:
    return {
        "id": doc.id, "kind": doc.kind, "title": doc.title, "filename": doc.filename, "media_type": doc.media_type,
        "size": doc.size, "sha256": doc.sha256, "version": versions.get(doc.version_id) if doc.version_id else None,
        "created_at": doc.created_at,
        "links": {"content": url_for("documents_api.document_content", document_id=doc.id)},
    }
