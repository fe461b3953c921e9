"""Slow work through one interface: inline (default, tests) or RQ on Redis.

A job is a module-level function named by its dotted path, called with
keyword arguments inside an application context. ``InlineQueue`` runs it at
once in the caller's process; ``RQQueue`` stores it in Redis for the
``livret worker`` process, which runs each job inside the app context.
"""
from __future__ import annotations

import importlib
import uuid
from typing import Any, Callable


def resolve(func_path: str) -> Callable[..., Any]:
    module_name, _, attr = func_path.rpartition(".")
    if not module_name:
        raise ValueError(f"job path {func_path!r} must be 'package.module.function'")
    return getattr(importlib.import_module(module_name), attr)


class InlineQueue:
    name = "inline"

    def __init__(self) -> None:
        self.executed: list[str] = []

    def enqueue(self, func_path: str, **kwargs: Any) -> str:
        job_id = uuid.uuid4().hex
        resolve(func_path)(**kwargs)
        self.executed.append(func_path)
        return job_id


def run_in_app(func_path: str, kwargs: dict[str, Any]) -> Any:
    """Entry point of every RQ job: build the app once per worker, run the job in its context."""
    app = _worker_app()
    with app.app_context():
        return resolve(func_path)(**kwargs)


_APP = None


def _worker_app():
    global _APP
    if _APP is None:
        from core import create_app

        _APP = create_app()
    return _APP


class RQQueue:
    name = "rq"

    def __init__(self, redis_url: str, queue_name: str = "livret") -> None:
        self.redis_url = redis_url
        self.queue_name = queue_name
        self._queue = None

    @property
    def queue(self):
        if self._queue is None:
            from redis import Redis
            from rq import Queue

            self._queue = Queue(self.queue_name, connection=Redis.from_url(self.redis_url))
        return self._queue

    def enqueue(self, func_path: str, **kwargs: Any) -> str:
        resolve(func_path)  # fail now, in the caller, for a wrong path
        # the description is what RQ's worker logs: the job's name only, never its arguments (an e-mail's
        # recipients, a dossier's data): no personal data in the logs
        job = self.queue.enqueue(run_in_app, func_path, kwargs, job_timeout=600, description=func_path,
                                 result_ttl=86400, failure_ttl=7 * 86400)
        return job.id

    def work(self, burst: bool = False, app=None) -> bool:
        """Run a worker on this queue (``livret worker``)."""
        from rq import Worker

        global _APP
        if app is not None:
            _APP = app
        worker = Worker([self.queue], connection=self.queue.connection)
        return worker.work(burst=burst, with_scheduler=True)
