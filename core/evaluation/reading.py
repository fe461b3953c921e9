"""What a juror reads of a candidate's dossier: the latest submitted version, its sealed Livret 2,
and the annexes of its manifest listed by competency, each opened in the browser when it can be."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.annexes.services import download_refusal, get_annex, open_annex_for_download
from core.auth.models import User
from core.certifications.descriptor import Block, Certification, Competency, Evaluation
from core.dossiers.models import Annex, Document, Dossier, DossierVersion
from core.errors import NotFound
from core.extensions import db
from core.jury.models import SessionCandidate

LIVRET2_KIND = "livret2"  # the kind core.dossiers.submission gives the sealed Livret 2
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")


@dataclass
class AnnexEntry:
    """One annex of the version's manifest, with what the juror may do with it."""

    number: int
    title: str
    filename: str
    media_type: str
    size: int
    sha256: str
    competencies: list[str]
    annex: Annex | None
    refusal: str | None  # why it cannot be opened (scan state), or None
    deliverable: str | None = None  # the code of a route's deliverable (« E2 ») when the annex is one
    pages: int | None = None

    @property
    def readable(self) -> bool:
        return self.annex is not None and self.refusal is None

    @property
    def inline(self) -> bool:
        return self.media_type in INLINE_TYPES

    @property
    def scan_state(self) -> str:
        return self.annex.scan_state.value if self.annex is not None else "unknown"


@dataclass
class CompetencyAnnexes:
    block: Block
    competency: Competency
    annexes: list[AnnexEntry] = field(default_factory=list)


@dataclass
class EvaluationDeliverables:
    """One épreuve and the deliverables handed in for it (a formation candidate, :mod:`core.annexes.deliverables`)."""

    evaluation: Evaluation
    deliverables: list[AnnexEntry] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # codes of the deliverables the route asks for it


@dataclass
class DossierReading:
    dossier: Dossier
    version: DossierVersion
    livret2: Document | None
    annexes: list[AnnexEntry]
    by_competency: list[CompetencyAnnexes]
    unlinked: list[AnnexEntry]
    by_evaluation: list[EvaluationDeliverables] = field(default_factory=list)


def version_of(candidate: SessionCandidate) -> DossierVersion:
    version = candidate.dossier.latest_version
    if version is None:
        raise NotFound(_("Ce dossier n'a pas de version déposée."), code="version_not_found")
    return version


def livret2_of(version: DossierVersion) -> Document | None:
    return db.session.scalar(select(Document).where(Document.version_id == version.id,
                                                    Document.kind == LIVRET2_KIND)
                             .order_by(Document.id.desc()).limit(1))


def _entry(item: dict[str, Any], dossier: Dossier) -> AnnexEntry:
    annex = db.session.get(Annex, item.get("annex_id")) if item.get("annex_id") else None
    if annex is not None and (annex.dossier_id != dossier.id or annex.sha256 != item.get("sha256")):
        annex = None  # the manifest is the reference: never show other bytes than the ones submitted
    return AnnexEntry(number=int(item["number"]), title=str(item.get("title") or ""),
                      filename=str(item.get("filename") or ""), media_type=str(item.get("media_type") or ""),
                      size=int(item.get("size") or 0), sha256=str(item.get("sha256") or ""),
                      competencies=list(item.get("competencies") or []), annex=annex,
                      refusal=(download_refusal(annex) if annex is not None
                               else _("Le fichier de cette annexe n'est plus disponible.")),
                      deliverable=item.get("deliverable") or None, pages=item.get("pages"))


