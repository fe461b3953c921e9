"""Evidence annexes: add (checked, stored, then committed), edit, remove, scan, download, sweep.

Order of an upload (:func:`add_annex` = :func:`stage_annex` then :func:`store_annex`):

1. the dossier must be editable and the user its owner;
2. :func:`storage.safety.receive_upload` streams the file to a private staging
   file, stopping at the per-file limit or the dossier's remaining quota, and
   checks it (type sniffed and matched with the extension, PDF active content,
   archives, office containers) — a refusal leaves nothing behind;
3. the object is stored under ``new_key("annexes", id)`` (never a user file
   name): the bytes were already sent while they arrived (an unfinished upload,
   aborted on a refusal), it is completed now with its SHA-256 checked;
4. the row is committed with the next number of the dossier, under a lock of the
   dossier row and the unique constraint ``(dossier_id, number)`` (retried on a
   conflict); if the commit fails the object is deleted at once (the orphan sweep
   would remove it later anyway);
5. the antivirus scan runs through the job queue (:func:`scan_annex`, inline by
   default): the row starts ``pending`` when clamd is configured, ``not_scanned``
   when it is not; clamd down keeps it ``pending`` (never ``clean``) until
   ``livret annexes rescan``.

An infected file is not kept: once the row says ``infected`` its object is deleted
(:func:`scan_annex`; the sweep deletes it if the storage could not at once).

Download rule: an annex is sent only when its scan state is ``clean``, or
``not_scanned`` while the platform runs without antivirus (``CLAMD_ADDRESS``
unset: the operator's explicit choice, shown as "non analysé" on the pages).
Once an antivirus is configured, ``not_scanned`` annexes are blocked until
``livret annexes rescan`` has scanned them.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.services import get_certification
from core.dossiers.models import Annex, AnnexCompetency, Dossier, DossierStatus, DossierVersion, ScanState
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.operations.metrics import counted_scan, counted_upload

log = logging.getLogger(__name__)

ROLES = {"evidence": _l("Pièce justificative"), "cv": _l("Curriculum vitae")}
TITLE_MAX = 200
NUMBER_RETRIES = 5

SCAN_LABELS = {
    ScanState.CLEAN: _l("Analysé : aucun virus"),
    ScanState.PENDING: _l("Analyse antivirus en attente"),
    ScanState.INFECTED: _l("Virus détecté : fichier bloqué"),
    ScanState.ERROR: _l("Analyse impossible : fichier bloqué"),
    ScanState.NOT_SCANNED: _l("Non analysé (pas d'antivirus configuré)"),
}


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

def _state():
    return current_app.extensions["livret"]


def get_storage():
    return _state().storage


def get_scanner():
    from storage import scanner_from_settings

    return scanner_from_settings(current_app.config)


def antivirus_configured() -> bool:
    """clamd is set (``CLAMD_ADDRESS``) and scanning is not switched off (``UPLOAD_SCAN``)."""
    return bool((current_app.config.get("CLAMD_ADDRESS") or "").strip()) and bool(
        current_app.config.get("UPLOAD_SCAN", True))


def upload_policy():
    from storage import policy_from_settings

    return policy_from_settings(current_app.config)


def staging_dir() -> str:
    """Where uploads wait while they are checked (``<instance>/upload-staging``)."""
    return os.path.join(current_app.instance_path, "upload-staging")


def dossier_quota() -> int:
    return int(current_app.config["UPLOAD_DOSSIER_QUOTA"])


def usage_of(dossier_id: int) -> int:
    """Bytes used by the dossier's active annexes (removed ones no longer count)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Annex.size), 0)).where(
        Annex.dossier_id == dossier_id, Annex.removed_at.is_(None))) or 0)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Checks on what the candidate typed
# ---------------------------------------------------------------------------

def require_editable(dossier: Dossier, user: User) -> None:
    if dossier.candidate_id != user.id:
        raise NotFound(code="dossier_not_found")
    if not dossier.editable:
        raise Conflict(_("Ce dossier a été déposé : ses annexes ne peuvent plus être modifiées (statut : %(s)s).",
                         s=dossier.status.label), code="dossier_locked")


