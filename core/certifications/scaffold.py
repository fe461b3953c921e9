"""``livret plugin new``: a new certification plugin, written from the template shipped with Livret.

The template is the folder ``plugin_template/`` beside this module (package data of ``livret``),
rendered by `copier <https://copier.readthedocs.io/>`_: files ending in ``.jinja`` are rendered and lose
the suffix, the others (the plugin's own Jinja page templates) are copied as they are; its questions and
the answers computed from them are in ``plugin_template/copier.yml``. copier is a dependency of the
``dev`` extra (``pip install "livret[dev]"``), like ``hypothesis`` for ``livret plugin check``.

The result is an installable distribution (``pyproject.toml`` with the ``livret.plugins`` entry point,
the package with ``plugin.py``, ``referential.toml``, ``sections.py``, ``rules.py``, ``testing.py``,
``templates/``, a README with the table of the seed's rules, ``tests/``) that passes ``livret plugin
check`` and its own tests as generated. Everything runs inside an application context: a code or a
plugin name already installed is refused.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _

TEMPLATE = Path(__file__).with_name("plugin_template")
CODE = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")
MAX_CODE, MAX_TEXT = 40, 300


class ScaffoldError(Exception):
    """The plugin cannot be written (French message, shown as is)."""


@dataclass(frozen=True)
class NewPlugin:
    code: str
    title: str
    certifier: str
    routes: tuple[str, ...]
    dest: Path

    @property
    def name(self) -> str:
        """The plugin name (entry point), also the templates' folder."""
        return self.code.lower()

    @property
    def package(self) -> str:
        return f"livret_{self.name}"

    def route_list(self) -> list[dict[str, str]]:
        """The ``[[routes]]`` tables of the referential: ``[{"code": …, "label": …}]``."""
        taken: set[str] = set()
        return [{"code": route_code(label, taken), "label": label} for label in self.routes]


# ---------------------------------------------------------------------------
# answers
# ---------------------------------------------------------------------------

def default_title(code: str) -> str:
    return f"À compléter : intitulé de la certification {code}"


DEFAULT_CERTIFIER = "À compléter : organisme certificateur"


def clean_code(raw: str) -> str:
    """The code in capitals, or :class:`ScaffoldError` saying what a code is."""
    code = (raw or "").strip().upper()
    if not CODE.match(code) or len(code) > MAX_CODE:
        raise ScaffoldError(_("Code de certification invalide « %(code)s » : des lettres, des chiffres ou « _ », "
                              "en commençant par une lettre (par exemple RS1234).", code=(raw or "").strip()))
    return code


def clean_text(raw: str, label: str) -> str:
    text = (raw or "").strip()
    if not text:
        raise ScaffoldError(_("%(label)s : ce texte ne peut pas être vide.", label=label))
    if len(text) > MAX_TEXT or any(unicodedata.category(c) == "Cc" for c in text):
        raise ScaffoldError(_("%(label)s : une seule ligne de %(max)d caractères au plus.", label=label,
                              max=MAX_TEXT))
    return text


def clean_routes(raw: str) -> tuple[str, ...]:
    """The access routes of a comma-separated list (empty items dropped)."""
    return tuple(clean_text(item, _("Voies d'accès")) for item in (raw or "").split(",") if item.strip())