def deliverables_by_evaluation(dossier: Dossier, cert: Certification,
                               entries: list[AnnexEntry]) -> list[EvaluationDeliverables]:
    """Each épreuve of the scheme with the deliverables of the manifest that serve it (as the route declares
    them; a code it no longer declares goes under the épreuve of the same code). Empty for a dossier whose
    route asks for no deliverable and whose manifest has none."""
    from core.annexes.deliverables import expected
    from core.dossiers.routes import route_of

    route = route_of(dossier, cert)
    asked = expected(dossier, cert)
    handed = [e for e in entries if e.deliverable]
    if not asked and not handed:
        return []

    def serves(code: str) -> tuple[str, ...]:
        found = route.deliverable(code)
        return found.evaluations if found is not None and found.evaluations else (code,)

    rows = []
    for evaluation in cert.scheme.evaluations if cert.scheme else ():
        files = [e for e in handed if evaluation.code in serves(e.deliverable)]
        codes = [d.code for d in asked if evaluation.code in (d.evaluations or (d.code,))]
        if files or codes:
            rows.append(EvaluationDeliverables(evaluation, files, codes))
    return rows


def reading_of(candidate: SessionCandidate, cert: Certification) -> DossierReading:
    dossier = candidate.dossier
    version = version_of(candidate)
    entries = [_entry(item, dossier) for item in version.manifest or []]
    by_competency = [CompetencyAnnexes(block, comp, [e for e in entries if comp.code in e.competencies])
                     for block in cert.blocks for comp in block.competencies]
    known = {c.code for c in cert.competencies}
    unlinked = [e for e in entries if not e.deliverable and not any(code in known for code in e.competencies)]
    return DossierReading(dossier=dossier, version=version, livret2=livret2_of(version), annexes=entries,
                          by_competency=by_competency, unlinked=unlinked,
                          by_evaluation=deliverables_by_evaluation(dossier, cert, entries))


def manifest_entry(candidate: SessionCandidate, number: int) -> dict[str, Any]:
    """The entry of the latest version's manifest numbered ``number``; 404 when it lists none."""
    version = version_of(candidate)
    item = next((i for i in version.manifest or [] if i.get("number") == number), None)
    if item is None:
        raise NotFound(_("Cette annexe ne fait pas partie du dossier déposé."), code="annex_not_found")
    return item


def open_annex(user: User, candidate: SessionCandidate, number: int):
    """A :class:`core.annexes.reading.Download` of an annex of the submitted version (scan checked, audited)."""
    item = manifest_entry(candidate, number)
    annex = get_annex(candidate.dossier, number, include_removed=True)
    if annex.id != item.get("annex_id") or annex.sha256 != item.get("sha256"):
        raise NotFound(_("Cette annexe ne fait pas partie du dossier déposé."), code="annex_not_found")
    return open_annex_for_download(user, candidate.dossier, number)


def livret2_response(user: User, candidate: SessionCandidate, *, download: bool = False):
    """The sealed Livret 2 of the latest version for the juror ``user`` (inline unless ``download``):
    verified whole against its SHA-256, the download (``document.read``) audited before the first byte."""
    from core.audit.services import record
    from core.downloads import WHOLE
    from core.evaluation.viewer import file_response

    document = livret2_of(version_of(candidate))
    if document is None:
        raise NotFound(_("Le Livret 2 scellé de ce dossier n'est pas disponible."), code="document_not_found")
    storage = current_app.extensions["livret"].storage

    def audit() -> None:
        record("document.read", "document", document.id, actor_id=user.id)
        db.session.commit()

    return file_response(lambda: storage.open(document.storage_key), filename=document.filename,
                         media_type=document.media_type, size=document.size, sha256=document.sha256,
                         download=download, verify=WHOLE, before_send=audit)


def annex_response(user: User, candidate: SessionCandidate, number: int, *, download: bool = False):
    """An annex of the submitted version for the juror ``user`` (scan checked; hashed as it streams; audited)."""
    from core.evaluation.viewer import file_response

    found = open_annex(user, candidate, number)
    item = found.annex
    return file_response(found.open, filename=item.filename, media_type=item.media_type, size=item.size,
                         sha256=item.sha256, download=download, before_send=found.audit)
