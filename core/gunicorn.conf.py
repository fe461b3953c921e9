"""gunicorn settings of the application image (``gunicorn -c core/gunicorn.conf.py core.wsgi:app``).

Sized for the slowest request the application allows: a verification on
``/verifier`` or ``POST /api/v1/verify`` is refused once its analysis exceeds
``VERIFY_TIME_BUDGET_SECONDS`` (default 20 s, 422 ``verification_too_complex``),
so no request legitimately runs near ``timeout``; a worker that does is stuck
and is replaced. Threaded workers (``gthread``) keep serving other requests
while one thread verifies a document, and their heartbeat does not depend on
a request finishing. Every value can be overridden by the environment
(``GUNICORN_WORKERS``, ``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``, ``PORT``) or
on the command line.
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
#: well above VERIFY_TIME_BUDGET_SECONDS (20) plus the upload of a 50 MB file
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
logger_class = "core.access_log.GunicornLogger"