def parse_competencies(values: Iterable[str] | str | None) -> list[str]:
    """Codes from repeated values and/or comma-separated lists, trimmed, without duplicates."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    codes: list[str] = []
    for value in values:
        for code in str(value).split(","):
            code = code.strip()
            if code and code not in codes:
                codes.append(code)
    return codes


def check_metadata(dossier: Dossier, *, title: str | None, role: str | None = "evidence",
                   competencies: Iterable[str] | None = None, title_required: bool = False) -> dict[str, Any]:
    """Validate the title, role and competency codes; raise ValidationFailed with errors per field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if title is not None:
        title = " ".join(str(title).split())
        if len(title) > TITLE_MAX:
            errors["title"] = [_("Le titre ne doit pas dépasser %(n)d caractères.", n=TITLE_MAX)]
        elif not title and title_required:
            errors["title"] = [_("Donnez un titre à l'annexe.")]
        clean["title"] = title or None
    if role is not None:
        if role not in ROLES:
            errors["role"] = [_("Rôle inconnu. Valeurs possibles : %(v)s.", v=", ".join(ROLES))]
        clean["role"] = role
    if competencies is not None:
        codes = parse_competencies(competencies)
        cert = get_certification(dossier.certification_code)
        known = {c.code for c in cert.competencies}
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors["competencies"] = [_("Compétence inconnue pour cette certification : %(codes)s.",
                                        codes=", ".join(unknown))]
        clean["competencies"] = codes
    if errors:
        raise ValidationFailed(details=errors)
    return clean


# ---------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------

def stage_annex(dossier: Dossier, *, user: User, stream, filename: str | None, declared_length: int | None = None):
    """Receive and check one file for ``dossier``: a :class:`storage.safety.StagedUpload` (a context manager).

    Raises :class:`storage.safety.UploadRefused` (French message, stable code);
    nothing is kept then.
    """
    from storage import new_key
    from storage.safety import receive_upload

    require_editable(dossier, user)
    # The bytes also go to the backend as they arrive (an unfinished upload, not an object):
    # store_annex completes it once the checks passed; a refusal aborts it.
    return receive_upload(stream, filename=filename or "", policy=upload_policy(),
                          current_usage=usage_of(dossier.id), quota=dossier_quota(),
                          scanner=None,  # the antivirus runs on the stored object, through the job queue
                          staging_dir=staging_dir(), declared_length=declared_length,
                          storage=get_storage(), key=new_key("annexes", dossier.id))


def _page_count(staged) -> int | None:
    if staged.file_type.key == "pdf":
        import pikepdf

        try:
            with pikepdf.open(staged.path) as pdf:
                return len(pdf.pages)
        except Exception:  # noqa: BLE001 - already parsed by the checks; a count is only informative
            return None
    if staged.file_type.key in ("png", "jpeg"):
        return 1
    return None


def _lock_dossier(dossier_id: int) -> None:
    """Serialise the numbering and the quota check of one dossier (PostgreSQL row lock; SQLite locks on write),
    and check again that it is still editable (it may have been submitted while the file was uploading)."""
    status = db.session.scalar(select(Dossier.status).where(Dossier.id == dossier_id).with_for_update())
    if status not in (DossierStatus.DRAFT, DossierStatus.CORRECTIONS_REQUESTED):
        raise Conflict(_("Ce dossier a été déposé : ses annexes ne peuvent plus être modifiées."),
                       code="dossier_locked")


