"""``livret retention …`` (the retention run) and ``livret privacy …`` (the record of processing activities)."""
from __future__ import annotations

import click


@click.group("retention")
def retention_group() -> None:
    """Apply the retention rules (RGPD art. 5-1-e)."""


@click.group("privacy")
def privacy_group() -> None:
    """The records a data protection officer asks for."""
