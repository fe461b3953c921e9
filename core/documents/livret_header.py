"""Header data of the documents (certification, candidate, dossier, annex) and the JSON helpers
(ISO 8601 dates, pairs) shared by the view models.

Part of :mod:`core.documents.livret`, which re-exports every name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable


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