def route_code(label: str, taken: set[str]) -> str:
    """A route's code from its label: lower-case ASCII letters, digits and ``_`` (« Formation continue » →
    ``formation_continue``), made unique among ``taken``."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_") or "voie"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


def not_installed(code: str) -> str:
    """``code``, or :class:`ScaffoldError` when it or its plugin name is already installed."""
    from importlib.metadata import entry_points

    from core.plugins import ENTRY_POINT_GROUP, plugin_names

    state = current_app.extensions["livret"]
    cert = state.certifications.get(code)
    if cert is not None:
        raise ScaffoldError(_("La certification %(code)s est déjà fournie par le greffon installé %(plugin)s.",
                              code=code, plugin=cert.plugin or "?"))
    installed = set(plugin_names(state.pm)) | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if code.lower() in installed:
        raise ScaffoldError(_("Un greffon nommé %(name)s est déjà installé.", name=code.lower()))
    return code


def conflicts(plugin: NewPlugin) -> None:
    """Refuse a code or a plugin name already installed, and an existing destination."""
    not_installed(plugin.code)
    if plugin.dest.exists():
        raise ScaffoldError(_("La destination %(path)s existe déjà : choisissez-en une autre avec --dest.",
                              path=plugin.dest))


def gather(code: str | None, title: str | None, certifier: str | None, routes: str | None, dest: Path | None,
           use_defaults: bool) -> NewPlugin:
    """The answers: given as options, else asked (``click.prompt``), else defaulted with ``use_defaults``."""

    def ask(label: str, default: str | None, clean):
        def check(value: str):
            try:
                return clean(value)
            except ScaffoldError as exc:
                raise click.UsageError(str(exc)) from None

        return click.prompt(label, default=default, value_proc=check, show_default=default is not None)

    if code is not None:
        code = clean_code(code)
    elif use_defaults:
        raise ScaffoldError(_("Indiquez le code de la certification (--code) : il n'a pas de valeur par défaut."))
    else:
        code = ask(_("Code de la certification (par exemple RS1234)"), None, lambda v: not_installed(clean_code(v)))
    if title is not None:
        title = clean_text(title, _("Intitulé"))
    else:
        title = default_title(code) if use_defaults else ask(
            _("Intitulé de la certification"), default_title(code), lambda v: clean_text(v, _("Intitulé")))
    if certifier is not None:
        certifier = clean_text(certifier, _("Certificateur"))
    else:
        certifier = DEFAULT_CERTIFIER if use_defaults else ask(
            _("Organisme certificateur"), DEFAULT_CERTIFIER, lambda v: clean_text(v, _("Certificateur")))
    if routes is None and not use_defaults:
        routes = click.prompt(_("Voies d'accès, séparées par des virgules (par exemple VAE)"), default="",
                              show_default=False)
    target = Path(dest) if dest is not None else Path("plugins") / code.lower()
    return NewPlugin(code, title, certifier, clean_routes(routes or ""), target.absolute())


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------

def write(plugin: NewPlugin) -> list[Path]:
    """Render the template into ``plugin.dest``; the files written, sorted."""
    try:
        from copier import run_copy
    except ImportError:
        raise ScaffoldError(_("« livret plugin new » a besoin de copier : pip install \"livret[dev]\".")) from None
    data = {"code": plugin.code, "title": plugin.title, "certifier": plugin.certifier,
            "route_list": plugin.route_list()}
    run_copy(str(TEMPLATE), plugin.dest, data=data, defaults=True, quiet=True, overwrite=False)
    return sorted(p for p in plugin.dest.rglob("*") if p.is_file())


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def new_plugin(code: str | None = None, title: str | None = None, certifier: str | None = None,
               routes: str | None = None, dest: Path | None = None, use_defaults: bool = False) -> NewPlugin:
    """What ``livret plugin new`` does: gather, refuse conflicts, write, say what to do next."""
    plugin = gather(code, title, certifier, routes, dest, use_defaults)
    conflicts(plugin)
    files = write(plugin)
    where = _shown(plugin.dest)
    click.echo(_("Greffon %(name)s (certification %(code)s) écrit dans %(path)s : %(count)d fichiers.",
                 name=plugin.name, code=plugin.code, path=where, count=len(files)))
    click.echo(_("Étapes suivantes :"))
    install = where if "/" in where else f"./{where}"  # pip reads a bare name as a distribution's
    for command in (f"pip install -e {install}", "livret plugins", f"livret plugin check {plugin.code}"):
        click.echo(f"  {command}")
    click.echo(_("Puis remplacez chaque texte « À compléter » par celui du règlement (voir %(readme)s).",
                 readme=_shown(plugin.dest / "README.md")))
    return plugin
