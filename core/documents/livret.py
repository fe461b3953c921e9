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
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields as dc_fields
from datetime import date, datetime
from typing import Any, ClassVar, Iterable, Union

__all__ = [
    "Annex", "AnnexesBlock", "Block", "CandidateInfo", "CertificationInfo", "ChecklistBlock",
    "ContentsBlock", "ContentsRow", "DeclarationBlock", "DeliverablesBlock", "DossierInfo", "FieldsBlock",
    "Livret2",
    "Receipt", "Section", "TableBlock", "TextBlock", "block_from_dict",
]


# --------------------------------------------------------------------------- helpers

def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _pairs(rows: Iterable[Iterable[Any]]) -> list[tuple[Any, Any]]:
    out = []
    for row in rows:
        first, second = row
        out.append((first, second))
    return out


# --------------------------------------------------------------------------- header data

@dataclass
class CertificationInfo:
    """The certification aimed at, as shown on the cover ("DIPLÔME VISÉ")."""

    code: str  # e.g. "RNCP37827", "RS6776"
    title: str  # e.g. "Développeur en intelligence artificielle"
    registry: str = ""  # "RNCP" or "RS"
    certifier: str = ""  # e.g. "SIMPLON.CO"
    # how the certification names the submitted document on the dossier's route (Route.document)
    document_name: str = "Dossier de certification"  # e.g. "Livret 2 VAE", "Évaluation écrite"
    document_heading: str = "Dossier de certification"
    document_subtitle: str = ""

    @property
    def number(self) -> str:
        """The code without its registry prefix ("37827" for "RNCP37827")."""
        if self.registry and self.code.upper().startswith(self.registry.upper()):
            return self.code[len(self.registry):].strip()
        return self.code

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "registry": self.registry,
                "certifier": self.certifier, "document_name": self.document_name,
                "document_heading": self.document_heading, "document_subtitle": self.document_subtitle}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CertificationInfo":
        defaults = cls(code="", title="")
        return cls(code=data["code"], title=data["title"], registry=data.get("registry", ""),
                   certifier=data.get("certifier", ""),
                   document_name=data.get("document_name") or defaults.document_name,
                   document_heading=data.get("document_heading") or defaults.document_heading,
                   document_subtitle=data.get("document_subtitle", ""))


@dataclass
class CandidateInfo:
    last_name: str
    first_name: str

    @property
    def full_name(self) -> str:
        """"NOM Prénom", the order of French administrative forms."""
        return f"{self.last_name.upper()} {self.first_name}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {"last_name": self.last_name, "first_name": self.first_name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CandidateInfo":
        return cls(last_name=data["last_name"], first_name=data["first_name"])


@dataclass
class DossierInfo:
    reference: str
    version: int
    submitted_at: datetime | None = None  # timezone-aware (UTC in the database)
    jury_date: date | None = None
    certification_centre: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "version": self.version,
                "submitted_at": _iso(self.submitted_at), "jury_date": _iso(self.jury_date),
                "certification_centre": self.certification_centre}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DossierInfo":
        return cls(reference=data["reference"], version=int(data["version"]),
                   submitted_at=_parse_datetime(data.get("submitted_at")),
                   jury_date=_parse_date(data.get("jury_date")),
                   certification_centre=data.get("certification_centre", ""))


@dataclass
class Annex:
    """One evidence annex as sealed in the manifest."""

    number: int
    title: str
    media_type: str
    size: int  # bytes
    sha256: str  # 64 hexadecimal characters
    competencies: list[str] = field(default_factory=list)  # e.g. ["C1", "C3"]
    filename: str = ""  # sanitised file name, informative only
    deliverable: str = ""  # the code of a route's deliverable (« E2 ») when the annex is one
    pages: int | None = None  # page count, kept for deliverables (checked on upload)

    @property
    def anchor(self) -> str:
        return f"annexe-{self.number}"

    def to_dict(self) -> dict[str, Any]:
        data = {"number": self.number, "title": self.title, "media_type": self.media_type,
                "size": self.size, "sha256": self.sha256, "competencies": list(self.competencies),
                "filename": self.filename}
        if self.deliverable:
            data.update(deliverable=self.deliverable, pages=self.pages)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Annex":
        pages = data.get("pages")
        return cls(number=int(data["number"]), title=data["title"], media_type=data["media_type"],
                   size=int(data["size"]), sha256=data["sha256"],
                   competencies=list(data.get("competencies") or []),
                   filename=data.get("filename", ""), deliverable=data.get("deliverable") or "",
                   pages=int(pages) if pages is not None else None)


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
class ContentsBlock(_BlockBase):
    """Placeholder: the "Contenu de ce livret" table (Documents | Nombre | Numéro de page)."""

    kind: ClassVar[str] = "contents"
    intro: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ContentsBlock":
        return cls(intro=data.get("intro", ""))


@dataclass
class AnnexesBlock(_BlockBase):
    """Placeholder: the annex manifest, built from ``Livret2.annexes``."""

    kind: ClassVar[str] = "annexes"
    intro: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AnnexesBlock":
        return cls(intro=data.get("intro", ""))


@dataclass
class DeliverablesBlock(_BlockBase):
    """Placeholder: the deliverables of the access route (the annexes of ``Livret2.annexes`` that carry a
    ``deliverable`` code): code, title, pages, SHA-256."""

    kind: ClassVar[str] = "deliverables"
    intro: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeliverablesBlock":
        return cls(intro=data.get("intro", ""))


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
