"""Orphan sweep on both backends; memory of a 200 MB streamed upload to S3."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from datetime import datetime, timedelta, timezone

import psutil
import pytest

from storage import make_key
from storage.sweep import purge_staging, sweep_orphans


def _fill(storage):
    keys = [make_key("annexes", 1, name) for name in ("kept", "orphan1", "orphan2")] + [make_key("sealed", 1, "x")]
    for k in keys:
        storage.put(k, k.encode(), content_type="text/plain")
    return keys


def test_sweep_removes_only_old_unreferenced(storage):
    kept, orphan1, orphan2, sealed = _fill(storage)
    asked = []

    def known(candidates):
        asked.append(list(candidates))
        return {kept, sealed} & set(candidates)

    # Everything is recent: nothing removed, the database not even asked.
    report = sweep_orphans(storage, known, timedelta(hours=1))
    assert report.removed == [] and report.kept_recent == 4 and asked == []

    later = datetime.now(timezone.utc) + timedelta(hours=2)
    report = sweep_orphans(storage, known, timedelta(hours=1), prefix="annexes/", now=later, dry_run=True)
    assert sorted(report.removed) == [orphan1, orphan2] and report.dry_run
    assert storage.exists(orphan1)

    asked.clear()
    report = sweep_orphans(storage, known, timedelta(hours=1), now=later, batch_size=2)
    assert sorted(report.removed) == [orphan1, orphan2]
    assert report.kept_referenced == 2 and report.examined == 4
    assert sorted(storage.iter_keys()) == sorted([kept, sealed])
    assert asked and all(len(batch) <= 2 for batch in asked)


def test_sweep_stops_when_database_fails(storage):
    _fill(storage)

    def broken(_candidates):
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        sweep_orphans(storage, broken, timedelta(hours=1), now=datetime.now(timezone.utc) + timedelta(hours=2))
    assert len(list(storage.iter_keys())) == 4


def test_sweep_grace_must_be_positive(fs_storage):
    with pytest.raises(ValueError):
        sweep_orphans(fs_storage, lambda c: c, timedelta(0))


def test_purge_staging(tmp_path):
    (tmp_path / "livret-upload-old").write_bytes(b"x")
    (tmp_path / "livret-upload-new").write_bytes(b"x")
    (tmp_path / "other").write_bytes(b"x")
    old = time.time() - 3 * 3600
    os.utime(tmp_path / "livret-upload-old", (old, old))
    assert purge_staging(tmp_path, timedelta(hours=1)) == ["livret-upload-old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["livret-upload-new", "other"]


class PeakRSS:
    def __init__(self):
        self.process = psutil.Process()
        self.base = self.process.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 2**20


@pytest.mark.slow
def test_200mb_stream_to_s3_keeps_memory_flat(s3_storage):
    total_mb = 200
    expected = hashlib.sha256()

    def generated():
        # Fresh chunks every time (a retained reference anywhere would show in RSS).
        for i in range(total_mb):
            chunk = hashlib.sha256(str(i).encode()).digest() * (2**20 // 32)
            expected.update(chunk)
            yield chunk

    s3_storage.put(make_key("warmup"), b"x" * 1000, content_type="text/plain")  # pools, imports
    started = time.monotonic()
    with PeakRSS() as rss:
        stored = s3_storage.put(make_key("annexes", 1, "big"), generated(), content_type="application/pdf")
    elapsed = time.monotonic() - started
    print(f"\n200 MB generator -> S3: {elapsed:.1f} s, {total_mb / elapsed:.0f} MB/s, RSS growth {rss.growth_mb:.1f} MB")
    assert stored.size == total_mb * 2**20
    assert stored.sha256 == expected.hexdigest() == s3_storage.stat(make_key("annexes", 1, "big")).sha256
    assert rss.growth_mb < 64
