"""Benchmark: 50 candidates on gunicorn (production settings), against a bare Flask page on the same gunicorn.

In one run, on loopback only, with locust (as a library, headless, bounded time):

1. a temporary instance (SQLite file, filesystem storage, development PKI on a free
   port) prepared as ``make run`` does (``livret db upgrade``, ``livret demo``), plus
   ``--users`` candidate accounts, each with a realistic RNCP37827 dossier (most
   sections filled, one with a mistake, some empty, six annexes linked to
   competencies); gunicorn serves ``core.wsgi:app`` with ``core/gunicorn.conf.py``
   (``GUNICORN_WORKERS`` as ``make run``: 2 by default);
2. each simulated candidate signs in through the sign-in page and then, without
   pause, reads the dossier overview, reads a section page, and saves a section
   draft through the page's POST with the CSRF token and revision of the rendered
   form (closed loop: the throughput is what the server gives);
3. the same candidates' scenario on ``bench/stack_floor_app.py`` (the same URLs, fields,
   token and revision on Flask, Flask-Login, Flask-WTF, WTForms, SQLAlchemy and Jinja
   alone, none of the product): the most any implementation on this stack gives;
4. the same number of users then load a bare Flask page (``bench/bare_flask_app.py``)
   on the same gunicorn settings.

Rate limits stay on: the instance sits behind "one reverse proxy" (``TRUSTED_PROXIES=1``,
as docs/configuration.md says for production) and each simulated candidate sends its own
address in ``X-Forwarded-For``: sign-in attempts are limited per client address
(``LOGIN_RATE_LIMIT``, 10 per minute), and fifty people do not share one.

Prints the p95 of reads and of saves (targets <= 150 ms and <= 250 ms), the
throughputs and their ratio (target >= 0.25), the floor's ratio to the bare page and
Livret's to the floor; exits 1 when a target is missed.
The load generator runs on the same machine as the servers.

    .venv/bin/python bench/load_bench.py [--users 50] [--seconds 25] [--workers 2]
"""
from __future__ import annotations

import sys

if __name__ == "__main__" and "--prepare" in sys.argv:  # the data, in a process without gevent
    from pathlib import Path

    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
    from load_bench_data import prepare  # noqa: E402

    prepare(int(sys.argv[sys.argv.index("--prepare") + 1]))
    sys.exit(0)
if __name__ == "__main__" and "--prepare-floor" in sys.argv:  # the floor's candidates, likewise
    from pathlib import Path

    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
    from stack_floor_app import prepare  # noqa: E402

    at = sys.argv.index("--prepare-floor")
    print("\n".join(f"account {email} {dossier}" for email, dossier in prepare(sys.argv[at + 1], int(sys.argv[at + 2]))))
    sys.exit(0)

from locust import FastHttpUser, constant, events, task  # noqa: E402  (imported first: gevent patches the stdlib)
from locust.env import Environment  # noqa: E402

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "motdepasse-solide-bench"
READ_SECTIONS = ("etat_civil", "situation", "lettre_motivation", "cv", "recapitulatif", "fiches_activite")
SAVED_SECTION = "lettre_motivation"
TARGET_READ_P95, TARGET_SAVE_P95, TARGET_RATIO = 150.0, 250.0, 0.25
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else float("nan")


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path, workers: int,
                   extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn, once every worker has loaded the application (``post_worker_init`` of core/gunicorn.conf.py).

    The simulated users keep their connections open: had they connected while one worker was still loading,
    they would all stay on the other one, and the run would measure one core instead of the server."""
    args = [str(BIN / "gunicorn"), "-c", "core/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
            "--control-socket", str(log.with_suffix(".ctl")), *extra, app]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {app} exited: {log.read_text()[-3000:]}")
        if log.read_bytes().count(b"Worker ready (pid:") >= workers:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/")
                if conn.getresponse().status < 500:
                    return proc
            except OSError:
                pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn {app} did not answer")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


class Recorder:
    """Response times (ms) by kind, recorded only while measuring; failures counted; the CPU each server
    worker and the load generator used meanwhile."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.measuring = False
        self.samples: dict[str, list[float]] = {}
        self.failures: list[str] = []
        self.started = self.stopped = 0.0
        self.signed_in = 0

    def on_request(self, request_type, name, response_time, response_length, exception=None, **_kw):
        if exception is not None:
            self.failures.append(f"{request_type} {name}: {exception}")
        if name == "sign-in" and request_type == "POST":
            self.signed_in += 1
        if self.measuring and name != "sign-in":
            self.samples.setdefault(name, []).append(response_time)

    def count(self, *names: str) -> int:
        return sum(len(self.samples.get(n, [])) for n in names)

    def throughput(self, *names: str) -> float:
        """Requests of these kinds per second of the measured time."""
        return self.count(*names) / (self.stopped - self.started)

    def joined(self, *names: str) -> list[float]:
        return [t for n in names for t in self.samples.get(n, [])]


