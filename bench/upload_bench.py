"""Benchmark: a 200 MB annex uploaded through the platform to the S3 backend.

In one run, against the same SeaweedFS S3 server (started here, as the tests do):

1. the platform: gunicorn serving ``core.wsgi:app`` (STORAGE_BACKEND=s3) in its
   own process; a streamed, chunked ``multipart/form-data`` POST to
   ``/api/v1/dossiers/{id}/annexes`` whose body is a generator reading the file;
   the server process's RSS is sampled every 10 ms in a thread (psutil);
2. the baseline: the ``minio`` SDK's ``put_object`` of the same file (known
   length, SDK defaults) to the same server.

Prints the peak RSS growth of the server process (target < 64 MB), the
throughput of each path in MB/s and their ratio (target >= 0.7). The annex is
a valid PDF padded with a large stream object, so that it passes the checks
as an allowed type. No antivirus is configured (clamd is not part of the
comparison).

    .venv/bin/python bench/upload_bench.py [--size-mb 200] [--rounds 3]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "storage"))  # SeaweedS3, free_port

import psutil  # noqa: E402
from storage_support import SeaweedS3, free_port  # noqa: E402

MB = 1024 * 1024
CHUNK = 1024 * 1024


def write_padded_pdf(path: Path, size: int) -> int:
    """A valid one-page PDF whose content stream is padded (one long PDF comment) to about ``size`` bytes."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]
    prefix = b"0 0 m 100 100 l S\n%"
    pad = max(0, size - 600)
    offsets = []
    with open(path, "wb") as f:
        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        for number, body in enumerate(objs, start=1):
            offsets.append(f.tell())
            f.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        offsets.append(f.tell())
        f.write(b"4 0 obj\n<< /Length %d >>\nstream\n" % (len(prefix) + pad))
        f.write(prefix)
        written = 0
        while written < pad:  # random bytes without line breaks: the padding stays one comment
            block = os.urandom(min(CHUNK, pad - written)).replace(b"\n", b" ").replace(b"\r", b" ")
            f.write(block)
            written += len(block)
        f.write(b"\nendstream\nendobj\n")
        xref = f.tell()
        f.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for off in offsets:
            f.write(b"%010d 00000 n \n" % off)
        f.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return path.stat().st_size


def multipart_body(path: Path, boundary: str, filename: str):
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBenchmark\r\n"
           f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
           f"Content-Type: application/pdf\r\n\r\n").encode()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def upload(port: int, token: str, dossier_id: int, path: Path, filename: str) -> tuple[float, dict]:
    boundary = "bench" + uuid.uuid4().hex
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("POST", f"/api/v1/dossiers/{dossier_id}/annexes", body=multipart_body(path, boundary, filename),
                 headers={"Authorization": f"Bearer {token}",
                          "Content-Type": f"multipart/form-data; boundary={boundary}"},
                 encode_chunked=True)
    response = conn.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if response.status != 201:
        raise SystemExit(f"upload failed: {response.status} {payload[:500]!r}")
    return elapsed, json.loads(payload)


class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.01):
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.stop_event = threading.Event()

    def rss(self) -> int:
        return self.proc.memory_info().rss

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.Error:
                return
            time.sleep(self.interval)

    def stop(self) -> int:
        self.stop_event.set()
        self.join()
        return self.peak


def prepare_database(env: dict[str, str]) -> tuple[str, int]:
    """Schema, a candidate, a draft dossier and a token, written by this process."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from core import create_app
        from core.api.services import issue_token
        from core.auth.services import create_user
        from core.dossiers.models import Dossier, DossierStatus
        from core.extensions import db

        app = create_app()
        with app.app_context():
            db.create_all()
            user = create_user(email="bench@example.org", password="motdepasse-solide", role="candidate",
                               verified=True)
            dossier = Dossier(candidate=user, certification_code="RNCP37827", status=DossierStatus.DRAFT,
                              reference="BENCH-1")
            db.session.add(dossier)
            db.session.flush()
            secret, _token = issue_token(user, name="bench")
            db.session.commit()
            return secret, dossier.id
    finally:
        os.environ.clear()
        os.environ.update(saved)


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    args = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync",
            "--timeout", "600", "core.wsgi:app"]
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/certifications")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def worker_pid(master: subprocess.Popen) -> int:
    children = psutil.Process(master.pid).children()
    if len(children) != 1:
        raise SystemExit(f"expected one gunicorn worker, found {len(children)}")
    return children[0].pid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="uploads per path (the best is kept)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="livret-upload-bench-"))
    s3 = SeaweedS3(work / "seaweedfs")
    server = None
    try:
        print(f"working directory: {work}")
        s3.start()
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        settings = s3.settings(bucket)
        instance = work / "instance"
        env = {"LIVRET_INSTANCE_PATH": str(instance), "LIVRET_SECRET_KEY": "bench-secret-key-0123456789",
               "LIVRET_DATABASE_URL": f"sqlite:///{instance / 'livret.sqlite3'}",
               "LIVRET_UPLOAD_MAX_FILE_SIZE": str((args.size_mb + 50) * MB),
               "LIVRET_UPLOAD_DOSSIER_QUOTA": str((args.size_mb + 50) * MB * (args.rounds + 2)),
               "LIVRET_CLAMD_ADDRESS": ""}
        env.update({f"LIVRET_{k}": str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings.items()})
        token, dossier_id = prepare_database(env)

        path = work / "annexe.pdf"
        size = write_padded_pdf(path, args.size_mb * MB)
        small = work / "petite.pdf"
        write_padded_pdf(small, 64 * 1024)
        print(f"file: {size / MB:.1f} MiB PDF ({path.name})")

        port = free_port()
        server = start_server(env, port, work / "gunicorn.log")
        pid = worker_pid(server)
        upload(port, token, dossier_id, small, "warm-up.pdf")  # imports, connections, first-request setup
        time.sleep(0.5)

        platform_times, growths = [], []
        for i in range(args.rounds):
            sampler = RssSampler(pid)
            baseline = sampler.rss()
            sampler.start()
            elapsed, annex = upload(port, token, dossier_id, path, f"annexe-{i}.pdf")
            peak = sampler.stop()
            platform_times.append(elapsed)
            growths.append(peak - baseline)
            assert annex["size"] == size, annex
            print(f"  platform upload {i + 1}: {elapsed:.2f} s, annex n° {annex['number']}, "
                  f"RSS {baseline / MB:.1f} -> peak {peak / MB:.1f} MiB")

        client = s3.client()
        direct_times = []
        for i in range(args.rounds):
            with open(path, "rb") as f:
                started = time.perf_counter()
                client.put_object(bucket, f"bench/direct-{i}", f, length=size, content_type="application/pdf")
                direct_times.append(time.perf_counter() - started)
            print(f"  direct put_object {i + 1}: {direct_times[-1]:.2f} s")

        platform_rate = size / MB / min(platform_times)
        direct_rate = size / MB / min(direct_times)
        growth = max(growths) / MB
        ratio = platform_rate / direct_rate
        print()
        print(f"server RSS growth (peak): {growth:.1f} MiB   target < 64   {'OK' if growth < 64 else 'MISSED'}")
        print(f"platform upload:          {platform_rate:.1f} MB/s")
        print(f"direct minio put_object:  {direct_rate:.1f} MB/s")
        print(f"throughput ratio:         {ratio:.2f}        target >= 0.7 {'OK' if ratio >= 0.7 else 'MISSED'}")
        met = growth < 64 and ratio >= 0.7
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1  # `make bench` reports a missed target by the exit status
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        s3.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
