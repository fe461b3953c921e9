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

The work is split by responsibility, every name re-exported here: :mod:`core.annexes.settings` (storage,
scanner, policy, quota), :mod:`core.annexes.reading` (list, fetch, labels, download),
:mod:`core.annexes.scanning` (antivirus job, rescans) and :mod:`core.annexes.sweeping` (orphan sweep); the
checks, the upload and the edits are here.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from core.annexes.reading import (
    SCAN_LABELS, Download, _in_a_version, _manifest_names, download_refusal, download_response, downloadable,
    get_annex, list_annexes, open_annex_for_download, scan_label)
from core.annexes.scanning import _remove_infected_object, rescan, rescan_stale, scan_annex
from core.annexes.settings import (
    _state, antivirus_configured, dossier_quota, get_scanner, get_storage, staging_dir, upload_policy, usage_of)
from core.annexes.sweeping import known_keys, sweep
from core.audit.services import record
from core.auth.models import User, utcnow
from core.certifications.services import get_certification
from core.dossiers.models import Annex, AnnexCompetency, Dossier, DossierStatus, ScanState
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.operations.metrics import counted_upload

log = logging.getLogger(__name__)

# Jobs are queued under this module's names (``core.annexes.services.scan_annex``): keep them re-exported.
__all__ = [
    "ROLES", "TITLE_MAX", "NUMBER_RETRIES",
    "_state", "get_storage", "get_scanner", "antivirus_configured", "upload_policy", "staging_dir",
    "dossier_quota", "usage_of",
    "SCAN_LABELS", "list_annexes", "get_annex", "scan_label", "downloadable", "download_refusal",
    "require_editable", "parse_competencies", "check_metadata",
    "stage_annex", "_page_count", "_lock_dossier", "store_annex", "_withdraw_deliverable", "add_annex",
    "scan_annex", "_remove_infected_object", "rescan", "rescan_stale",
    "update_annex", "remove_annex",
    "_in_a_version", "_manifest_names", "Download", "open_annex_for_download", "download_response",
    "known_keys", "sweep",
]

ROLES = {"evidence": _l("Pièce justificative"), "cv": _l("Curriculum vitae")}
TITLE_MAX = 200
NUMBER_RETRIES = 5


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

