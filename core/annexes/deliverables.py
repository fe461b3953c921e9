"""The deliverables of a dossier's access route: one PDF per :class:`~core.certifications.descriptor.Deliverable`.

A route may ask for files handed in per épreuve (RNCP37827 « formation »: the
E1–E5 reports of Annexe 1). Each is an :class:`~core.dossiers.models.Annex` with
the role ``deliverable`` and ``Annex.deliverable`` = the deliverable's code,
uploaded through the annex machinery (:func:`core.annexes.services.stage_annex`
then :func:`~core.annexes.services.store_annex`: checked, stored, numbered,
scanned, sealed in the submission manifest). On top of the annex checks:

- only a PDF is accepted, and its page count must lie within the deliverable's
  ``min_pages``/``max_pages`` (refused with the rule quoted, nothing kept);
- a new upload for the same code replaces the previous file (withdrawn like a
  removed annex, in the same transaction);
- a candidate presenting one block (``Dossier.target_block``) hands in only the
  deliverables of that block's épreuves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from core.auth.models import User
from core.certifications.descriptor import Certification, Deliverable
from core.dossiers.models import Annex, Dossier, ScanState
from core.dossiers.sections import DELIVERABLES, Problem
from core.errors import Conflict, NotFound

ROLE = "deliverable"
BLOCKED = (ScanState.INFECTED, ScanState.ERROR)


def _cert(dossier: Dossier, cert: Certification | None) -> Certification:
    if cert is not None:
        return cert
    from core.certifications.services import get_certification

    return get_certification(dossier.certification_code)


def _block_evaluations(dossier: Dossier, cert: Certification) -> set[str] | None:
    """The épreuves of the one block the candidate presents, or ``None`` (the whole certification)."""
    block = getattr(dossier, "target_block", None)
    if not block:
        return None
    oral = cert.scheme.block_oral(block) if cert.scheme else None
    codes = {code for part in (oral.parts if oral else ()) for code in part.evaluations}
    found = next((b for b in cert.blocks if b.code == block), None)
    codes |= set(found.evaluations if found else ())
    return codes or None


def expected(dossier: Dossier, cert: Certification | None = None) -> tuple[Deliverable, ...]:
    """The deliverables the dossier's route asks for (only those of its block's épreuves for one block)."""
    from core.dossiers.routes import route_of

    cert = _cert(dossier, cert)
    items = route_of(dossier, cert).deliverables
    only = _block_evaluations(dossier, cert)
    if only is not None:
        items = tuple(d for d in items if not d.evaluations or set(d.evaluations) & only)
    return items


def require_expected(dossier: Dossier, cert: Certification | None = None) -> tuple[Deliverable, ...]:
    """:func:`expected`, or 409 ``no_deliverables`` when the route asks for none (the dossier exists and may
    be acted on: its route simply has nothing of the kind)."""
    items = expected(dossier, cert)
    if not items:
        raise Conflict(_("Ce dossier n'a pas de livrable à déposer : sa voie d'accès n'en prévoit pas."),
                       code="no_deliverables")
    return items


def deliverable_of(dossier: Dossier, code: str, cert: Certification | None = None) -> Deliverable:
    """The expected deliverable ``code``; 404 ``deliverable_not_found`` naming the codes offered."""
    items = require_expected(dossier, cert)
    found = next((d for d in items if d.code == code), None)
    if found is None:
        offered = [d.code for d in items]
        raise NotFound(_("Ce dossier n'attend pas de livrable « %(code)s ». Livrables attendus : %(list)s.",
                         code=str(code)[:40], list=", ".join(offered)),
                       code="deliverable_not_found", details={"offered": offered})
    return found


def current_files(dossier: Dossier) -> dict[str, Annex]:
    """The active file of each deliverable code (the latest number when several are active)."""
    files: dict[str, Annex] = {}
    for annex in sorted(dossier.annexes, key=lambda a: a.number):
        if annex.removed_at is None and annex.role == ROLE and annex.deliverable:
            files[annex.deliverable] = annex
    return files


def usable(annex: Annex | None) -> bool:
    """A file that counts for completeness: present and not refused nor waiting for the antivirus
    (the rule of the annexes: ``not_scanned`` counts while the platform runs without antivirus)."""
    return annex is not None and annex.scan_state not in BLOCKED and annex.scan_state is not ScanState.PENDING


# ---------------------------------------------------------------------------
# Checks of an upload
# ---------------------------------------------------------------------------

def _noun(deliverable: Deliverable) -> str:
    """« rapport », « documentation » or « livrable », from the deliverable's title."""
    first = (deliverable.title.split() or [""])[0].lower()
    return first if first in ("rapport", "documentation") else "livrable"