@counted_upload
def store_annex(dossier: Dossier, staged, *, user: User, title: str | None = None, role: str = "evidence",
                competencies: Iterable[str] = (), declared_type: str | None = None,
                deliverable: str | None = None) -> Annex:
    """Store a staged upload and commit its row; returns the committed annex.

    On any failure after the object was written, the session is rolled back and
    the object deleted: a refused or failed upload leaves no row and no object.

    ``deliverable``: the code of a route's deliverable (checked by :mod:`core.annexes.deliverables`): the
    annex gets the role ``deliverable`` and, in the same transaction, replaces (withdraws) the active file
    of that code.
    """
    from storage import new_key
    from storage.safety import check_quota

    meta = check_metadata(dossier, title=title, role=None if deliverable else role, competencies=list(competencies))
    if deliverable:
        meta["role"] = "deliverable"
    dossier_id, user_id = dossier.id, user.id
    pages = _page_count(staged)
    storage = get_storage()
    key = getattr(staged, "key", None) or new_key("annexes", dossier_id)
    stored = staged.store(storage, key)
    try:
        for attempt in range(NUMBER_RETRIES):
            try:
                _lock_dossier(dossier_id)
                replaced = _withdraw_deliverable(dossier_id, deliverable) if deliverable else []
                # Checked again under the lock: two uploads in parallel cannot both use the last bytes.
                check_quota(usage_of(dossier_id), stored.size, dossier_quota())
                number = (db.session.scalar(select(func.max(Annex.number)).where(Annex.dossier_id == dossier_id))
                          or 0) + 1
                annex = Annex(
                    dossier_id=dossier_id, number=number, title=(meta.get("title") or staged.filename)[:TITLE_MAX],
                    role=meta["role"], filename=staged.filename, media_type=stored.content_type,
                    size=stored.size, sha256=stored.sha256, storage_key=stored.key, pages=pages,
                    scan_state=ScanState.PENDING if antivirus_configured() else ScanState.NOT_SCANNED,
                    uploaded_by_id=user_id, deliverable=deliverable or None)
                annex.competencies = [AnnexCompetency(competency_code=c) for c in meta["competencies"]]
                db.session.add(annex)
                db.session.flush()
                record("annex.uploaded", "annex", annex.id, actor_id=user_id, payload={
                    "dossier": dossier_id, "number": number, "sha256": stored.sha256, "size": stored.size,
                    "media_type": stored.content_type, "filename": staged.filename, "storage_key": stored.key,
                    "declared_type": declared_type or None,
                    **({"deliverable": deliverable, "pages": pages} if deliverable else {})})
                for old in replaced:
                    record("annex.removed", "annex", old.id, actor_id=user_id, payload={
                        "dossier": dossier_id, "number": old.number, "sha256": old.sha256,
                        "deliverable": deliverable, "replaced_by": number})
                db.session.commit()
                break
            except DBIntegrityError:
                db.session.rollback()  # another upload took the number: try again with the next one
                if attempt == NUMBER_RETRIES - 1:
                    raise
    except BaseException as exc:
        db.session.rollback()
        try:
            storage.delete(stored.key)
        except Exception:  # noqa: BLE001 - the orphan sweep removes it later
            log.exception("could not delete %s after a failed commit", stored.key)
        if isinstance(exc, DBIntegrityError):
            raise Conflict(_("L'annexe n'a pas pu être enregistrée (envois simultanés). Réessayez."),
                           code="annex_conflict") from exc
        raise
    annex_id = annex.id
    _state().jobs.enqueue("core.annexes.services.scan_annex", annex_id=annex_id)
    return db.session.get(Annex, annex_id)


def _withdraw_deliverable(dossier_id: int, code: str) -> list[Annex]:
    """Withdraw the active files of deliverable ``code`` (a new file replaces them); the objects stay, as
    for :func:`remove_annex`, until the sweep finds that no submitted version lists them."""
    found = list(db.session.scalars(select(Annex).where(
        Annex.dossier_id == dossier_id, Annex.deliverable == code, Annex.removed_at.is_(None))))
    for old in found:
        old.removed_at = utcnow()
    db.session.flush()
    return found


def add_annex(dossier: Dossier, *, user: User, stream, filename: str | None, declared_type: str | None = None,
              title: str | None = None, role: str = "evidence", competencies: Iterable[str] = (),
              declared_length: int | None = None) -> Annex:
    """Check, store and commit one uploaded file (``stream``: a binary file or an iterable of chunks).

    Raises :class:`storage.safety.UploadRefused`, ``ValidationFailed`` (title,
    role, competencies), ``Conflict`` (dossier locked), ``NotFound`` (not the owner).
    """
    require_editable(dossier, user)
    check_metadata(dossier, title=title, role=role, competencies=list(competencies))  # before reading the file
    with stage_annex(dossier, user=user, stream=stream, filename=filename, declared_length=declared_length) as staged:
        return store_annex(dossier, staged, user=user, title=title, role=role, competencies=competencies,
                           declared_type=declared_type)


