"""``livret storage sweep`` (orphan objects, stale staged uploads) and ``livret annexes rescan``."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext


@click.group("storage")
def storage_group() -> None:
    """Object storage maintenance."""


@storage_group.command("sweep")
@click.option("--older-than-hours", type=float, default=24.0, show_default=True,
              help="Grace period: only objects older than this are considered (above the longest upload).")
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing.")
@with_appcontext
def sweep_command(older_than_hours: float, dry_run: bool) -> None:
    """Remove annex objects no row needs (active annexes and annexes listed by a submitted version are kept)."""
    from core.annexes.services import sweep

    if older_than_hours <= 0:
        raise click.BadParameter("must be positive", param_hint="--older-than-hours")
    report, staged = sweep(timedelta(hours=older_than_hours), dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for key in report.removed:
        click.echo(f"{verb} {key}")
    click.echo(f"{report.examined} object(s) examined, {len(report.removed)} {verb}, "
               f"{report.kept_referenced} referenced, {report.kept_recent} within the grace period"
               + ("" if dry_run else f"; {len(staged)} stale staged upload(s) removed"))


@click.group("annexes")
def annexes_group() -> None:
    """Evidence annexes."""


@annexes_group.command("rescan")
@click.option("--not-scanned", is_flag=True, help="Also scan annexes stored while no antivirus was configured.")
@click.option("--errors", is_flag=True, help="Also retry annexes whose scan ended in error.")
@with_appcontext
def rescan_command(not_scanned: bool, errors: bool) -> None:
    """Queue an antivirus scan of the annexes still pending (clamd was down)."""
    from flask import current_app

    from core.annexes.services import antivirus_configured, rescan
    from core.dossiers.models import ScanState

    if not antivirus_configured():
        raise click.ClickException("CLAMD_ADDRESS is not set: there is no antivirus to scan with.")
    states = [ScanState.PENDING]
    if not_scanned:
        states.append(ScanState.NOT_SCANNED)
    if errors:
        states.append(ScanState.ERROR)
    done = rescan(states)
    inline = current_app.extensions["livret"].jobs.name == "inline"
    for annex_id, state in done:
        click.echo(f"annex {annex_id}: {state if inline else 'queued'}")
    click.echo(f"{len(done)} annex(es) {'scanned' if inline else 'queued'}.")