def run(user_class, host: str, users: int, seconds: float, server: subprocess.Popen,
        warm_up: float = 4.0) -> Recorder:
    recorder = Recorder()
    env = Environment(user_classes=[user_class], host=host, events=events)
    env.events.request.add_listener(recorder.on_request)
    runner = env.create_local_runner()
    try:
        runner.start(users, spawn_rate=users)
        gevent.sleep(0)
        deadline = time.monotonic() + 120
        # every user spawned and, for the candidates, signed in (50 password hashes take a few seconds)
        while runner.user_count < users or (user_class.signs_in and recorder.signed_in < users):
            if time.monotonic() > deadline:
                raise SystemExit(f"only {recorder.signed_in} of {users} users signed in: {recorder.failures[:3]}")
            gevent.sleep(0.1)
        gevent.sleep(warm_up)  # templates compiled, connections open, queues at their steady length
        workers = sorted(psutil.Process(server.pid).children(), key=lambda p: p.pid)  # gunicorn's workers
        processes = {**{f"worker {n + 1}": p for n, p in enumerate(workers)}, "load generator": psutil.Process()}
        before = {name: cpu_seconds(p) for name, p in processes.items()}
        recorder.measuring, recorder.started = True, time.perf_counter()
        gevent.sleep(seconds)
        recorder.measuring, recorder.stopped = False, time.perf_counter()
        elapsed = recorder.stopped - recorder.started
        recorder.cpu = {name: (cpu_seconds(p) - before[name]) / elapsed for name, p in processes.items()}
        runner.quit()
    finally:
        env.events.request.remove_listener(recorder.on_request)
    return recorder


class Candidate(FastHttpUser):
    """A candidate of the prepared instance: signs in, then reads and saves without pause."""

    wait_time = constant(0)
    signs_in = True
    accounts: list[tuple[str, int]] = []
    _next = iter(range(10**6))

    def on_start(self) -> None:
        index = next(type(self)._next)
        self.email, self.dossier_id = self.accounts[index % len(self.accounts)]
        # each person has an address of their own (behind the proxy trusted by TRUSTED_PROXIES=1)
        self.headers = {"X-Forwarded-For": f"10.{index // 250 % 250}.{index % 250}.{random.randint(1, 250)}"}
        with self.client.get("/connexion", headers=self.headers, name="sign-in", catch_response=True) as page:
            token = CSRF.search(page.text or "")
        with self.client.post("/connexion", headers=self.headers, name="sign-in", allow_redirects=False,
                              data={"email": self.email, "password": PASSWORD, "csrf_token": token.group(1)},
                              catch_response=True) as response:
            if response.status_code not in (302, 303):
                response.failure(f"sign-in answered {response.status_code}")
        self.rng = random.Random(index)

    @task
    def work(self) -> None:
        base = f"/dossiers/{self.dossier_id}"
        self.client.get(base, headers=self.headers, name="overview")
        self.client.get(f"{base}/sections/{self.rng.choice(READ_SECTIONS)}", headers=self.headers, name="section")
        url = f"{base}/sections/{SAVED_SECTION}"
        page = self.client.get(url, headers=self.headers, name="section").text or ""
        token, revision = CSRF.search(page), REVISION.search(page)
        if token is None or revision is None:
            raise RuntimeError("the section page rendered no form")
        letter = f"Lettre enregistrée à {time.time():.3f} : " + "expérience professionnelle. " * 40
        with self.client.post(url, headers=self.headers, name="save", allow_redirects=False, catch_response=True,
                              data={"lettre": letter, "action": "draft", "revision": revision.group(1),
                                    "csrf_token": token.group(1)}) as response:
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}")


class FloorCandidate(Candidate):
    """The same candidate on ``bench/stack_floor_app.py`` (same URLs, fields, token and revision)."""

    accounts: list[tuple[str, int]] = []
    _next = iter(range(10**6))


class Visitor(FastHttpUser):
    wait_time = constant(0)
    signs_in = False

    @task
    def hello(self) -> None:
        self.client.get("/", name="bare")