# ---------------------------------------------------------------------------
# Antivirus
# ---------------------------------------------------------------------------

@counted_scan
def scan_annex(annex_id: int) -> str | None:
    """Job: scan the stored object with clamd and record the state (never ``clean`` unless clamd said so)."""
    from storage.scanner import ScanState as StorageScanState

    annex = db.session.get(Annex, annex_id)
    if annex is None:
        return None
    if not antivirus_configured():
        if annex.scan_state is ScanState.PENDING:
            annex.scan_state = ScanState.NOT_SCANNED
            db.session.commit()
        return annex.scan_state.value
    scanner = get_scanner()
    try:
        with get_storage().open(annex.storage_key) as reader:
            result = scanner.scan_stream(iter(reader))
        state, signature = ScanState(result.state.value), result.signature
    except Exception as exc:  # noqa: BLE001 - storage unreachable: stays pending, rescan later
        log.warning("scan of annex %s postponed: %s", annex_id, exc)
        state, signature = ScanState.PENDING, None
        result = None
    previous = annex.scan_state
    annex.scan_state = state
    annex.scan_signature = signature
    if state is not previous or state is not ScanState.PENDING:
        record("annex.scanned", "annex", annex.id, actor_id=None,
               outcome="success" if state is ScanState.CLEAN else "refused" if state is ScanState.INFECTED
               else "pending" if state is ScanState.PENDING else "error",
               payload={"state": state.value, "previous": previous.value, "signature": signature,
                        "detail": getattr(result, "detail", None)})
    db.session.commit()
    if result is not None and result.state is StorageScanState.INFECTED:
        log.warning("annex %s is infected (%s): download blocked, object removed", annex_id, signature)
        _remove_infected_object(annex)
    return state.value


def _remove_infected_object(annex: Annex) -> None:
    """An infected file is not kept: its object is deleted once the row says ``infected`` (committed, so
    that it is never downloadable meanwhile). The row stays, with the signature, to tell the candidate. If
    the storage cannot delete it now, the orphan sweep does (:func:`known_keys` never keeps infected ones)."""
    try:
        deleted = get_storage().delete(annex.storage_key)
    except Exception:  # noqa: BLE001 - storage unreachable: the sweep removes it later
        log.exception("could not delete the infected object of annex %s; the sweep will", annex.id)
        return
    record("annex.infected_deleted", "annex", annex.id, actor_id=None, outcome="success",
           payload={"dossier": annex.dossier_id, "number": annex.number, "sha256": annex.sha256,
                    "signature": annex.scan_signature, "deleted": bool(deleted)})
    db.session.commit()


def rescan(states: Iterable[ScanState] = (ScanState.PENDING,)) -> list[tuple[int, str]]:
    """Queue a scan of every active annex in ``states``; returns (annex id, state after an inline run)."""
    ids = list(db.session.scalars(select(Annex.id).where(Annex.scan_state.in_(list(states)),
                                                          Annex.removed_at.is_(None)).order_by(Annex.id)))
    done = []
    for annex_id in ids:
        _state().jobs.enqueue("core.annexes.services.scan_annex", annex_id=annex_id)
        annex = db.session.get(Annex, annex_id)
        db.session.refresh(annex)
        done.append((annex_id, annex.scan_state.value))
    return done


def rescan_stale(now=None) -> int:
    """The scheduler's task: queue again the scan of every annex still « en attente » 10 minutes after its
    upload (clamd or the storage was down when its scan ran; ``livret annexes rescan`` does it at once).
    Returns how many were queued; nothing without an antivirus."""
    from datetime import timedelta

    from core.auth.models import utcnow

    if not antivirus_configured():
        return 0
    cutoff = (now or utcnow()) - timedelta(minutes=10)
    ids = list(db.session.scalars(select(Annex.id).where(
        Annex.scan_state == ScanState.PENDING, Annex.removed_at.is_(None), Annex.created_at < cutoff)))
    for annex_id in ids:
        _state().jobs.enqueue("core.annexes.services.scan_annex", annex_id=annex_id)
    return len(ids)


