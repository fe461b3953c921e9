"""``livret webhooks doc``: the events reference of docs/webhooks.md, from the payload schemas."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook events sent to the organisations' systems (core.webhooks)."""


@webhooks_group.command("doc")
@click.option("--write", is_flag=True, help="Rewrite the events block of docs/webhooks.md.")
@click.option("--file", "path", default=None, help="The Markdown file (default: docs/webhooks.md of the checkout).")
@with_appcontext
def webhooks_doc(write: bool, path: str | None) -> None:
    """Print the events and their payloads as Markdown (or write them into docs/webhooks.md)."""
    from core.webhooks.docs import events_reference, replace_block

    block = events_reference()
    if not write:
        click.echo(block)
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = path or os.path.join(root, "docs", "webhooks.md")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(replace_block(text, block))
    click.echo(f"{path}: events reference updated.")
