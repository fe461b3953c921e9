"""The four faults of the stack test: each drives the platform over HTTP while one service stops, then counts
what was acknowledged, lost, duplicated and orphaned, reading the database and the buckets directly."""
from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections import Counter

import requests

from tests.stack.stack_journey import new_candidate

FIGURES: list[tuple[str, dict]] = []  # printed again at the end of the run (conftest.py)


def report(title: str, **figures) -> None:
    FIGURES.append((title, figures))
    print(f"\n[stack] {title}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def _wait_until(check, what: str, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(step)


def _png(n: int) -> bytes:
    """A small PNG of its own (random pixels): every upload has a different SHA-256."""
    from PIL import Image

    image = Image.frombytes("RGB", (24, 24), os.urandom(24 * 24 * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _error_shape(exc) -> bool:
    """A refusal of the API: a JSON ``{"error": {"code", "message"}}`` (the client fills ``http_<status>`` otherwise)."""
    return bool(exc.code) and not str(exc.code).startswith("http_") and bool(exc.message)


# -- 1. the worker killed while it seals a session's documents -----------------------------------------------------

def _seal_states(stack, sid: int) -> Counter:
    return Counter(status for (status,) in stack.postgres.query(
        "SELECT status FROM jury_signed_documents WHERE session_id = %s AND status <> 'replaced'", sid))


def _seal_jobs_running(stack) -> int:
    from redis import Redis
    from rq.registry import StartedJobRegistry

    return StartedJobRegistry("livret", connection=Redis.from_url(stack.redis.url)).count


def kill_worker_while_sealing(stack, sid: int, seconds: float = 120) -> dict:
    """Wait until some of the session's documents are sealed and others wait while a job runs, then ``kill -9``
    the worker (and its work horse) and start it again."""
    deadline = time.monotonic() + seconds
    while True:
        states = _seal_states(stack, sid)
        if states["sealed"] >= 1 and states["sealing"] >= 1 and _seal_jobs_running(stack):
            break
        assert states["sealing"] or not states["sealed"], f"every document sealed before the kill: {states}"
        assert time.monotonic() < deadline, f"sealing did not start within {seconds} s: {states}"
        time.sleep(0.05)
    stack.worker.kill()
    killed_at = time.monotonic()
    at_kill = _seal_states(stack, sid)
    stack.worker.start()
    return {"documents": sum(at_kill.values()), "sealed_at_kill": at_kill["sealed"],
            "waiting_at_kill": at_kill["sealing"], "killed_at": killed_at}


def sealed_exactly_once(stack, sid: int) -> dict:
    """Every document of the session sealed once: one issued document each, its object in the object-lock bucket;
    no second document issued for a (dossier, kind) since the kill, no object without its row."""
    rows = stack.postgres.query(
        "SELECT s.id, s.status, s.document_id, d.storage_key FROM jury_signed_documents s "
        "LEFT JOIN documents d ON d.id = s.document_id WHERE s.session_id = %s AND s.status <> 'replaced'", sid)
    sealed_events = Counter(object_id for (object_id,) in stack.postgres.query(
        "SELECT object_id FROM audit_events WHERE action = 'jury_document.sealed'"))
    client = stack.s3.client()
    locked = {o.object_name for o in client.list_objects(stack.LOCK_BUCKET, recursive=True)}
    plain = {o.object_name for o in client.list_objects("livret", prefix="documents/", recursive=True)}
    issued = {key for (key,) in stack.postgres.query("SELECT storage_key FROM documents")}
    lost = sum(1 for _id, status, document_id, key in rows
               if status != "sealed" or document_id is None or key not in locked)  # SEALED_REQUIRE_LOCK
    duplicated = sum(n - 1 for n in sealed_events.values() if n > 1)
    per_kind = Counter(stack.postgres.query("SELECT dossier_id, kind FROM documents WHERE kind LIKE 'jury_%%'"))
    duplicated += sum(n - 1 for (dossier, _kind), n in per_kind.items() if n > 1 and dossier is not None)
    duplicated += max(0, sum(n for (dossier, kind), n in per_kind.items() if kind == "jury_pv") - 1)
    orphaned = len((locked | plain) - issued)
    return {"sealed": sum(1 for r in rows if r[1] == "sealed"), "lost": lost, "duplicated": duplicated,
            "orphaned": orphaned, "objects_locked": len(locked & issued)}


# -- 2. the S3 server stopped during uploads ----------------------------------------------------------------------

def _run_uploads(lc, token: str, dossier_id: int, files: list[bytes], threads: int, results: dict) -> list:
    pending = iter(range(len(files)))
    lock = threading.Lock()

    def upload():
        client = lc.Livret(lc.api, token=token)
        while True:
            with lock:
                n = next(pending, None)
            if n is None:
                return
            try:
                annex = client.post(f"/dossiers/{dossier_id}/annexes", data={"title": f"Pièce {n}", "role": "evidence"},
                                    files={"file": (f"piece-{n}.png", files[n], "image/png")})
                results[n] = ("ack", annex)
            except lc.LivretError as exc:
                results[n] = ("refused", exc.status, exc.code, _error_shape(exc))
            except requests.RequestException as exc:
                results[n] = ("transport", repr(exc))

    workers = [threading.Thread(target=upload, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    return workers


def _token(me) -> str:
    return me.http.headers["Authorization"].removeprefix("Bearer ")


def _wait_scanned(me, dossier_id: int, seconds: float) -> list[dict]:
    def done():
        items = me.get(f"/dossiers/{dossier_id}/annexes")["items"]
        return items if all(a["scan_state"] != "pending" for a in items) else None
    return _wait_until(done, "antivirus scans", seconds, 0.5)


def _unreadable(me, acked: dict, files: list[bytes]) -> int:
    """How many acknowledged uploads do not read back with the bytes that were sent."""
    lost = 0
    for n, annex in acked.items():
        try:
            body = me.download(annex["links"]["content"], annex["sha256"], annex["size"])
            lost += hashlib.sha256(body).hexdigest() != hashlib.sha256(files[n]).hexdigest()
        except Exception:  # noqa: BLE001 - unreadable: lost
            lost += 1
    return lost


def uploads_with_s3_restarted(stack, lc, folder, total: int = 200, threads: int = 4) -> dict:
    me, dossier_id, _sections = new_candidate(lc, stack.instance / "outbox", 0, "stockage")
    files = [_png(n) for n in range(total)]
    results: dict = {}
    workers = _run_uploads(lc, _token(me), dossier_id, files, threads, results)
    _wait_until(lambda: sum(r[0] == "ack" for r in list(results.values())) >= total // 5, "first uploads", 120, 0.05)
    stack.s3.stop()
    time.sleep(2)
    stack.s3.start()
    for worker in workers:
        worker.join(300)
    assert not any(w.is_alive() for w in workers), "uploads still running after 300 s"
    acked = {n: r[1] for n, r in results.items() if r[0] == "ack"}
    refused = [r for r in results.values() if r[0] != "ack"]
    _wait_until(lambda: _queue_drained(stack), "scan jobs taken by the worker", 300, 0.5)
    time.sleep(2)
    # the scans that ran while the storage was down left their annexes « en attente »: queued again
    rescan = stack.livret("annexes", "rescan").strip().splitlines()[-1]
    _wait_scanned(me, dossier_id, 180)
    lost = _unreadable(me, acked, files)
    time.sleep(2)
    stack.livret("storage", "sweep", "--older-than-hours", "0.0005")  # 1.8 s: no upload is running any more
    rows = stack.postgres.query("SELECT sha256, storage_key FROM annexes WHERE dossier_id = %s", dossier_id)
    objects = {o.object_name for o in stack.s3.client().list_objects("livret", prefix=f"annexes/{dossier_id}/",
                                                                     recursive=True)}
    keys = {key for _sha, key in rows}
    digests = Counter(sha for sha, _key in rows)
    sent = {hashlib.sha256(f).hexdigest() for f in files}
    acked_digests = {a["sha256"] for a in acked.values()}
    return {
        "attempted": total, "acknowledged": len(acked), "refused_while_down": len(refused), "rescan": rescan,
        "refusals": dict(Counter(f"{r[1]} {r[2]}" if r[0] == "refused" else r[0] for r in refused)),
        "server_errors": sum(1 for r in refused if r[0] == "transport" or r[1] != 503 or not r[3]),
        "lost": lost + len(acked_digests - {sha for sha, _key in rows}),
        "duplicated": sum(n - 1 for n in digests.values() if n > 1),
        "stored_not_acknowledged": len({sha for sha, _k in rows} & sent - acked_digests),
        "orphaned": len(keys - objects) + len(objects - keys),
    }


# -- 3. PostgreSQL restarted during a burst of section saves ------------------------------------------------------

def saves_with_postgres_restarted(stack, lc, writers: int = 4, down_seconds: float = 3) -> dict:
    key = "lettre_motivation"
    slots = [new_candidate(lc, stack.instance / "outbox", n, "base") for n in range(writers)]
    stop = threading.Event()
    log: list[list] = [[] for _ in slots]  # per writer: (n, status, code, json shape, app, time)

    def write(i: int, me, dossier_id: int, sections: dict):
        client = lc.Livret(lc.api, token=_token(me))
        n = 0
        while not stop.is_set():
            n += 1
            data = dict(sections[key], lettre=sections[key]["lettre"] + f" (enregistrement n° {n})")
            try:
                client.put(f"/dossiers/{dossier_id}/sections/{key}", json=data)
                log[i].append((n, 200, None, True, client.base_url, time.monotonic()))
            except lc.LivretError as exc:
                log[i].append((n, exc.status, exc.code, _error_shape(exc), client.base_url, time.monotonic()))
            except requests.RequestException as exc:
                log[i].append((n, 0, repr(exc), False, client.base_url, time.monotonic()))
            time.sleep(0.02)

    workers = [threading.Thread(target=write, args=(i, *slot), daemon=True) for i, slot in enumerate(slots)]
    for worker in workers:
        worker.start()
    time.sleep(2)
    stack.postgres.stop("fast")
    time.sleep(down_seconds)
    stack.postgres.start()
    back = time.monotonic()
    time.sleep(6)
    stop.set()
    for worker in workers:
        worker.join(60)
    entries = [e for writer in log for e in writer]
    lost = 0
    for i, (me, dossier_id, _sections) in enumerate(slots):
        acked = [e[0] for e in log[i] if e[1] == 200]
        stored = me.get(f"/dossiers/{dossier_id}/sections/{key}")["data"]["lettre"]
        number = int(stored.rsplit("n° ", 1)[1].rstrip(")"))
        lost += bool(acked) and number < acked[-1]  # an older value than the last one acknowledged
    return {
        "saves_attempted": len(entries), "acknowledged": sum(e[1] == 200 for e in entries),
        "answered_503": sum(e[1] == 503 for e in entries),
        "not_json_503": sum(1 for e in entries if e[1] == 503 and not e[3]),
        "server_errors": sum(1 for e in entries if e[1] not in (200, 503)),
        "other_answers": dict(Counter(f"{e[1]} {e[2]}" for e in entries if e[1] not in (200, 503))),
        "lost": lost,
        "recovered_apps": len({e[4] for e in entries if e[1] == 200 and e[5] > back}),
        "first_save_after_restart_s": round(min((e[5] for e in entries if e[1] == 200 and e[5] > back),
                                                default=back + 99) - back, 2),
    }


# -- 4. clamd stopped -----------------------------------------------------------------------------------------------

def _queue_drained(stack) -> bool:
    from redis import Redis
    from rq import Queue

    return Queue("livret", connection=Redis.from_url(stack.redis.url)).count == 0


def uploads_with_clamd_stopped(stack, lc, folder, count: int = 10) -> dict:
    me, dossier_id, _sections = new_candidate(lc, stack.instance / "outbox", 0, "antivirus")
    stack.clamd.stop()
    files = [_png(n) for n in range(count)]
    acked = {}
    for n, data in enumerate(files):
        acked[n] = me.post(f"/dossiers/{dossier_id}/annexes", data={"title": f"Scan {n}", "role": "evidence"},
                           files={"file": (f"scan-{n}.png", data, "image/png")})
    _wait_until(lambda: _queue_drained(stack), "scan jobs taken by the worker", 60)
    time.sleep(2)  # the last job taken finishes: clamd unreachable, the annex stays pending
    items = me.get(f"/dossiers/{dossier_id}/annexes")["items"]
    downloadable = 0
    for annex in items:
        try:
            me.download(annex["links"]["content"])
            downloadable += 1
        except lc.LivretError:
            pass
    figures = {"acknowledged": len(acked), "pending_while_down": sum(a["scan_state"] == "pending" for a in items),
               "not_pending_while_down": sum(a["scan_state"] != "pending" for a in items),
               "downloadable_while_down": downloadable + sum(bool(a["downloadable"]) for a in items)}
    stack.clamd.start()
    figures["rescan"] = stack.livret("annexes", "rescan").strip().splitlines()[-1]
    items = _wait_scanned(me, dossier_id, 120)
    figures["scanned_after"] = sum(a["scan_state"] == "clean" for a in items)
    lost = _unreadable(me, acked, files)
    figures["lost"] = lost
    return figures
