"""View models of the documents: the Livret 2 and the submission receipt.

Plain dataclasses, filled by the dossiers area from a dossier version and
rendered by ``documents/livret2.html`` / ``documents/receipt.html``. They
carry text only (the answers as the candidate typed them, the labels of the
certification's forms); the templates add the fixed French wording.

Everything round-trips through JSON: ``to_dict()`` gives plain lists, dicts,
strings, numbers, booleans and ISO 8601 dates; ``from_dict()`` rebuilds the
objects, so a rendered version can be stored and rendered again identically.

A section is a list of blocks; each block has a ``kind``:

``fields``      label / value rows ("Nom de famille : Dupont")
``text``        a long answer, paragraphs kept (motivation letter...)
``table``       a table, by default with a header cell at the start of each
                row (the activity sheet of the RNCP37827 form)
``checklist``   statements with a checked / unchecked box
``contents``    where the "Contenu de ce livret" table goes (computed)
``annexes``     where the annex manifest goes (from ``Livret2.annexes``)
``deliverables`` the deliverables of the access route (the annexes with a
                ``deliverable`` code): code, title, pages, SHA-256
``declaration`` the sworn declaration ("Je déclare sur l'honneur", "Fait à",
                "Nom, prénom")

The header data and JSON helpers are in :mod:`core.documents.livret_header`, the blocks in
:mod:`core.documents.livret_blocks`; every name is re-exported here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.documents.livret_blocks import (
    BLOCK_TYPES, AnnexesBlock, Block, ChecklistBlock, ContentsBlock, DeclarationBlock, DeliverablesBlock,
    FieldsBlock, TableBlock, TextBlock, _BlockBase, block_from_dict)
from core.documents.livret_header import (
    Annex, CandidateInfo, CertificationInfo, DossierInfo, _iso, _pairs, _parse_date, _parse_datetime)

__all__ = [
    "Annex", "AnnexesBlock", "Block", "CandidateInfo", "CertificationInfo", "ChecklistBlock",
    "ContentsBlock", "ContentsRow", "DeclarationBlock", "DeliverablesBlock", "DossierInfo", "FieldsBlock",
    "Livret2",
    "Receipt", "Section", "TableBlock", "TextBlock", "block_from_dict",
]
# re-exported from the split modules
__all__ += ["BLOCK_TYPES", "_BlockBase", "_iso", "_pairs", "_parse_date", "_parse_datetime"]


# --------------------------------------------------------------------------- sections

@dataclass
class Section:
    """One part of the Livret, in document order.

    ``level`` 1 is a numbered part of the form ("1. Etat civil"), level 2 a
    sub-part ("Votre lettre de motivation" inside "5. Votre projet VAE").
    ``contents_label`` puts the section in the "Contenu de ce livret" table;
    sections sharing a label make one row (count = number of sections, page =
    the first one), e.g. the repeated activity sheets. ``count`` overrides the
    count of the row (an annexes section counts its annexes by default).
    """

    key: str
    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)
    number: str = ""  # shown before the title: "1", "5"...
    level: int = 1
    intro: str = ""  # the instruction printed on the form ("Précisez les raisons...")
    contents_label: str | None = None
    count: int | None = None
    new_page: bool = True
    # rows printed after this section's row in "Contenu de ce livret", with no count nor page (the seed's
    # « Vous soulignez les expériences en rapport direct avec le diplôme visé » under « Votre CV »)
    contents_after: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def has_block(self, kind: str) -> bool:
        return any(block.kind == kind for block in self.blocks)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "anchor": self.anchor,
                "blocks": [block.to_dict() for block in self.blocks], "number": self.number,
                "level": self.level, "intro": self.intro, "contents_label": self.contents_label,
                "count": self.count, "new_page": self.new_page, "contents_after": list(self.contents_after)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Section":
        return cls(key=data["key"], title=data["title"], anchor=data["anchor"],
                   blocks=[block_from_dict(b) for b in data.get("blocks") or []],
                   number=data.get("number", ""), level=int(data.get("level", 1)),
                   intro=data.get("intro", ""), contents_label=data.get("contents_label"),
                   count=data.get("count"), new_page=bool(data.get("new_page", True)),
                   contents_after=list(data.get("contents_after") or []))


@dataclass
class ContentsRow:
    label: str
    count: int | None  # None: a row of the form with nothing to count
    anchor: str | None  # the page is that of this anchor


# --------------------------------------------------------------------------- documents

@dataclass
class Livret2:
    """The whole Livret 2 of one dossier version."""

    certification: CertificationInfo
    candidate: CandidateInfo
    dossier: DossierInfo
    sections: list[Section] = field(default_factory=list)
    annexes: list[Annex] = field(default_factory=list)

    def contents_rows(self) -> list[ContentsRow]:
        """Rows of the "Contenu de ce livret" table, in document order."""
        rows: list[ContentsRow] = []
        by_label: dict[str, ContentsRow] = {}
        for section in self.sections:
            if not section.contents_label:
                continue
            if section.count is not None:
                count = section.count
            elif section.has_block("annexes"):
                count = len(self.annexes)
            else:
                count = 1
            row = by_label.get(section.contents_label)
            if row is None:
                row = ContentsRow(section.contents_label, count, section.anchor)
                by_label[section.contents_label] = row
                rows.append(row)
                rows.extend(ContentsRow(label, None, None) for label in section.contents_after)
            else:
                row.count = (row.count or 0) + count
        return rows

    def toc(self) -> list[tuple[Section, list[Section]]]:
        """The "Sommaire": level-1 sections each with the level-2 sections that follow it."""
        out: list[tuple[Section, list[Section]]] = []
        for section in self.sections:
            if section.level > 1 and out:
                out[-1][1].append(section)
            else:
                out.append((section, []))
        return out

    def manifest(self) -> dict[str, Any]:
        """The annex manifest as embedded in the PDF (``manifeste-annexes.json``)."""
        return {
            "dossier": self.dossier.reference,
            "version": self.dossier.version,
            "certification": self.certification.code,
            "annexes": [annex.to_dict() for annex in self.annexes],
        }

    def manifest_json(self) -> bytes:
        return json.dumps(self.manifest(), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        return {"certification": self.certification.to_dict(), "candidate": self.candidate.to_dict(),
                "dossier": self.dossier.to_dict(), "sections": [s.to_dict() for s in self.sections],
                "annexes": [a.to_dict() for a in self.annexes]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Livret2":
        return cls(certification=CertificationInfo.from_dict(data["certification"]),
                   candidate=CandidateInfo.from_dict(data["candidate"]),
                   dossier=DossierInfo.from_dict(data["dossier"]),
                   sections=[Section.from_dict(s) for s in data.get("sections") or []],
                   annexes=[Annex.from_dict(a) for a in data.get("annexes") or []])


@dataclass
class Receipt:
    """The acknowledgement of a submission (accusé de réception de dépôt)."""

    certification: CertificationInfo
    candidate: CandidateInfo
    dossier: DossierInfo  # submitted_at is the time of the submission
    annexes: list[Annex] = field(default_factory=list)
    livret_sha256: str = ""  # SHA-256 of the Livret 2 PDF of this version
    livret_size: int | None = None
    issued_by: str = ""  # the certifier's name, defaults to certification.certifier

    def to_dict(self) -> dict[str, Any]:
        return {"certification": self.certification.to_dict(), "candidate": self.candidate.to_dict(),
                "dossier": self.dossier.to_dict(), "annexes": [a.to_dict() for a in self.annexes],
                "livret_sha256": self.livret_sha256, "livret_size": self.livret_size,
                "issued_by": self.issued_by}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Receipt":
        return cls(certification=CertificationInfo.from_dict(data["certification"]),
                   candidate=CandidateInfo.from_dict(data["candidate"]),
                   dossier=DossierInfo.from_dict(data["dossier"]),
                   annexes=[Annex.from_dict(a) for a in data.get("annexes") or []],
                   livret_sha256=data.get("livret_sha256", ""), livret_size=data.get("livret_size"),
                   issued_by=data.get("issued_by", ""))