def _range(deliverable: Deliverable) -> str:
    low, high = deliverable.min_pages, deliverable.max_pages
    if low and high and low != high:
        return _("de %(min)d à %(max)d pages", min=low, max=high)
    if low and high:
        return _("%(n)d pages", n=low)
    if low:
        return _("au moins %(n)d pages", n=low)
    return _("au plus %(n)d pages", n=high)


def pages_refusal(deliverable: Deliverable, pages: int) -> str | None:
    """Why ``pages`` is outside the deliverable's range (the rule quoted), or ``None``.

    « Le rapport E2 doit compter de 15 à 20 pages ; le vôtre en compte 9 (règle : E2 : Présentation
    orale (15 min) - Livrable: Rapport 15-20p). »"""
    low, high = deliverable.min_pages, deliverable.max_pages
    if (not low or pages >= low) and (not high or pages <= high):
        return None
    values = {"code": deliverable.code, "range": _range(deliverable), "n": pages}
    noun = _noun(deliverable)
    if noun == "rapport":
        text = _("Le rapport %(code)s doit compter %(range)s ; le vôtre en compte %(n)d", **values)
    elif noun == "documentation":
        text = _("La documentation %(code)s doit compter %(range)s ; la vôtre en compte %(n)d", **values)
    else:
        text = _("Le livrable %(code)s doit compter %(range)s ; le vôtre en compte %(n)d", **values)
    if deliverable.rule:
        text += " " + _("(règle : %(rule)s)", rule=deliverable.rule)
    return text + "."


def check_staged(deliverable: Deliverable, staged) -> int:
    """The page count of a checked upload; :class:`storage.safety.UploadRefused` when it is not a PDF or
    its page count is outside the range (nothing has been stored yet: the caller's staging is discarded)."""
    from core.annexes.services import _page_count
    from storage.safety import UploadRefused

    if staged.file_type.key != "pdf":
        raise UploadRefused("type_not_allowed", _(
            "Le livrable %(code)s doit être un fichier PDF (« %(f)s » est un fichier %(t)s).",
            code=deliverable.code, f=staged.filename, t=staged.file_type.label), expected="pdf")
    pages = _page_count(staged)
    if pages is None:
        raise UploadRefused("page_count_unreadable", _(
            "Le nombre de pages de « %(f)s » n'a pas pu être lu : enregistrez à nouveau le document en PDF.",
            f=staged.filename))
    refusal = pages_refusal(deliverable, pages)
    if refusal:
        raise UploadRefused("page_count", refusal, pages=pages, min_pages=deliverable.min_pages,
                            max_pages=deliverable.max_pages, rule=deliverable.rule or None)
    return pages


# ---------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------

def store_deliverable(dossier: Dossier, deliverable: Deliverable, staged, *, user: User,
                      declared_type: str | None = None) -> Annex:
    """Check a staged upload against ``deliverable`` and store it as that deliverable's file, replacing
    the previous one. Raises :class:`storage.safety.UploadRefused` (nothing kept)."""
    from core.annexes.services import store_annex

    check_staged(deliverable, staged)
    return store_annex(dossier, staged, user=user, title=deliverable.title, deliverable=deliverable.code,
                       declared_type=declared_type)