def accounts(printed: str) -> list[tuple[str, int]]:
    """The ``account <e-mail> <dossier id>`` lines of a preparation."""
    return [(line.split()[1], int(line.split()[2])) for line in printed.splitlines() if line.startswith("account ")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=25.0, help="measured time of each scenario")
    parser.add_argument("--workers", default=os.environ.get("GUNICORN_WORKERS", "2"), help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="livret-load-bench-"))
    instance = work / "instance"
    env = {**os.environ, "LIVRET_INSTANCE_PATH": str(instance), "LIVRET_SECRET_KEY": "bench-" + "k" * 40,
           "LIVRET_DATABASE_URL": f"sqlite:///{instance / 'livret.sqlite3'}", "LIVRET_STORAGE_BACKEND": "filesystem",
           "LIVRET_STORAGE_PATH": str(work / "storage"), "LIVRET_CLAMD_ADDRESS": "",
           "LIVRET_SIGNING_DEV_BASE_URL": f"http://127.0.0.1:{free_port()}", "LIVRET_TRUSTED_PROXIES": "1",
           "LIVRET_BASE_URL": "http://127.0.0.1", "GUNICORN_WORKERS": str(args.workers)}
    servers: list[subprocess.Popen] = []
    try:
        print(f"working directory: {work}")
        for step in (["db", "upgrade"], ["demo"]):  # as `make run`
            subprocess.run([str(BIN / "livret"), *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run([sys.executable, __file__, "--prepare", str(args.users)], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        Candidate.accounts = accounts(out)
        print(f"{len(Candidate.accounts)} candidates with a dossier of RNCP37827 (demo data loaded)")
        floor_db = work / "stack-floor.sqlite3"
        FloorCandidate.accounts = accounts(subprocess.run(
            [sys.executable, __file__, "--prepare-floor", str(floor_db), str(args.users)], cwd=ROOT, env=env,
            check=True, capture_output=True, text=True).stdout)

        livret_port, floor_port, bare_port = free_port(), free_port(), free_port()
        workers = int(args.workers)
        servers.append(start_gunicorn("core.wsgi:app", livret_port, env, work / "livret.log", workers))
        servers.append(start_gunicorn("stack_floor_app:app", floor_port, {**env, "STACK_FLOOR_DATABASE": str(floor_db)},
                                      work / "floor.log", workers, ("--pythonpath", "bench")))
        servers.append(start_gunicorn("bare_flask_app:app", bare_port, env, work / "bare.log", workers,
                                      ("--pythonpath", "bench")))
        print(f"gunicorn: core/gunicorn.conf.py, {args.workers} workers x {os.environ.get('GUNICORN_THREADS', '4')} "
              f"threads; {args.users} users, {args.seconds:.0f} s measured per scenario")

        livret = run(Candidate, f"http://127.0.0.1:{livret_port}", args.users, args.seconds, servers[0])
        floor = run(FloorCandidate, f"http://127.0.0.1:{floor_port}", args.users, args.seconds, servers[1])
        bare = run(Visitor, f"http://127.0.0.1:{bare_port}", args.users, args.seconds, servers[2])
    finally:
        for proc in servers:
            stop(proc)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    reads, saves = livret.joined("overview", "section"), livret.joined("save")
    rps, floor_rps = livret.throughput("overview", "section", "save"), floor.throughput("overview", "section", "save")
    bare_rps = bare.throughput("bare")
    ratio = rps / bare_rps if bare_rps else 0.0
    print(f"\n{'':26}{'requests':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for label, recorder, names in (
            ("overview", livret, ("overview",)), ("section page", livret, ("section",)),
            ("reads", livret, ("overview", "section")), ("saves", livret, ("save",)),
            ("floor: reads", floor, ("overview", "section")), ("floor: saves", floor, ("save",)),
            ("bare page", bare, ("bare",))):
        samples = recorder.joined(*names)
        print(f"{label:26}{len(samples):10d}{statistics.median(samples) if samples else float('nan'):9.1f}"
              f"{p95(samples):9.1f}")
    print(f"\nthroughput: Livret {rps:.1f} requests/s, bare Flask page {bare_rps:.1f} requests/s, ratio {ratio:.3f}")
    # the same four requests with nothing but the stack (bench/stack_floor_app.py): the most this scenario can give
    print(f"the stack's floor (the same requests on bench/stack_floor_app.py): {floor_rps:.1f} requests/s, "
          f"ratio to the bare page {floor_rps / bare_rps if bare_rps else 0.0:.3f}; "
          f"Livret / floor {rps / floor_rps if floor_rps else 0.0:.3f}")
    # where the two cores went: both workers busy (or one idle), the load generator's share, server CPU per request
    for label, recorder, per_second in (("Livret", livret, rps), ("the floor", floor, floor_rps),
                                        ("bare page", bare, bare_rps)):
        workers_cpu = {k: v for k, v in recorder.cpu.items() if k.startswith("worker")}
        shares = ", ".join(f"{name} {100 * used:.0f} %" for name, used in recorder.cpu.items())
        per_request = 1000 * sum(workers_cpu.values()) / per_second if per_second else float("nan")
        print(f"CPU during {label}: {shares}; server CPU per request {per_request:.2f} ms")
    failures = livret.failures + floor.failures + bare.failures
    if failures:
        print(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    checks = [("read p95", p95(reads), "<=", TARGET_READ_P95), ("save p95", p95(saves), "<=", TARGET_SAVE_P95),
              ("throughput ratio", ratio, ">=", TARGET_RATIO)]
    ok = not failures
    for label, value, op, target in checks:
        met = value <= target if op == "<=" else value >= target
        ok = ok and met
        print(f"  {label:18} {value:9.3f}  target {op} {target:g}  {'met' if met else 'MISSED'}")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
