"""The processes of the stack test (``make stack-test``), all on loopback, on free ports, in a temporary folder.

A private PostgreSQL cluster (``initdb``/``pg_ctl``: the machine's server on 5432 is left alone), the SeaweedFS S3
server and clamd of :mod:`storage.testing`, a private Redis, two gunicorn app processes, one RQ worker and the
scheduler. Each can be stopped, killed and started again on the same ports and data, which is what the faults do.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from storage.testing import S3_ACCESS_KEY, S3_SECRET_KEY, Clamd, SeaweedS3, free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _pg_bin(name: str) -> str:
    """A PostgreSQL server program (``initdb``, ``pg_ctl``): on the PATH or in Debian's versioned folder."""
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise AssertionError(f"{name} not found: the stack test needs the PostgreSQL server programs")
    return str(found)


def _wait(check, what: str, seconds: float, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}: {_tail(log)}")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} not ready within {seconds} s: {_tail(log)}")


def _tail(log: Path | None, size: int = 3000) -> str:
    return log.read_text(errors="replace")[-size:] if log and log.exists() else ""


class Postgres:
    """A PostgreSQL cluster of its own (run as the ``postgres`` account when the tests run as root, since
    PostgreSQL refuses root); ``restart()`` keeps its port and data."""

    def __init__(self, base: Path):
        self.port = free_port()
        # a folder the postgres account can reach (pytest's tmp folders are private to root)
        self.dir = Path(tempfile.mkdtemp(prefix="livret-stack-pg-"))
        self.data, self.log = self.dir / "data", base / "postgres.log"
        self._user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self._user:
            os.chown(self.dir, self._user.pw_uid, self._user.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://livret@127.0.0.1:{self.port}/livret"

    def _run(self, *args: str, timeout: float = 120) -> None:
        user = self._user

        def demote():
            if user:
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)

        with open(self.log, "ab") as log:
            subprocess.run(args, check=True, timeout=timeout, preexec_fn=demote, stdout=log, stderr=log,
                           cwd=self.dir, start_new_session=True)

    def start(self) -> "Postgres":
        if not self.data.exists():
            self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "livret", "--auth=trust",
                      "--encoding=UTF8", "--no-sync")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                        "-c max_connections=200", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.data.exists() and (self.data / "postmaster.pid").exists():
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://livret@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE livret")

    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            (self.log.parent / "postgres-server.log").write_bytes((self.dir / "server.log").read_bytes()
                                                                 if (self.dir / "server.log").exists() else b"")
            shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self, base: Path):
        self.base, self.port, self.proc = base, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        log = self.base / "redis.log"
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.base), "--logfile", str(log)],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        from redis import Redis as Client

        _wait(lambda: Client.from_url(self.url).ping(), "redis", 30, self.proc, log)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


class Service:
    """One process of the application (gunicorn, worker, scheduler), started again with the same command."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], base: Path):
        self.name, self.args, self.env, self.log = name, args, env, base / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> "Service":
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.starts += 1
        return self

    def kill(self) -> None:
        """kill -9 of the process and its children (an RQ worker's work horse)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=20)
            self.proc = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Stack:
    """Everything of the stack; ``start()`` brings it up in order (services, schema and demo, processes)."""

    LOCK_BUCKET = "livret-sealed"

    def __init__(self, base: Path, signing_env: dict):
        self.base = base
        self.postgres = Postgres(base)
        self.s3 = SeaweedS3(base / "seaweedfs")
        self.redis = Redis(base)
        self.clamd = Clamd(base / "clamd")
        self.instance = base / "instance"
        self.signing_env = signing_env
        self.ports = [free_port(), free_port()]
        self.apps: list[Service] = []
        self.worker: Service | None = None
        self.scheduler: Service | None = None

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTEST_", "LIVRET_", "COV_")) and k != "PYTHONPATH"}
        settings = {
            "INSTANCE_PATH": str(self.instance), "SECRET_KEY": "stack-test-secret-not-for-production",
            "BASE_URL": self.urls[0], "DATABASE_URL": self.postgres.url,
            "JOBS_BACKEND": "rq", "REDIS_URL": self.redis.url, "RATELIMIT_STORAGE_URI": self.redis.url,
            "STORAGE_BACKEND": "s3", "S3_ENDPOINT": self.s3.endpoint, "S3_ACCESS_KEY": S3_ACCESS_KEY,
            "S3_SECRET_KEY": S3_SECRET_KEY, "S3_BUCKET": "livret", "S3_SECURE": "false", "S3_REGION": "us-east-1",
            "S3_OBJECT_LOCK_BUCKET": self.LOCK_BUCKET, "S3_CREATE_BUCKETS": "true", "SEALED_REQUIRE_LOCK": "true",
            "SEALED_RETENTION_DAYS": "1", "CLAMD_ADDRESS": self.clamd.tcp,
            "SEAL_RESUME_SECONDS": "5",
            **{k: str(v) for k, v in self.signing_env.items()},
        }
        env.update({f"LIVRET_{k}": v for k, v in settings.items()})
        env.update(GUNICORN_WORKERS="1", GUNICORN_THREADS="8", PYTHONDONTWRITEBYTECODE="1",
                   PATH=f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}")
        return env

    def livret(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run([str(BIN / "livret"), *args], env=self.env(), cwd=ROOT, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, f"livret {' '.join(args)}:\n{result.stdout}\n{result.stderr[-4000:]}"
        return result.stdout

    def start(self) -> "Stack":
        self.instance.mkdir(parents=True, exist_ok=True)
        self.postgres.start().create_database()
        self.s3.start()
        self.redis.start()
        self.clamd.start()
        self.livret("db", "upgrade")  # creates the buckets too (S3_CREATE_BUCKETS), before any other process
        self.livret("demo")
        env = self.env()
        for n, port in enumerate(self.ports):
            self.apps.append(Service(f"app{n}", [str(BIN / "gunicorn"), "-c", str(ROOT / "core" / "gunicorn.conf.py"),
                                                 "--bind", f"127.0.0.1:{port}", "core.wsgi:app"], env, self.base))
        self.worker = Service("worker", [str(BIN / "livret"), "worker"], env, self.base)
        self.scheduler = Service("scheduler", [str(BIN / "livret"), "scheduler", "--poll", "2"], env, self.base)
        for service in (*self.apps, self.worker, self.scheduler):
            service.start()
        for app, url in zip(self.apps, self.urls):
            _wait(lambda url=url: requests.get(url + "/healthz", timeout=2).status_code == 200, app.name, 90,
                  app.proc, app.log)
        return self

    def restart_s3(self, down_seconds: float) -> None:
        self.s3.stop()
        time.sleep(down_seconds)
        self.s3.start()

    def stop(self) -> None:
        for service in (self.scheduler, self.worker, *self.apps):
            if service is not None:
                service.stop()
        for stop in (self.clamd.stop, self.redis.stop, self.s3.stop, self.postgres.remove):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - stop the others anyway
                print(f"stack: could not stop a service: {exc}")
