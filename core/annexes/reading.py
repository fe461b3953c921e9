"""Reading annexes: list and fetch, scan-state labels, and the download rule (refusal, audited stream).

An annex is sent only when its scan state is ``clean``, or ``not_scanned`` while
the platform runs without antivirus (see :mod:`core.annexes.services`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.annexes.settings import antivirus_configured, get_storage
from core.audit.services import record
from core.auth.models import User
from core.dossiers.models import Annex, Dossier, DossierVersion, ScanState
from core.errors import Conflict, NotFound
from core.extensions import db

SCAN_LABELS = {
    ScanState.CLEAN: _l("Analysé : aucun virus"),
    ScanState.PENDING: _l("Analyse antivirus en attente"),
    ScanState.INFECTED: _l("Virus détecté : fichier bloqué"),
    ScanState.ERROR: _l("Analyse impossible : fichier bloqué"),
    ScanState.NOT_SCANNED: _l("Non analysé (pas d'antivirus configuré)"),
}


def list_annexes(dossier: Dossier, *, include_removed: bool = False) -> list[Annex]:
    query = select(Annex).where(Annex.dossier_id == dossier.id)
    if not include_removed:
        query = query.where(Annex.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(Annex.number)))


def get_annex(dossier: Dossier, number: int, *, include_removed: bool = False) -> Annex:
    annex = db.session.scalar(select(Annex).where(Annex.dossier_id == dossier.id, Annex.number == number))
    if annex is None or (annex.removed_at is not None and not include_removed):
        raise NotFound(_("Cette annexe n'existe pas."), code="annex_not_found")
    return annex


def scan_label(annex: Annex) -> str:
    return str(SCAN_LABELS.get(annex.scan_state, annex.scan_state.value))


def downloadable(annex: Annex) -> bool:
    if annex.scan_state is ScanState.CLEAN:
        return True
    return annex.scan_state is ScanState.NOT_SCANNED and not antivirus_configured()


def download_refusal(annex: Annex) -> str | None:
    """The French reason why ``annex`` cannot be downloaded, or ``None``."""
    if downloadable(annex):
        return None
    return {
        ScanState.PENDING: _("L'annexe n° %(n)d n'a pas encore été analysée par l'antivirus : elle ne peut pas "
                             "être téléchargée pour le moment. Réessayez plus tard.", n=annex.number),
        ScanState.INFECTED: _("L'annexe n° %(n)d contient un virus (%(s)s) : elle ne peut pas être téléchargée.",
                              n=annex.number, s=annex.scan_signature or "?"),
        ScanState.ERROR: _("L'annexe n° %(n)d n'a pas pu être analysée par l'antivirus : elle ne peut pas être "
                           "téléchargée. L'équipe technique doit l'examiner.", n=annex.number),
        ScanState.NOT_SCANNED: _("L'annexe n° %(n)d n'a pas encore été analysée par l'antivirus : elle ne peut "
                                 "pas être téléchargée pour le moment.", n=annex.number),
    }[annex.scan_state]


def _in_a_version(annex: Annex) -> bool:
    manifests = db.session.scalars(select(DossierVersion.manifest).where(
        DossierVersion.dossier_id == annex.dossier_id))
    return any(_manifest_names(m, annex) for m in manifests)


def _manifest_names(manifest: Any, annex: Annex) -> bool:
    for entry in manifest or []:
        if isinstance(entry, dict) and (entry.get("annex_id") == annex.id
                                        or entry.get("storage_key") == annex.storage_key):
            return True
    return False


@dataclass
class Download:
    """An annex about to be sent: :meth:`open` opens its stored object, :meth:`audit` records (and commits)
    the download. Neither runs for a ``304 Not Modified`` (see :mod:`core.downloads`)."""

    annex: Annex
    actor_id: int
    dossier_id: int

    def open(self):
        return get_storage().open(self.annex.storage_key)

    def audit(self) -> None:
        record("annex.downloaded", "annex", self.annex.id, actor_id=self.actor_id,
               payload={"dossier": self.dossier_id, "number": self.annex.number, "sha256": self.annex.sha256})
        db.session.commit()


def open_annex_for_download(user: User, dossier: Dossier, number: int) -> Download:
    """The annex ``user`` (who already passed ``get_dossier_for``) is about to download.

    A removed annex stays downloadable only while a submitted version lists it.
    Refused (409, French message, audited) when the scan state does not allow it.
    The stored object is opened, and the download audited (committed before
    any byte is sent), by :func:`download_response`.
    """
    annex = get_annex(dossier, number, include_removed=True)
    if annex.removed_at is not None and not _in_a_version(annex):
        raise NotFound(_("Cette annexe n'existe pas."), code="annex_not_found")
    refusal = download_refusal(annex)
    if refusal:
        record("annex.download_refused", "annex", annex.id, actor_id=user.id, outcome="refused",
               payload={"dossier": dossier.id, "number": annex.number, "scan_state": annex.scan_state.value})
        db.session.commit()
        raise Conflict(refusal, code="annex_not_downloadable", details={"scan_state": annex.scan_state.value})
    return Download(annex=annex, actor_id=user.id, dossier_id=dossier.id)


def download_response(download: Download):
    """The annex as a streamed attachment, hashed as it streams (see :func:`core.downloads.attachment_response`)."""
    from core.downloads import STREAM, attachment_response

    return attachment_response(download.open, filename=download.annex.filename,
                               media_type=download.annex.media_type, size=download.annex.size,
                               sha256=download.annex.sha256, verify=STREAM, before_send=download.audit)
