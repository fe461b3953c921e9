"""Click commands of the signing layer, free of Flask.

The host builds them with a zero-argument callable returning the
:class:`~signing.config.SigningConfig` (called only when a command runs,
e.g. inside the Flask app context)::

    from signing.cli import make_pki_group, make_seal_command
    app.cli.add_command(make_pki_group(lambda: build_signing_config(current_app)))
    app.cli.add_command(make_seal_command(lambda: build_signing_config(current_app)))

giving ``livret pki export-root`` and ``livret seal IN.pdf OUT.pdf``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import click

from .config import LEVELS, SigningConfig
from .errors import SigningLayerError

ConfigFactory = Callable[[], SigningConfig]


def make_pki_group(get_config: ConfigFactory) -> click.Group:
    @click.group("pki", help="Infrastructure de clés du cachet.")
    def pki():
        pass

    @pki.command("export-root", help="Affiche le certificat racine (PEM) pour vérifier les signatures.")
    def export_root():
        cfg = get_config()
        try:
            roots = cfg.trust_root_certs()
        except SigningLayerError as exc:
            raise click.ClickException(str(exc)) from None
        if not roots:
            raise click.ClickException("Aucun certificat racine n'est configuré.")
        from asn1crypto import pem

        for cert in roots:
            click.echo(pem.armor("CERTIFICATE", cert.dump()).decode("ascii"), nl=False)

    return pki


def make_seal_command(get_config: ConfigFactory) -> click.Command:
    @click.command("seal", help="Appose le cachet de l'organisme sur un PDF produit ailleurs.")
    @click.argument("in_pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.argument("out_pdf", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--level", type=click.Choice(LEVELS), default=None,
                  help="Niveau PAdES (défaut : celui de la configuration, B-LTA).")
    @click.option("--reason", default=None, help="Motif affiché dans la signature.")
    @click.option("--location", default=None, help="Lieu affiché dans la signature.")
    def seal_command(in_pdf: Path, out_pdf: Path, level, reason, location):
        from .pades import seal

        cfg = get_config()
        try:
            out = seal(in_pdf.read_bytes(), level=level, reason=reason,
                       location=location, config=cfg)
        except SigningLayerError as exc:
            raise click.ClickException(str(exc)) from None
        # write atomically: OUT exists only if sealing succeeded
        tmp = out_pdf.with_name(f".{out_pdf.name}.{os.getpid()}.tmp")
        tmp.write_bytes(out)
        os.replace(tmp, out_pdf)
        click.echo(f"Document scellé ({level or cfg.default_level}) : {out_pdf}")

    return seal_command
