"""A dossier's progress: each section's state, the evidence coverage of the competencies, and what still
prevents the submission (each problem pointing where to fix it). Re-exported by :mod:`core.dossiers.services`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from core.certifications.descriptor import Certification
from core.dossiers.drafts import _ANNEXES_OF, _DRAFTS_OF, _loaded, draft_of, section_data, sections_for
from core.dossiers.models import Annex, Dossier, ScanState, SectionDraft
from core.dossiers.sections import ANNEXES, DELIVERABLES, FORM, Problem, SectionSpec
from core.plugins import certification_hook

# ---------------------------------------------------------------------------
# Progress, completeness, coverage
# ---------------------------------------------------------------------------

@dataclass
class SectionState:
    spec: SectionSpec
    state: str  # "empty", "in_progress", "complete"
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.state == "complete":  # one string translated, not three
            return _("Complète")
        return _("En cours") if self.state == "in_progress" else _("À compléter")


def active_annexes(dossier: Dossier) -> list[Annex]:
    return [a for a in _loaded(dossier, "annexes", _ANNEXES_OF) if a.removed_at is None]


def progress(dossier: Dossier, cert: Certification) -> list[SectionState]:
    states = []
    annexes = active_annexes(dossier)
    _loaded(dossier, "sections", _DRAFTS_OF)  # every draft in one query, then found by draft_of
    for spec in sections_for(cert, dossier):
        if spec.kind == FORM:
            draft = draft_of(dossier, spec.key)
            if draft is None:
                states.append(SectionState(spec, "empty"))
            else:
                states.append(SectionState(spec, "complete" if draft.complete else "in_progress",
                                           dict(draft.problems or {})))
        elif spec.kind == ANNEXES:
            minimum = int(spec.options.get("min_annexes", 1 if spec.required else 0))
            evidence = [a for a in annexes if a.role == "evidence"]
            state = "complete" if len(evidence) >= minimum and evidence or minimum == 0 else (
                "in_progress" if evidence else "empty")
            states.append(SectionState(spec, state))
        elif spec.kind == DELIVERABLES:  # every deliverable of the route has a usable file
            from core.annexes.deliverables import state_of

            states.append(SectionState(spec, state_of(dossier, cert)))
        else:  # CONTENTS: computed
            states.append(SectionState(spec, "complete"))
    return states


def cited_annexes(dossier: Dossier, cert: Certification) -> dict[str, set[int]]:
    """Per competency code, the annex numbers the candidate cites in form fields.

    A section declares which of its fields cite annexes as evidence of which
    competency with ``options["annex_citations"] = {field name: competency code}``
    (RS6776: « Éléments de preuve du cas pratique n », typed as ``1, 3``).
    """
    from forms.validators import parse_annex_numbers

    data = section_data(dossier)
    cited: dict[str, set[int]] = {}
    for spec in sections_for(cert, dossier):
        citations = spec.options.get("annex_citations") or {}
        values = data.get(spec.key) or {}
        for name, code in citations.items():
            value = values.get(name)
            try:
                numbers = parse_annex_numbers(value) if isinstance(value, str) else []
            except ValueError:  # the field's own validation reports it
                continue
            cited.setdefault(code, set()).update(numbers)
    return cited


def coverage(dossier: Dossier, cert: Certification) -> list[dict[str, Any]]:
    """Per competency: the annexes linked to it on the annexes page or cited as its evidence in a section."""
    annexes = active_annexes(dossier)
    cited = cited_annexes(dossier, cert)
    codes = {a.id: {link.competency_code for link in a.competencies} for a in annexes}
    rows = []
    for block in cert.blocks:
        for comp in block.competencies:
            numbers = cited.get(comp.code, set())
            linked = [a for a in annexes if comp.code in codes[a.id] or a.number in numbers]
            rows.append({"block": block, "competency": comp, "annexes": linked})
    return rows


def _lower_first(message: str) -> str:
    """« Ce champ est obligatoire. » → « ce champ est obligatoire » (after « Section › Champ : »)."""
    message = message.strip().rstrip(".").strip()
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        message = message[0].lower() + message[1:]
    return message


def _field_label(label: str) -> str:
    return label.strip().rstrip(":;").strip()


def _field_problems(dossier: Dossier, spec: SectionSpec, cert: Certification, state: SectionState) -> list[Problem]:
    """One problem per field in error, named « Section › Champ : message » and pointing at the field.

    The labels come from the section's form rebuilt from the draft (the stored
    problems only keep paths); the stored problems are the fallback.
    """
    from core.dossiers import memo

    draft = draft_of(dossier, spec.key)
    items: list[dict[str, str]] = []
    if draft is not None:
        items = [dict(item) for item in memo.remembered(
            memo.identity("field-problems", cert, spec, dossier, draft),
            lambda: _strict_error_items(spec, cert, draft), lambda found: 200 + 300 * len(found))]
    if not items:
        items = [{"id": path.replace(".", "-"), "path": path, "label": "", "message": messages[0]}
                 for path, messages in sorted(state.problems.items()) if messages]
    found: list[Problem] = []
    seen: set[str] = set()
    for item in items:
        key = item["path"] or item["id"]
        if key in seen:  # the first message of each field
            continue
        seen.add(key)
        label = _field_label(str(item.get("label") or ""))
        message = _lower_first(str(item["message"]))
        if label:
            text = _("%(section)s › %(field)s : %(message)s", section=spec.title, field=label, message=message)
        else:
            text = _("%(section)s : %(message)s", section=spec.title, message=message)
        found.append(Problem(text, spec.key, field=item["id"] or None, code="section_invalid"))
    return found


def _strict_error_items(spec: SectionSpec, cert: Certification, draft: SectionDraft) -> list[dict[str, str]]:
    form = spec.form.from_data(dict(draft.data or {}), certification=cert)
    return [] if form.validate() else form.error_items()


def problems(dossier: Dossier, cert: Certification, *, states: list[SectionState] | None = None,
             coverage_rows: list[dict[str, Any]] | None = None) -> list[Problem]:
    """Everything that prevents submission, each pointing where to fix it.

    ``states`` and ``coverage_rows``: :func:`progress` and :func:`coverage` of the same dossier when the
    caller already has them (the dossier page shows both), so that they are not computed twice."""
    found: list[Problem] = []
    for state in (states if states is not None else progress(dossier, cert)):
        spec = state.spec
        if not spec.required or state.state == "complete":
            continue
        if spec.kind == FORM and state.state == "empty":
            found.append(Problem(_("La section « %(t)s » n'est pas remplie.", t=spec.title), spec.key,
                                 code="section_empty"))
        elif spec.kind == FORM:
            found.extend(_field_problems(dossier, spec, cert, state))
        elif spec.kind == ANNEXES:
            found.append(Problem(_("Ajoutez au moins une pièce justificative (annexe)."), spec.key,
                                 code="annexes_missing"))
        elif spec.kind == DELIVERABLES:
            from core.annexes.deliverables import problems_of

            found.extend(problems_of(dossier, cert, spec.key))
    annex_key = next((s.key for s in sections_for(cert, dossier) if s.kind == ANNEXES), None)
    for annex in active_annexes(dossier):
        if annex.role == "deliverable":  # reported with its deliverable (core.annexes.deliverables)
            continue
        if annex.scan_state in (ScanState.INFECTED, ScanState.ERROR):
            found.append(Problem(_("L'annexe n° %(n)d « %(t)s » a été refusée par l'antivirus : retirez-la.",
                                   n=annex.number, t=annex.title), annex_key, code="annex_infected"))
        elif annex.scan_state is ScanState.PENDING:
            found.append(Problem(_("L'annexe n° %(n)d « %(t)s » est en cours d'analyse antivirus.",
                                   n=annex.number, t=annex.title), annex_key, code="annex_pending"))
    if annex_key is not None and any(s.kind == ANNEXES and s.options.get("require_coverage", True)
                                     for s in sections_for(cert, dossier)):
        for row in (coverage_rows if coverage_rows is not None else coverage(dossier, cert)):
            if not row["annexes"]:
                comp = row["competency"]
                found.append(Problem(_("Aucune pièce justificative n'est associée à la compétence %(c)s.",
                                       c=comp.code), annex_key, code="competency_without_evidence",
                                     blocking=False))
    data = section_data(dossier)
    for extra in certification_hook(cert, "livret_dossier_problems")(certification=cert, dossier=dossier,
                                                                      sections=data):
        found.extend(extra or [])
    return found
