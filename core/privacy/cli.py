"""``livret retention …`` (the retention run) and ``livret privacy …`` (the record of processing activities)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("retention")
def retention_group() -> None:
    """Apply the retention rules (RGPD art. 5-1-e)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be done, per kind of data; change nothing.")
@click.option("--at", "at", default=None, metavar="YYYY-MM-DD",
              help="With --dry-run only: as if the run happened on that day (00:00 UTC), e.g. to see what "
                   "next month's runs will do.")
@with_appcontext
def retention_run_command(dry_run: bool, at: str | None) -> None:
    """Apply the retention rules now (also the scheduler's daily ``retention`` task); exit 1 if an item failed
    (it is retried at the next run)."""
    from datetime import date, datetime, time, timezone

    from core.privacy.retention import run

    moment = None
    if at is not None:
        if not dry_run:
            raise click.UsageError("--at only goes with --dry-run: a real run always happens now.")
        try:
            moment = datetime.combine(date.fromisoformat(at), time(), tzinfo=timezone.utc)
        except ValueError:
            raise click.BadParameter("expected a day as YYYY-MM-DD", param_hint="--at") from None
    report = run(now=moment, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    if report.failed:
        raise SystemExit(1)


@click.group("privacy")
def privacy_group() -> None:
    """The records a data protection officer asks for."""


@privacy_group.command("register")
@click.option("--format", "fmt", type=click.Choice(["markdown", "pdf"]), default="markdown", show_default=True,
              help="Markdown (text) or a tagged, archival PDF.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output for Markdown; required for PDF).")
@with_appcontext
def privacy_register_command(fmt: str, output: str | None) -> None:
    """The record of processing activities (RGPD art. 30), from what core and the plugins declare."""
    from flask_babel import force_locale

    from core.privacy.records import build_record, record_markdown, record_pdf

    if fmt == "pdf" and not output:
        raise click.UsageError("--output FILE is required with --format pdf.")
    with force_locale("fr"):
        record = build_record()
        data = record_pdf(record) if fmt == "pdf" else (record_markdown(record) + "\n").encode("utf-8")
    if output:
        with open(output, "wb") as out:
            out.write(data)
        click.echo(f"{output}: {len(record.activities)} processing activities, {len(data)} bytes.", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)
