"""Periodic work (``livret scheduler``): long-term upkeep of seals, audit checkpoints, webhook retries,
the retention run.

Each task is a job function enqueued through the job queue (inline or RQ) at
start and then every ``every``. The tasks are idempotent, so a restart
that runs them again early does no harm; ``--once`` runs them one time (for a
cron entry instead of a long-running process).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext


@dataclass(frozen=True)
class Periodic:
    name: str
    job: str
    every: timedelta


TASKS = (
    Periodic("seal-renewal", "core.sealing.renewal.renew_seals", timedelta(hours=24)),
    Periodic("audit-checkpoint", "core.sealing.checkpoints.create_audit_checkpoint", timedelta(hours=24)),
    Periodic("webhook-retries", "core.webhooks.services.retry_due", timedelta(minutes=1)),
    Periodic("seal-resume", "core.pv.sealing.resume_sealing", timedelta(minutes=1)),
    Periodic("submission-resume", "core.dossiers.submission_queue.resume_pending", timedelta(minutes=1)),
    Periodic("annex-rescan", "core.annexes.services.rescan_stale", timedelta(minutes=10)),
    Periodic("retention", "core.privacy.retention.run_scheduled", timedelta(hours=24)),
)


def configured_tasks() -> tuple[Periodic, ...]:
    """:data:`TASKS` with the periods the settings change (``SEAL_RESUME_SECONDS``)."""
    from dataclasses import replace

    resume = timedelta(seconds=int(current_app.config.get("SEAL_RESUME_SECONDS") or 60))
    return tuple(replace(t, every=resume) if t.name in ("seal-resume", "submission-resume") else t for t in TASKS)


def run_due(last_runs: dict[str, float], now: float, tasks=None) -> list[str]:
    """Enqueue every task whose period has elapsed (``tasks``: :func:`configured_tasks` by default); returns
    their names."""
    jobs = current_app.extensions["livret"].jobs
    tasks = configured_tasks() if tasks is None else tasks
    started = []
    for task in tasks:
        last = last_runs.get(task.name)
        if last is None or now - last >= task.every.total_seconds():
            try:
                jobs.enqueue(task.job)
            except Exception as exc:  # noqa: BLE001 - one failing task must not stop the others
                current_app.logger.error("scheduled task %s failed: %s", task.name, exc)
            last_runs[task.name] = now
            started.append(task.name)
    return started


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every task once, then stop (for cron).")
@click.option("--poll", default=60, show_default=True, help="Seconds between checks.")
@click.option("--skip", "skipped", multiple=True, type=click.Choice([t.name for t in TASKS]),
              help="Leave this task out (repeatable); `make run` leaves out the retention run, so that the "
                   "demo data stays as loaded.")
@with_appcontext
def scheduler_command(once: bool, poll: int, skipped: tuple[str, ...]) -> None:
    """Run periodic upkeep: seal renewal, audit checkpoints and the retention run (daily), webhook retries,
    interrupted seals and submissions (every minute), annexes left unscanned (every 10 minutes)."""
    tasks = tuple(t for t in configured_tasks() if t.name not in skipped)
    last_runs: dict[str, float] = {}
    while True:
        for name in run_due(last_runs, time.monotonic(), tasks):
            click.echo(f"enqueued {name}")
        if once:
            return
        time.sleep(poll)
