"""Orphan sweep: remove stored objects that no database row references.

Why it is safe with uploads in flight: an upload writes its object, then commits
the row that references it, a short time later. The sweep takes ``cutoff =
now - older_than`` *before* asking the database, and only considers objects last
modified before the cutoff. An object older than the cutoff whose row was not
committed when the database was asked has been unreferenced for longer than the
grace period — so ``older_than`` must exceed the longest upload-to-commit delay
(plus the clock skew between the application and an S3 server). One hour or
more is a sensible grace period.

The sweep only deletes; replacing a document is the caller's business: commit
the row pointing at the new object first, and the old object becomes an orphan
that a later sweep removes — nothing is deleted before its replacement is committed.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Collection

from .base import STAGING_PREFIX, Storage

BATCH = 500


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)
    examined: int = 0
    kept_recent: int = 0
    kept_referenced: int = 0
    temporaries_removed: list[str] = field(default_factory=list)
    dry_run: bool = False


def sweep_orphans(
    storage: Storage,
    known_keys: Callable[[list[str]], Collection[str]],
    older_than: timedelta,
    *,
    prefix: str = "",
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH,
) -> SweepReport:
    """Remove objects under ``prefix`` older than ``older_than`` that no row references.

    ``known_keys(candidates)`` receives a batch of keys (at most ``batch_size``)
    and returns those the database references, e.g. ``SELECT key FROM annex
    WHERE key IN (...)``. If it raises, the sweep stops and nothing more is
    removed. Returns a :class:`SweepReport` listing the removed keys.
    """
    if older_than <= timedelta(0):
        raise ValueError("the grace period must be positive")
    cutoff = (now or datetime.now(timezone.utc)) - older_than
    report = SweepReport(dry_run=dry_run)

    def flush(batch: list[str]) -> None:
        referenced = set(known_keys(list(batch)))
        for key in batch:
            if key in referenced:
                report.kept_referenced += 1
                continue
            if not dry_run:
                # Check again just before deleting: the object may have been rewritten.
                try:
                    if storage.stat(key).modified >= cutoff:
                        report.kept_recent += 1
                        continue
                except KeyError:
                    continue
                storage.delete(key)
            report.removed.append(key)

    batch: list[str] = []
    for entry in storage.iter_objects(prefix):
        report.examined += 1
        if entry.modified >= cutoff:
            report.kept_recent += 1
            continue
        batch.append(entry.key)
        if len(batch) >= batch_size:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    if not dry_run:
        report.temporaries_removed = storage.purge_stale_temporaries(older_than.total_seconds())
    return report


def purge_staging(staging_dir: str | os.PathLike, older_than: timedelta) -> list[str]:
    """Remove staged uploads (``livret-upload-*``) left by a crash, older than the grace period."""
    directory = Path(staging_dir)
    if not directory.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for path in directory.glob(STAGING_PREFIX + "*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:
            pass
    return removed


