"""The decision form of the deliberation page, built for the certification's grid.

Fields: ``outcome`` (the grid's outcomes), ``validated_blocks`` (when the
grid has block proposals), ``vae_outcome`` and ``remaining`` (when the
certification declares VAE outcomes), ``comment``; in marks mode one text
field per competency (``mark_<code>``) and per extra score (``score_<key>``),
typed the French way (« 4,5 »). Errors found by the service are put back on
the fields with :meth:`attach_errors`; what was typed is kept.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField

from core.certifications.descriptor import Certification, DecisionProposal, Grid, RecordedDecision
from core.evaluation.grids import format_mark, parse_mark
from core.jury.models import JuryDecision
from core.jury.services import mean


class AbsenceForm(LivretForm):
    """The one-click « Enregistrer l'absence » (CSRF only)."""


class BaseDecisionForm(LivretForm):
    outcome = RadioField(_l("Décision du jury"), choices=[], validate_choice=False)
    validated_blocks = SelectMultipleField(_l("Blocs de compétences validés"), choices=[], validate_choice=False)
    vae_outcome = RadioField(_l("Issue de l'entretien VAE"), choices=[], validate_choice=False)
    remaining = TextAreaField(_l("Ce qui reste à acquérir"))
    comment = TextAreaField(_l("Commentaires"))

    mark_fields: dict[str, str] = {}  # competency code -> field name
    score_fields: dict[str, str] = {}  # score key -> field name

    def setup(self, cert: Certification, grid: Grid) -> "BaseDecisionForm":
        self.outcome.choices = [(o.code, o.label) for o in grid.outcomes]
        self.validated_blocks.choices = [(b.code, f"{b.code} – {b.title}") for b in cert.blocks]
        self.vae_outcome.choices = [(o.code, o.label) for o in cert.extra.get("vae_outcomes") or ()]
        return self

    def mark_rows(self, cert: Certification):
        return [(cert.competency(code), self[name]) for code, name in self.mark_fields.items()]

    def score_rows(self, grid: Grid):
        scores = {s.key: s for s in grid.scores}
        return [(scores[key], self[name]) for key, name in self.score_fields.items()]

    def read(self, grid: Grid) -> tuple[RecordedDecision, dict[str, list[str]]]:
        """The decision typed, and the marks that are not numbers (by service path)."""
        errors: dict[str, list[str]] = {}
        marks = self._numbers(self.mark_fields, "marks", grid.scale, errors)
        maxima = {s.key: s.maximum for s in grid.scores}
        scores = {key: value for key, name in self.score_fields.items()
                  if (value := self._number(self[name], f"scores.{key}", maxima[key], errors)) is not None}
        decision = RecordedDecision(
            outcome=self.outcome.data or "", validated_blocks=tuple(self.validated_blocks.data or ()),
            marks=marks, scores=scores, comment=self.comment.data or "", vae_outcome=self.vae_outcome.data or "",
            remaining=self.remaining.data or "")
        return decision, errors

    def _numbers(self, names: dict[str, str], prefix: str, maximum, errors) -> dict[str, float]:
        found = {}
        for code, name in names.items():
            value = self._number(self[name], f"{prefix}.{code}", maximum, errors)
            if value is not None:
                found[code] = value
        return found

    @staticmethod
    def _number(field, path: str, maximum, errors) -> float | None:
        number, typed = parse_mark(field.data)
        if typed:
            errors[path] = [_("« %(typed)s » n'est pas une note : saisissez un nombre entre 0 et %(max)s.",
                              typed=typed, max=format_mark(maximum))]
        return number

    def field_for(self, path: str):
        """The form field of a service path (``marks.C1``, ``scores.ORAL``, ``comment``...)."""
        kind, _sep, code = path.partition(".")
        if kind == "marks" and code in self.mark_fields:
            return self[self.mark_fields[code]]
        if kind == "scores" and code in self.score_fields:
            return self[self.score_fields[code]]
        return getattr(self, kind, None) if kind in self._fields else self.outcome

    def attach_errors(self, fields: dict[str, list[str]]) -> None:
        for path, messages in (fields or {}).items():
            target = self.field_for(path)
            target.errors = [*list(target.errors or []), *[str(m) for m in messages]]

    @property
    def all_errors(self) -> list[tuple[Any, str]]:
        """(field, first message) for the error summary, in page order."""
        return [(f, f.errors[0]) for f in self if f.errors and f.type != "CSRFTokenField"]


def _name(prefix: str, code: str) -> str:
    return f"{prefix}_{re.sub(r'[^0-9A-Za-z]', '_', code)}"


def decision_form_class(cert: Certification, grid: Grid) -> type[BaseDecisionForm]:
    attrs: dict[str, Any] = {"mark_fields": {}, "score_fields": {}}
    if grid.mode == "marks":
        for comp in cert.competencies:
            name = _name("mark", comp.code)
            attrs["mark_fields"][comp.code] = name
            attrs[name] = StringField(_l("%(code)s : note retenue (sur %(max)s)", code=comp.code,
                                         max=format_mark(grid.scale)))
    for score in grid.scores:
        name = _name("score", score.key)
        attrs["score_fields"][score.key] = name
        attrs[name] = StringField(_l("%(label)s : note retenue (sur %(max)s)", label=score.label,
                                     max=format_mark(score.maximum)))
    return type("DecisionForm", (BaseDecisionForm,), attrs)


def defaults(cert: Certification, grid: Grid, consolidation, proposal: DecisionProposal,
             current: JuryDecision | None) -> dict[str, Any]:
    """What the form shows first: the current decision if any, otherwise the computed proposal
    (marks: the jurors' mean for each competency)."""
    form_class = decision_form_class(cert, grid)
    if current is not None and current.outcome != "absent":
        data = {"outcome": current.outcome, "validated_blocks": list(current.validated_blocks or []),
                "vae_outcome": current.vae_outcome, "remaining": current.remaining, "comment": current.comment}
        marks, scores = current.marks or {}, current.scores or {}
    else:
        data = {"outcome": proposal.outcome if proposal.outcome != "absent" else None,
                "validated_blocks": list(proposal.validated_blocks),
                "vae_outcome": proposal.extra.get("vae_outcome") or None,
                "remaining": proposal.extra.get("remaining") or "", "comment": ""}
        marks = {code: mean(values) for code, values in consolidation.marks.items()}
        scores = {key: mean(values) for key, values in consolidation.scores.items()}
    for code, name in form_class.mark_fields.items():
        data[name] = format_mark(marks.get(code)) if marks.get(code) is not None else ""
    for key, name in form_class.score_fields.items():
        data[name] = format_mark(scores.get(key)) if scores.get(key) is not None else ""
    return data


def build_form(cert: Certification, grid: Grid, *, data: dict[str, Any] | None = None) -> BaseDecisionForm:
    """The form for a GET (``data``: :func:`defaults`) or a POST (read from the request)."""
    form_class = decision_form_class(cert, grid)
    form = form_class(data=data) if data is not None else form_class()
    return form.setup(cert, grid)
