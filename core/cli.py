"""The ``livret`` command: Flask's commands (run, shell, db …) plus Livret's own."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from core.config import ConfigError
from core.plugins import PluginLoadError


def _create_app_for_cli():
    from core import create_app

    try:
        return create_app()
    except (ConfigError, PluginLoadError) as exc:
        raise click.ClickException(f"Livret cannot start: {exc}") from None


@click.group(cls=FlaskGroup, create_app=_create_app_for_cli, add_version_option=False)
def cli() -> None:
    """Livret: VAE dossiers and certifications."""


def main() -> None:
    try:
        cli.main(prog_name="livret")
    except (ConfigError, PluginLoadError) as exc:  # raised before click could wrap it
        click.echo(f"Error: Livret cannot start: {exc}", err=True)
        sys.exit(2)


def register_commands(app) -> None:
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(plugins_command)
    app.cli.add_command(plugin_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    from core.scheduler import scheduler_command

    app.cli.add_command(scheduler_command)
    from core.audit.cli import audit_group
    from core.sealing.cli import pki_group, seal_group

    app.cli.add_command(pki_group())
    app.cli.add_command(seal_group())
    app.cli.add_command(audit_group)
    from core.annexes.cli import annexes_group, storage_group

    app.cli.add_command(storage_group)
    app.cli.add_command(annexes_group)
    app.cli.add_command(policy_group)
    from core.webhooks.cli import webhooks_group

    app.cli.add_command(webhooks_group)
    from core.privacy.cli import privacy_group, retention_group

    app.cli.add_command(retention_group)
    app.cli.add_command(privacy_group)


# ---------------------------------------------------------------------------
# policy
# ---------------------------------------------------------------------------

@click.group("policy")
def policy_group() -> None:
    """The authorisation policy (core.policy)."""


@policy_group.command("doc")
@click.option("--write", is_flag=True, help="Rewrite the « Who sees what » block of docs/api.md.")
@click.option("--file", "path", default=None, help="The Markdown file (default: docs/api.md of the checkout).")
@with_appcontext
def policy_doc(write: bool, path: str | None) -> None:
    """Print the policy table as Markdown (or write it into docs/api.md)."""
    import os

    from core.policy.docs import replace_block, who_sees_what

    block = who_sees_what()
    if not write:
        click.echo(block)
        return
    path = path or os.path.join(os.path.dirname(os.path.dirname(__file__)), "docs", "api.md")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(replace_block(text, block))
    click.echo(f"{path}: « Who sees what » updated.")


# ---------------------------------------------------------------------------
# users
# ---------------------------------------------------------------------------

@click.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least PASSWORD_MIN_LENGTH characters.")
@click.option("--role", required=True, type=click.Choice([
    "candidate", "juror", "session_manager", "certifier_staff", "certifier_admin", "platform_admin"]))
@click.option("--organisation", default=None, help="Certifier organisation (name or slug); created if new.")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@with_appcontext
def users_create(email, password, role, organisation, first_name, last_name) -> None:
    """Create a verified account."""
    from core.auth.services import create_user, get_or_create_organisation
    from core.errors import UserError
    from core.extensions import db

    try:
        org = get_or_create_organisation(organisation) if organisation else None
        user = create_user(email=email, password=password, role=role, organisation=org,
                           first_name=first_name, last_name=last_name, verified=True,
                           min_password_length=current_app.config["PASSWORD_MIN_LENGTH"])
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created user {user.id} <{user.email}> with role {user.role.value}"
               + (f" in organisation {org.slug}" if org else ""))


# ---------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------

@click.group()
def tokens() -> None:
    """Manage API bearer tokens."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli", help="A label to recognise the token.")
@click.option("--days", type=int, default=None, help="Expire after this many days (default: never).")
@with_appcontext
def tokens_create(email, name, days) -> None:
    """Print a new token for the account (shown once, stored hashed)."""
    from core.api.services import issue_token
    from core.auth.services import find_user_by_email
    from core.extensions import db

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    secret, _token = issue_token(user, name=name, days=days)
    db.session.commit()
    click.echo(secret)


@tokens.command("revoke")
@click.argument("token_or_hint")
@with_appcontext
def tokens_revoke(token_or_hint) -> None:
    """Revoke a token, given in full or by its hint (its first characters)."""
    from core.api.services import revoke_token
    from core.extensions import db

    count = revoke_token(token_or_hint)
    db.session.commit()
    if not count:
        raise click.ClickException("No active token matches.")
    click.echo(f"Revoked {count} token(s).")


# ---------------------------------------------------------------------------
# plugins, demo, worker
# ---------------------------------------------------------------------------

