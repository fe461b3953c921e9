"""Antivirus of annexes: the scan job, removal of infected objects, and the rescans (CLI, scheduler).

The jobs are queued under their historical names ``core.annexes.services.scan_annex``
and ``core.annexes.services.rescan_stale`` (re-exported there).
"""
from __future__ import annotations

import logging
from typing import Iterable

from sqlalchemy import select

from core.annexes.settings import _state, antivirus_configured, get_scanner, get_storage
from core.audit.services import record
from core.dossiers.models import Annex, ScanState
from core.extensions import db
from core.operations.metrics import counted_scan

log = logging.getLogger("core.annexes.services")


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
