"""gunicorn settings of the application image (``gunicorn -c core/gunicorn.conf.py core.wsgi:app``).

Sized for the slowest request the application allows: a verification on
``/verifier`` or ``POST /api/v1/verify`` is refused once its analysis exceeds
``VERIFY_TIME_BUDGET_SECONDS`` (default 20 s, 422 ``verification_too_complex``),
so no request legitimately runs near ``timeout``; a worker that does is stuck
and is replaced. Threaded workers (``gthread``) keep serving other requests
while one thread verifies a document, and their heartbeat does not depend on
a request finishing. Every value can be overridden by the environment
(``GUNICORN_WORKERS``, ``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``,
``GUNICORN_REUSE_PORT``, ``PORT``) or on the command line.
"""
import os
import socket
import sys
import time

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
#: each worker listens on a socket of its own and the kernel spreads new connections among them; with one
#: shared socket a connection kept alive (a client without reverse proxy, or a proxy's kept-alive upstream
#: connections) stays with whichever worker was quickest to accept it, and one worker ends up with most of
#: them while the other idles (measured: 36 of 50 clients on one of two workers). GUNICORN_REUSE_PORT=0 for
#: one socket shared by the workers (connections waiting for a worker that dies are then not lost with it).
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") != "0"
#: well above VERIFY_TIME_BUDGET_SECONDS (20) plus the upload of a 50 MB file
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
logger_class = "core.access_log.GunicornLogger"


def on_starting(server):
    """Before any worker: sockets of their own only on TCP addresses that nothing else serves.

    With ``reuse_port`` the master binds nothing, so a port already taken would only make each new worker fail,
    and a second server of the same kind would silently share the port: the address is tried here first, and
    gunicorn stops with the message it gives without ``reuse_port``. A Unix socket, a file descriptor or
    systemd's sockets are one socket by nature: shared as usual."""
    if not server.cfg.reuse_port:
        return
    addresses = server.cfg.address
    if os.environ.get("LISTEN_FDS") or os.environ.get("GUNICORN_FD") or not all(
            isinstance(address, tuple) for address in addresses):
        server.cfg.set("reuse_port", False)
        return
    for host, port in addresses:
        for attempt in range(5):  # as gunicorn does for its own sockets: a previous server may be exiting
            probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            try:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
                break
            except OSError as exc:
                server.log.error("Connection in use: %s (%s)", (host, port), exc.strerror)
                if attempt == 4:
                    server.log.error("Can't connect to %s", (host, port))
                    sys.exit(1)
                time.sleep(1)
            finally:
                probe.close()


def post_worker_init(worker):
    """Say when a worker can answer (its application loaded), not only that it was forked: a deployment's
    health check, or ``bench/load_bench.py``, waits for every worker before sending traffic. Clients that keep
    their connection open (keep-alive without a reverse proxy) otherwise all land on the first worker up."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)
