"""core/gunicorn.conf.py really run: each worker listens on a socket of its own, kept-alive clients are spread
over the workers, a worker says when it can answer, and a port already served stops a second server."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "LIVRET_INSTANCE_PATH": str(tmp_path / "instance"),
            "LIVRET_SECRET_KEY": "gunicorn-conf-test-secret-key-not-for-production",
            "LIVRET_DATABASE_URL": "sqlite:///" + str(tmp_path / "livret.sqlite3")}


def _listening_sockets(port: int) -> int:
    """Sockets in LISTEN state on ``port``, from the kernel's table."""
    return sum(1 for c in psutil.net_connections("tcp")
               if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port)


def _wait_for(predicate, what: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not seen: {log.read_text(errors='replace')[-3000:]}")


def test_workers_listen_apart_and_a_taken_port_stops_a_second_server(tmp_path):
    from core.sealing.testing import closed_port

    port = closed_port()
    errors, access = tmp_path / "errors.log", tmp_path / "access.log"
    command = [str(GUNICORN), "--config", "core/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    first = subprocess.Popen(
        [*command, "--workers", "2", "--access-logfile", str(access), "--access-logformat", "%(p)s %(U)s",
         "core.wsgi:app"], cwd=ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=open(errors, "wb"))
    try:
        _wait_for(lambda: errors.read_text(errors="replace").count("Worker ready (pid:") >= 2,
                  "two workers ready", errors)
        assert _listening_sockets(port) == 2  # one socket per worker, not one shared by both

        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(24)]
        for _round in range(2):  # the same connection, kept alive, asks twice
            for connection in connections:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                assert response.status == 200
        for connection in connections:
            connection.close()
        _wait_for(lambda: access.read_text().count("/healthz") >= 48, "48 requests logged", access, 10)
        served_by = {line.split()[0] for line in access.read_text().splitlines() if "/healthz" in line}
        assert len(served_by) == 2, served_by  # both workers answer kept-alive clients

        started = time.monotonic()
        second = subprocess.run([*command, "--workers", "1", "core.wsgi:app"], cwd=ROOT, env=_env(tmp_path),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "Connection in use" in second.stderr and "Can't connect to" in second.stderr, second.stderr[-2000:]
        assert time.monotonic() - started < 30  # it stops, instead of starting workers that cannot listen
        assert "Booting worker" not in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)
    assert _listening_sockets(port) == 0
