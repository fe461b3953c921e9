"""``livret audit verify`` and ``livret audit checkpoint``."""
from __future__ import annotations

from datetime import timezone

import click
from flask.cli import with_appcontext


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check the whole chain and every checkpoint; exit 1 at the first broken link."""
    from core.audit.services import verify_chain
    from core.sealing.checkpoints import verify_audit_checkpoints

    chain = verify_chain()
    if not chain.ok:
        click.echo(f"BROKEN: audit event {chain.broken_at}: {chain.reason} "
                   f"({chain.checked} event(s) checked before it).", err=True)
        raise SystemExit(1)
    checkpoints = verify_audit_checkpoints()
    if not checkpoints.ok:
        click.echo(f"BROKEN: audit checkpoint {checkpoints.broken_at}: {checkpoints.reason} "
                   f"({chain.checked} event(s) chained correctly).", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {chain.checked} event(s) chained, {checkpoints.checked} checkpoint(s) verified.")


@audit_group.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Timestamp the current head of the chain (RFC 3161) and store the token."""
    from core.errors import UserError
    from core.sealing.checkpoints import create_audit_checkpoint

    try:
        checkpoint = create_audit_checkpoint()
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    at = checkpoint.timestamp_at
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    click.echo(f"Checkpoint {checkpoint.id}: event {checkpoint.event_id} ({checkpoint.head_hash[:16]}…) "
               f"timestamped at {at.isoformat()} by {checkpoint.tsa_url}.")