@click.command("plugins")
@with_appcontext
def plugins_command() -> None:
    """List installed plugins and their certifications."""
    from core.plugins import plugin_names

    state = current_app.extensions["livret"]
    names = plugin_names(state.pm)
    if not names:
        click.echo("No certification plugin installed.")
    for name in names:
        plugin = state.pm.get_plugin(name)
        dist = _distribution_of(name)
        click.echo(f"{name}{f' ({dist})' if dist else ''} — {getattr(plugin, '__name__', type(plugin).__name__)}")
        for cert in state.certifications.values():
            if cert.plugin == name:
                click.echo(f"  {cert.code}  {cert.title} — {cert.certifier}")


def _distribution_of(name: str) -> str:
    from importlib.metadata import entry_points

    from core.plugins import ENTRY_POINT_GROUP

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name and ep.dist is not None:
            return f"{ep.dist.name} {ep.dist.version}"
    return ""


# ---------------------------------------------------------------------------
# plugin: tools for plugin authors (subcommands added with @plugin_group.command)
# ---------------------------------------------------------------------------

@click.group("plugin")
def plugin_group() -> None:
    """Tools for certification plugin authors."""


@plugin_group.command("check")
@click.argument("codes", nargs=-1)
@click.option("--all", "check_all", is_flag=True, help="Check every installed certification.")
@click.option("--examples", "max_examples", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="How many grid combinations hypothesis tries on the decision rules.")
@click.option("--no-documents", is_flag=True, help="Do not produce the Livret 2 PDF of the example dossier.")
@with_appcontext
def plugin_check(codes: tuple[str, ...], check_all: bool, max_examples: int, no_documents: bool) -> None:
    """Check certification plugins against the contract (French report; exit 1 on any error)."""
    from flask_babel import gettext as _

    from core.certifications.check import check_certifications

    if check_all == bool(codes):
        raise click.UsageError("Give certification codes or --all (not both).")
    try:
        report = check_certifications(None if check_all else list(codes), max_examples=max_examples,
                                      documents=not no_documents)
    except KeyError as exc:
        raise click.ClickException(_("Certification inconnue : %(codes)s.", codes=exc.args[0])) from None
    for code in report.certifications:
        click.echo(_("Certification %(code)s", code=code))
        _echo_findings([f for f in report.findings if f.certification == code])
    plugin_wide = [f for f in report.findings if not f.certification]
    if report.plugins:
        click.echo(_("Greffons : %(names)s", names=", ".join(report.plugins)))
        _echo_findings(plugin_wide)
    errors, warnings = len(report.errors), len(report.of("warning"))
    summary = _("%(certifications)d certification(s) vérifiée(s) : %(errors)d erreur(s), %(warnings)d "
                "avertissement(s).", certifications=len(report.certifications), errors=errors, warnings=warnings)
    click.echo(summary)
    click.echo(_("Conforme au contrat des greffons.") if report.ok else _("Non conforme : corrigez les erreurs."))
    if not report.ok:
        sys.exit(1)


def _echo_findings(findings) -> None:
    from flask_babel import gettext as _

    labels = {"error": _("ERREUR"), "warning": _("ATTENTION"), "info": _("INFO")}
    if not any(f.severity != "info" for f in findings):
        click.echo("  " + _("OK"))
    for f in findings:
        click.echo(f"  [{labels.get(f.severity, f.severity)}] {f.what} — {f.where} : {f.message}")


@plugin_group.command("new")
@click.option("--code", help="Certification code: letters, digits, '_' (e.g. RS1234).")
@click.option("--title", help="Title of the certification.")
@click.option("--certifier", help="Certifier (organisme certificateur).")
@click.option("--routes", help="Access routes, comma-separated (e.g. \"VAE\").")
@click.option("--dest", type=click.Path(file_okay=True, dir_okay=True, path_type=Path),
              help="Folder to write (must not exist) [default: plugins/<code in lower case>].")
@click.option("--defaults", "use_defaults", is_flag=True,
              help="Ask nothing: placeholders for what is not given (--code is still required).")
@with_appcontext
def plugin_new(code, title, certifier, routes, dest, use_defaults) -> None:
    """Write a new certification plugin (an installable distribution) from Livret's template."""
    from core.certifications.scaffold import ScaffoldError, new_plugin

    try:
        new_plugin(code, title, certifier, routes, dest, use_defaults)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo accounts for every role (printed with their passwords) and demo data."""
    from core.demo import load_demo

    for line in load_demo():
        click.echo(line)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@with_appcontext
def worker_command(burst) -> None:
    """Run the RQ worker (JOBS_BACKEND=rq)."""
    jobs = current_app.extensions["livret"].jobs
    if not hasattr(jobs, "work"):
        raise click.ClickException("JOBS_BACKEND is 'inline': jobs run at once, no worker is needed.")
    jobs.work(burst=burst, app=current_app._get_current_object())
