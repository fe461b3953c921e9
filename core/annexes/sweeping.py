"""Orphan sweep of annex objects: which stored keys must be kept, and the sweep itself."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.annexes.settings import get_storage, staging_dir
from core.audit.services import record
from core.dossiers.models import Annex, DossierVersion, ScanState
from core.extensions import db


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
