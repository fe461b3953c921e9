"""The grid form, built per certification from the plugin's grid.

Fields carry no validator: a draft keeps whatever was typed, and the checks
(:mod:`core.evaluation.grids`) come back as problems keyed by path, which
:meth:`GridForm.attach` puts on the matching fields. Field names are derived
from the codes (``crit_C1_1``, ``mark_C1``, ``comment_C1``, ``block_BC01``,
``score_ORAL``, ``proposal``, ``comment``).
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from core.csrf import LivretForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from core.certifications.descriptor import Certification, Grid
from core.evaluation.grids import format_mark


def _key(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", code)


def criterion_name(code: str) -> str:
    return f"crit_{_key(code)}"


def mark_name(code: str) -> str:
    return f"mark_{_key(code)}"


def comment_name(code: str) -> str:
    return f"comment_{_key(code)}"


def block_name(code: str) -> str:
    return f"block_{_key(code)}"


def score_name(key: str) -> str:
    return f"score_{_key(key)}"


class GridForm(LivretForm):
    revision = HiddenField()

    paths: dict[str, str] = {}  # problem path -> field name (set per certification)

    def field_for(self, path: str):
        name = self.paths.get(path)
        return self[name] if name else None

    def attach(self, found: dict[str, list[str]]) -> None:
        """Put problems (path -> messages) on their fields."""
        for path, messages in (found or {}).items():
            target = self.field_for(path)
            if target is not None:
                target.errors = [*list(target.errors or []), *[str(m) for m in messages]]

    def errored(self) -> list:
        """Fields in error, in the order of the page."""
        return [f for f in self if f.errors and f.type != "CSRFTokenField"]

    def progress(self, cert: Certification, grid: Grid) -> tuple[int, int]:
        """(rows filled, rows) of what is on the page now: the criteria answered, or the marks typed.

        Shown in the save bar (and kept up to date there by ``evaluation/grid.js``)."""
        if grid.mode == "marks":
            names = [mark_name(c.code) for c in cert.competencies] + [score_name(s.key) for s in grid.scores]
            return sum(1 for n in names if str(self[n].data or "").strip()), len(names)
        names = [criterion_name(crit.code) for comp in cert.competencies for crit in comp.criteria]
        choices = {"met", "not_met"}
        return sum(1 for n in names if self[n].data in choices), len(names)

    def to_payload(self, cert: Certification, grid: Grid) -> dict[str, Any]:
        """The input in the API's shape (see :func:`core.evaluation.grids.read_input`)."""
        payload: dict[str, Any] = {"criteria": {}, "competencies": {}, "blocks": {}, "scores": {}}
        for comp in cert.competencies:
            row = {"comment": self[comment_name(comp.code)].data or ""}
            if grid.mode == "marks":
                row["mark"] = self[mark_name(comp.code)].data or ""
            else:
                for crit in comp.criteria:
                    payload["criteria"][crit.code] = self[criterion_name(crit.code)].data or None
            payload["competencies"][comp.code] = row
        if grid.block_proposals:
            for block in cert.blocks:
                payload["blocks"][block.code] = self[block_name(block.code)].data or None
        for score in grid.scores:
            payload["scores"][score.key] = self[score_name(score.key)].data or ""
        payload["proposal"] = self.proposal.data or None
        payload["comment"] = self.comment.data or ""
        return payload


def initial_data(cert: Certification, grid: Grid, data: dict[str, Any]) -> dict[str, Any]:
    """Field values from a stored grid (marks typed as text shown as typed)."""
    typed = data.get("typed") or {}
    values: dict[str, Any] = {"proposal": data.get("proposal") or None, "comment": data.get("comment") or ""}
    for comp in cert.competencies:
        row = (data.get("competencies") or {}).get(comp.code) or {}
        values[comment_name(comp.code)] = row.get("comment") or ""
        path = f"competencies.{comp.code}.mark"
        values[mark_name(comp.code)] = typed.get(path) or format_mark(row.get("mark"))
        for crit in comp.criteria:
            values[criterion_name(crit.code)] = (data.get("criteria") or {}).get(crit.code)
    for block in cert.blocks:
        values[block_name(block.code)] = (data.get("blocks") or {}).get(block.code)
    for score in grid.scores:
        values[score_name(score.key)] = typed.get(f"scores.{score.key}") or format_mark(
            (data.get("scores") or {}).get(score.key))
    return values


def _fields(cert: Certification, grid: Grid) -> tuple[dict[str, Any], dict[str, str]]:
    attrs: dict[str, Any] = {}
    paths: dict[str, str] = {}
    met = [SelectChoice("met", _("Acquis")), SelectChoice("not_met", _("Non acquis"))]
    for comp in cert.competencies:
        if grid.mode == "marks":
            attrs[mark_name(comp.code)] = StringField(_("Note de la compétence %(code)s, sur %(max)s",
                                                        code=comp.code, max=format_mark(grid.scale)))
            paths[f"competencies.{comp.code}.mark"] = mark_name(comp.code)
        else:
            for crit in comp.criteria:
                attrs[criterion_name(crit.code)] = RadioField(f"{crit.code} – {crit.text}", choices=met,
                                                              validate_choice=False)
                paths[f"criteria.{crit.code}"] = criterion_name(crit.code)
        attrs[comment_name(comp.code)] = TextAreaField(_("Commentaire sur la compétence %(code)s", code=comp.code))
        paths[f"competencies.{comp.code}.comment"] = comment_name(comp.code)
    if grid.block_proposals:
        for block in cert.blocks:
            attrs[block_name(block.code)] = RadioField(
                _("Votre proposition pour le bloc %(code)s", code=block.code),
                choices=[SelectChoice("validated", _("Bloc validé")),
                         SelectChoice("not_validated", _("Bloc non validé"))], validate_choice=False)
            paths[f"blocks.{block.code}"] = block_name(block.code)
    for score in grid.scores:
        attrs[score_name(score.key)] = StringField(_("%(label)s, note sur %(max)s", label=score.label,
                                                     max=format_mark(score.maximum)))
        paths[f"scores.{score.key}"] = score_name(score.key)
    attrs["proposal"] = RadioField(_("Votre proposition de décision"), validate_choice=False,
                                   choices=[SelectChoice(o.code, o.label) for o in grid.outcomes])
    attrs["comment"] = TextAreaField(_("Commentaire général"))
    paths.update(proposal="proposal", comment="comment")
    return attrs, paths


def grid_form(cert: Certification, grid: Grid, *, formdata: Any = None, data: dict[str, Any] | None = None,
              revision: int = 0) -> GridForm:
    """The form of ``grid``; from the request (``formdata``) or from stored ``data``."""
    attrs, paths = _fields(cert, grid)
    cls = type("CertificationGridForm", (GridForm,), {**attrs, "paths": paths})
    if formdata is not None:
        return cls(formdata=formdata)
    form = cls(formdata=None, data=initial_data(cert, grid, data or {}))
    form.revision.data = str(revision)
    return form


class ReopenForm(LivretForm):
    """Only the CSRF token: reopening a completed grid."""