# ---------------------------------------------------------------------------
# Edit, remove
# ---------------------------------------------------------------------------

def update_annex(dossier: Dossier, number: int, *, user: User, title: str | None = None,
                 competencies: Iterable[str] | None = None) -> Annex:
    """Change the title and/or the competencies (codes checked against the certification). Caller commits."""
    require_editable(dossier, user)
    annex = get_annex(dossier, number)
    meta = check_metadata(dossier, title=title, role=None,
                          competencies=None if competencies is None else list(competencies),
                          title_required=True)
    changes: dict[str, Any] = {}
    if title is not None and meta["title"] != annex.title:
        changes["title"] = [annex.title, meta["title"]]
        annex.title = meta["title"]
    if competencies is not None and meta["competencies"] != annex.competency_codes:
        changes["competencies"] = [annex.competency_codes, meta["competencies"]]
        annex.competencies = [AnnexCompetency(competency_code=c) for c in meta["competencies"]]
    if changes:
        db.session.flush()
        record("annex.updated", "annex", annex.id, actor_id=user.id,
               payload={"dossier": dossier.id, "number": annex.number, "changes": changes})
    return annex


def remove_annex(dossier: Dossier, number: int, *, user: User) -> Annex:
    """Withdraw an annex from the working copy. Caller commits.

    The object is not deleted here: the orphan sweep removes it once no row
    needs it (never while a submitted version's manifest lists it).
    """
    require_editable(dossier, user)
    annex = get_annex(dossier, number)
    annex.removed_at = utcnow()
    db.session.flush()
    record("annex.removed", "annex", annex.id, actor_id=user.id,
           payload={"dossier": dossier.id, "number": annex.number, "sha256": annex.sha256})
    return annex


# ---------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Orphan sweep
# ---------------------------------------------------------------------------

def known_keys(batch: list[str]) -> set[str]:
    """The keys in ``batch`` that must be kept: every active annex, and any annex
    (removed or not) that a submitted version's manifest lists — except infected ones."""
    if not batch:
        return set()
    rows = db.session.execute(select(Annex.id, Annex.storage_key, Annex.removed_at, Annex.dossier_id)
                              .where(Annex.storage_key.in_(batch),
                                     Annex.scan_state != ScanState.INFECTED)).all()  # never kept, see scan_annex
    keep = {r.storage_key for r in rows if r.removed_at is None}
    removed = [r for r in rows if r.removed_at is not None]
    if removed:
        dossier_ids = {r.dossier_id for r in removed}
        listed_ids: set[int] = set()
        listed_keys: set[str] = set()
        for manifest in db.session.scalars(select(DossierVersion.manifest)
                                           .where(DossierVersion.dossier_id.in_(dossier_ids))):
            for entry in manifest or []:
                if isinstance(entry, dict):
                    if entry.get("annex_id") is not None:
                        listed_ids.add(entry["annex_id"])
                    if entry.get("storage_key"):
                        listed_keys.add(entry["storage_key"])
        keep |= {r.storage_key for r in removed if r.id in listed_ids or r.storage_key in listed_keys}
    return keep


def sweep(older_than: timedelta, *, dry_run: bool = False, now=None):
    """Remove annex objects older than ``older_than`` that no row needs; purge stale staged uploads.

    Only the ``annexes/`` prefix is swept: other areas (sealed documents) keep their own objects.
    """
    from storage.sweep import purge_staging, sweep_orphans

    report = sweep_orphans(get_storage(), known_keys, older_than, prefix="annexes/", dry_run=dry_run, now=now)
    staged = [] if dry_run else purge_staging(staging_dir(), older_than)
    if not dry_run:
        record("storage.swept", "storage", "annexes", actor_id=None,
               payload={"removed": len(report.removed), "examined": report.examined,
                        "staging_removed": len(staged)})
        db.session.commit()
    return report, staged
