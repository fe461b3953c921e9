"""``livret pki export-root``, ``livret seal IN.pdf OUT.pdf [--level] [--reason]``
and ``livret seal renew``: the builders of :mod:`signing.cli` run inside the
Flask application context, with the configuration from the settings."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from signing.cli import make_pki_group, make_seal_command


def _config():
    from core.sealing.services import SealingFailed, prepared_config

    try:
        return prepared_config()
    except SealingFailed as exc:
        raise click.ClickException(str(exc)) from None


def _in_app_context(command: click.Command) -> click.Command:
    command.callback = with_appcontext(command.callback)
    return command


def _pki_config():
    # export-root needs the root only (generated on first use), no running TSA
    from core.sealing.services import signing_config

    return signing_config()


def pki_group() -> click.Group:
    group = make_pki_group(_pki_config)
    for command in group.commands.values():
        _in_app_context(command)
    group.add_command(person_crl_command)
    return group


@click.command("person-crl")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the CRL (DER), to publish at SIGNING_PERSON_CA_CRL_URL.")
@with_appcontext
def person_crl_command(output: Path) -> None:
    """Write the CRL of the production CA of the personal signatures (valid 7 days: run it daily)."""
    from core.sealing.services import signing_config

    authority = signing_config().person_authority()
    if authority is None:
        raise click.ClickException("No personal-signature CA is configured (SIGNING_PERSON_CA_*).")
    output.write_bytes(authority.crl())
    click.echo(f"CRL of « {authority.ca_cert.subject.human_friendly} » written to {output}")


class SealGroup(click.Group):
    """``livret seal IN OUT`` seals a file; ``livret seal renew`` is a subcommand.

    Any first argument that is not a subcommand name is routed to the hidden
    file-sealing command (write ``./renew`` for a file named ``renew``).
    """

    FILE_COMMAND = "_file"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.FILE_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "IN.pdf OUT.pdf [--level B-LTA] [--reason TEXT] [--location TEXT]")
        formatter.write_usage(ctx.command_path, "renew [--now ISO-DATE]", prefix="   or: ")
        formatter.write_usage(ctx.command_path, "check [--full]", prefix="   or: ")


def seal_group() -> click.Group:
    base = make_seal_command(_config)
    seal_file = base.callback

    @with_appcontext
    def seal_and_record(in_pdf: Path, out_pdf: Path, **options):
        from core.extensions import db
        from core.sealing.services import record_external_seal

        seal_file(in_pdf=in_pdf, out_pdf=out_pdf, **options)
        record_external_seal(out_pdf.read_bytes())
        db.session.commit()

    base.callback = seal_and_record
    base.name = SealGroup.FILE_COMMAND
    base.hidden = True

    group = SealGroup("seal", help=(
        "Appose le cachet de l'organisme sur un PDF produit ailleurs (livret seal IN.pdf OUT.pdf), "
        "ou renouvelle l'horodatage des documents scellés (livret seal renew)."))
    group.add_command(base)
    group.add_command(renew_command)
    group.add_command(lock_command)
    group.add_command(check_command)
    return group


@click.command("check", help="Vérifie chaque document émis : objet présent, empreinte SHA-256 identique à celle "
                             "de l'émission, signatures valides, reconnu comme émis par cette plateforme (après "
                             "une restauration, par exemple). Code de sortie 1 au moindre problème.")
@click.option("--full", is_flag=True, help="Revérifie chaque signature avec pyHanko au lieu du rapport d'émission.")
@with_appcontext
def check_command(full: bool) -> None:
    from core.sealing.check import check_documents

    result = check_documents(full=full)
    for problem in result.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    if not result.ok:
        click.echo(f"{len(result.problems)} problem(s) in {result.checked} document(s).", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {result.checked} document(s) present, intact, valid and issued by this platform.")


@click.command("renew", help="Ajoute un horodatage de document aux documents scellés dont le dernier "
                             "horodatage vieillit ou dont le certificat de l'autorité d'horodatage expire bientôt.")
@click.option("--now", "now", default=None, help="Date de référence ISO 8601 (défaut : maintenant).")
@with_appcontext
def renew_command(now):
    from datetime import datetime, timezone

    from core.sealing.services import SealingFailed, renew_seals

    moment = None
    if now:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            raise click.BadParameter("date ISO 8601 attendue, par exemple 2030-01-31", param_hint="--now") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    try:
        counts = renew_seals(now=moment)
    except SealingFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{counts['due']} document(s) à renouveler, {counts['renewed']} renouvelé(s), "
               f"{counts['failed']} en échec.")
    if counts["failed"]:
        raise SystemExit(1)


@click.command("lock", help="Verrouille dans le stockage les documents émis qui ne le sont pas encore (bucket à "
                            "verrouillage d'objets, rétention SEALED_RETENTION_DAYS ; fichiers en lecture seule).")
@with_appcontext
def lock_command():
    from sqlalchemy import select

    from core.dossiers.models import Document
    from core.extensions import db
    from core.sealing.immutable import seal_now

    keys = db.session.scalars(select(Document.storage_key).where(Document.storage_key.is_not(None))).all()
    locked = kept = failed = 0
    for key in keys:
        result = seal_now(key)
        if result is None:
            failed += 1
        elif result.locked:
            locked += 1
        else:
            kept += 1
    click.echo(f"{len(keys)} document(s) : {locked} verrouillé(s) avec rétention, {kept} en lecture seule sans "
               f"rétention, {failed} en échec.")
    if failed:
        raise SystemExit(1)