def add_deliverable(dossier: Dossier, code: str, *, user: User, stream, filename: str | None,
                    declared_type: str | None = None, declared_length: int | None = None) -> Annex:
    """Check, store and commit the file of deliverable ``code`` (``stream``: a binary file or chunks).

    Raises ``NotFound`` (not the owner, no such deliverable), ``Conflict`` (dossier locked),
    :class:`storage.safety.UploadRefused` (type, size, page count...)."""
    from core.annexes.services import require_editable, stage_annex

    require_editable(dossier, user)
    deliverable = deliverable_of(dossier, code)
    with stage_annex(dossier, user=user, stream=stream, filename=filename, declared_length=declared_length) as staged:
        return store_deliverable(dossier, deliverable, staged, user=user, declared_type=declared_type)


# ---------------------------------------------------------------------------
# Completeness, rows of the page, API
# ---------------------------------------------------------------------------

@dataclass
class DeliverableRow:
    deliverable: Deliverable
    annex: Annex | None

    @property
    def complete(self) -> bool:
        return usable(self.annex)


def rows(dossier: Dossier, cert: Certification | None = None) -> list[DeliverableRow]:
    files = current_files(dossier)
    return [DeliverableRow(d, files.get(d.code)) for d in expected(dossier, cert)]


def state_of(dossier: Dossier, cert: Certification | None = None) -> str:
    """``complete`` when every expected deliverable has a usable file, ``empty`` when none has a file."""
    found = rows(dossier, cert)
    if all(r.complete for r in found):
        return "complete"
    return "in_progress" if any(r.annex is not None for r in found) else "empty"


def problems_of(dossier: Dossier, cert: Certification | None = None, section: str | None = None) -> list[Problem]:
    """One problem per expected deliverable without a usable file, pointing at the section ``section``."""
    if section is None:
        from core.dossiers.services import sections_for

        section = next((s.key for s in sections_for(_cert(dossier, cert), dossier) if s.kind == DELIVERABLES), None)
    found = []
    for row in rows(dossier, cert):
        d, annex = row.deliverable, row.annex
        if annex is None:
            found.append(Problem(_("Déposez le livrable %(code)s : %(title)s", code=d.code, title=d.title), section,
                                 field=f"livrable-{d.code}", code="deliverable_missing"))
        elif annex.scan_state in BLOCKED:
            found.append(Problem(_("Le livrable %(code)s (« %(f)s ») a été refusé par l'antivirus : déposez un autre "
                                   "fichier.", code=d.code, f=annex.filename), section,
                                 field=f"livrable-{d.code}", code="deliverable_infected"))
        elif annex.scan_state is ScanState.PENDING:
            found.append(Problem(_("Le livrable %(code)s (« %(f)s ») est en cours d'analyse antivirus.",
                                   code=d.code, f=annex.filename), section,
                                 field=f"livrable-{d.code}", code="deliverable_pending"))
    return found


def file_detail(annex: Annex | None) -> dict[str, Any] | None:
    if annex is None:
        return None
    return {"number": annex.number, "filename": annex.filename, "pages": annex.pages, "size": annex.size,
            "sha256": annex.sha256, "scan_state": annex.scan_state.value}


def detail(dossier: Dossier, cert: Certification | None = None) -> list[dict[str, Any]]:
    """The deliverables of the dossier for the API (:class:`core.annexes.schemas.DossierDeliverableSchema`)."""
    return [entry(row) for row in rows(dossier, cert)]


def entry(row: DeliverableRow) -> dict[str, Any]:
    d = row.deliverable
    return {"code": d.code, "title": d.title, "evaluations": list(d.evaluations), "min_pages": d.min_pages,
            "max_pages": d.max_pages, "rule": d.rule, "complete": row.complete, "file": file_detail(row.annex)}
