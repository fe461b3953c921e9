"""The blocks of a Livret section (fields, text, table, checklist, contents, annexes, deliverables,
declaration), each with its ``kind``, and :func:`block_from_dict`.

Part of :mod:`core.documents.livret`, which re-exports every name.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields as dc_fields
from datetime import date, datetime
from typing import Any, ClassVar, Union

from core.documents.livret_header import _pairs, _parse_date


# --------------------------------------------------------------------------- blocks

class _BlockBase:
    kind: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for f in dc_fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, (date, datetime)):
                value = value.isoformat()
            elif isinstance(value, list):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            data[f.name] = value
        return data


@dataclass
class FieldsBlock(_BlockBase):
    """Label / value rows, rendered as a two-column table like the paper form."""

    kind: ClassVar[str] = "fields"
    rows: list[tuple[str, str]] = field(default_factory=list)
    label: str = ""  # optional sub-heading

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FieldsBlock":
        return cls(rows=_pairs(data.get("rows") or []), label=data.get("label", ""))


@dataclass
class TextBlock(_BlockBase):
    """A long answer; blank lines separate paragraphs, single new lines are kept."""

    kind: ClassVar[str] = "text"
    label: str = ""
    text: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TextBlock":
        return cls(label=data.get("label", ""), text=data.get("text", ""))


@dataclass
class TableBlock(_BlockBase):
    """A table. ``headers`` (optional) are column headers; with ``row_headers``
    the first cell of each row is a row header (``<th scope="row">``)."""

    kind: ClassVar[str] = "table"
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)
    headers: list[str] | None = None
    row_headers: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TableBlock":
        headers = data.get("headers")
        return cls(caption=data.get("caption", ""), rows=[list(r) for r in data.get("rows") or []],
                   headers=list(headers) if headers is not None else None,
                   row_headers=bool(data.get("row_headers", True)))


@dataclass
class ChecklistBlock(_BlockBase):
    """Statements with a box: ☒ checked, ☐ not checked (with the state in words)."""

    kind: ClassVar[str] = "checklist"
    items: list[tuple[str, bool]] = field(default_factory=list)
    label: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChecklistBlock":
        return cls(items=[(label, bool(checked)) for label, checked in _pairs(data.get("items") or [])],
                   label=data.get("label", ""))


@dataclass
class _PlaceholderBlock(_BlockBase):
    """A block the Livret fills itself when it is built, with an optional introduction."""

    intro: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "_PlaceholderBlock":
        return cls(intro=data.get("intro", ""))


@dataclass
class ContentsBlock(_PlaceholderBlock):
    """Placeholder: the "Contenu de ce livret" table (Documents | Nombre | Numéro de page)."""

    kind: ClassVar[str] = "contents"


@dataclass
class AnnexesBlock(_PlaceholderBlock):
    """Placeholder: the annex manifest, built from ``Livret2.annexes``."""

    kind: ClassVar[str] = "annexes"


@dataclass
class DeliverablesBlock(_PlaceholderBlock):
    """Placeholder: the deliverables of the access route (the annexes of ``Livret2.annexes`` that carry a
    ``deliverable`` code): code, title, pages, SHA-256."""

    kind: ClassVar[str] = "deliverables"


@dataclass
class DeclarationBlock(_BlockBase):
    """The sworn declaration: information text, the ticked statements, place, date, name."""

    kind: ClassVar[str] = "declaration"
    statements: list[tuple[str, bool]] = field(default_factory=list)
    place: str = ""
    signed_on: date | None = None
    signer_name: str = ""
    intro_title: str = ""  # e.g. "Information sur les risques encourus en cas de fraude."
    intro: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeclarationBlock":
        return cls(statements=[(label, bool(checked)) for label, checked in _pairs(data.get("statements") or [])],
                   place=data.get("place", ""), signed_on=_parse_date(data.get("signed_on")),
                   signer_name=data.get("signer_name", ""), intro_title=data.get("intro_title", ""),
                   intro=data.get("intro", ""))


Block = Union[FieldsBlock, TextBlock, TableBlock, ChecklistBlock, ContentsBlock, AnnexesBlock,
              DeliverablesBlock, DeclarationBlock]

BLOCK_TYPES: dict[str, type] = {cls.kind: cls for cls in (
    FieldsBlock, TextBlock, TableBlock, ChecklistBlock, ContentsBlock, AnnexesBlock, DeliverablesBlock,
    DeclarationBlock)}


def block_from_dict(data: dict[str, Any]) -> Block:
    try:
        cls = BLOCK_TYPES[data["kind"]]
    except KeyError as exc:
        raise ValueError(f"unknown block kind {data.get('kind')!r}") from exc
    return cls.from_dict(data)  # type: ignore[attr-defined]
