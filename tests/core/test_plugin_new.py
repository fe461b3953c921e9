"""``livret plugin new``: a generated plugin installs, is listed, passes ``livret plugin check`` and its own
tests; bad answers are refused with a French message and exit 1, nothing written."""
from __future__ import annotations

import sys
import tomllib

import pytest

from core.certifications.referential import load_referential
from core.certifications.scaffold import route_code
from tests.core.plugin_kit import clean_env, explain, installed_here, livret, run


def new(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["plugin", "new", *args], input=input)


def test_bad_answers_are_refused_and_nothing_is_written(app, tmp_path):
    dest = tmp_path / "out"
    cases = [
        (["--code", "12AB"], "Code de certification invalide « 12AB » : des lettres, des chiffres ou « _ », en "
                             "commençant par une lettre (par exemple RS1234)."),
        (["--code", "my-cert"], "Code de certification invalide « my-cert »"),
        (["--code", "RS6776"], "La certification RS6776 est déjà fournie par le greffon installé rs6776."),
        (["--code", "rncp37827"], "La certification RNCP37827 est déjà fournie par le greffon installé rncp37827."),
        ([], "Indiquez le code de la certification (--code) : il n'a pas de valeur par défaut."),
        (["--code", "AB12", "--title", "Titre\x07"], "Intitulé : une seule ligne de 300 caractères au plus."),
        (["--code", "AB12", "--certifier", " "], "Certificateur : ce texte ne peut pas être vide."),
    ]
    for args, message in cases:
        result = new(app, "--defaults", "--dest", str(dest), *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert not dest.exists()
    dest.mkdir()
    result = new(app, "--defaults", "--code", "AB12", "--dest", str(dest))
    assert result.exit_code == 1
    assert f"La destination {dest} existe déjà : choisissez-en une autre avec --dest." in result.output
    assert list(dest.iterdir()) == []


def test_missing_answers_are_asked(app, tmp_path):
    dest = tmp_path / "ab12"
    # an invalid or installed code is asked again; an empty answer keeps the default
    result = new(app, "--dest", str(dest), input="1x\nrs6776\nab12\nIntitulé « saisi »\n\nVAE, Formation continue\n")
    assert result.exit_code == 0, result.output
    assert "Code de certification invalide « 1x »" in result.output
    assert "La certification RS6776 est déjà fournie par le greffon installé rs6776." in result.output
    assert "Greffon ab12 (certification AB12) écrit dans" in result.output
    cert = load_referential(dest / "livret_ab12" / "referential.toml")
    assert (cert.code, cert.title, cert.certifier) == ("AB12", "Intitulé « saisi »", "À compléter : organisme certificateur")
    assert cert.access_routes == ("VAE", "Formation continue")
    assert [(r.code, r.label) for r in cert.routes] == [("vae", "VAE"), ("formation_continue", "Formation continue")]
    assert cert.registry == "RS"


def test_route_codes_are_lower_case_ascii_and_unique():
    taken: set[str] = set()
    codes = [route_code(label, taken) for label in ("VAE", "Après la formation", "vae", "« … »")]
    assert codes == ["vae", "apres_la_formation", "vae_2", "voie"]


def test_the_referential_has_placeholders_and_quotes_what_is_typed(app, tmp_path):
    dest = tmp_path / "rncp1"
    title = 'Titre avec "guillemets", \\ et l\'apostrophe'
    result = new(app, "--defaults", "--code", "RNCP1", "--title", title, "--dest", str(dest))
    assert result.exit_code == 0, result.output
    cert = load_referential(dest / "livret_rncp1" / "referential.toml")
    assert (cert.code, cert.title, cert.registry, cert.access_routes, cert.routes) == ("RNCP1", title, "RNCP", (), ())
    [block] = cert.blocks
    [competency] = block.competencies
    [criterion] = competency.criteria
    for text in (block.title, competency.title, criterion.text, cert.certifier):
        assert text.startswith("À compléter : ")
    assert competency.editable
    project = tomllib.loads((dest / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["livret.plugins"] == {"rncp1": "livret_rncp1.plugin"}
    assert title in project["project"]["description"]


@pytest.mark.slow
def test_a_generated_plugin_installs_is_listed_checks_and_passes_its_tests(tmp_path):
    """The whole way, in subprocesses, as a plugin author would; the plugin is installed with
    ``pip install --target`` (a real build, package data included) into a folder on ``PYTHONPATH``."""
    env = clean_env(LIVRET_INSTANCE_PATH=str(tmp_path / "instance"))
    title, certifier = "Certification de test « TEST123 »", "Organisme de test"
    result = run([*livret(), "plugin", "new", "--defaults", "--code", "TEST123", "--title", title,
                  "--certifier", certifier, "--routes", "VAE", "--dest", "test123"], cwd=tmp_path, env=env)
    assert result.returncode == 0, explain(result)
    assert "Greffon test123 (certification TEST123) écrit dans test123 : " in result.stdout
    assert "  pip install -e ./test123" in result.stdout.splitlines()

    site = tmp_path / "site"
    result = run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                  str(tmp_path / "test123")], cwd=tmp_path, env=env)
    assert result.returncode == 0, explain(result)
    env["PYTHONPATH"] = str(site)

    result = run([*livret(), "plugins"], cwd=tmp_path, env=env)
    assert result.returncode == 0, explain(result)
    lines = result.stdout.splitlines()
    assert "test123 (livret-test123 0.1.0) — livret_test123.plugin" in lines
    assert f"  TEST123  {title} — {certifier}" in lines

    result = run([*livret(), "plugin", "check", "TEST123", "--examples", "50"], cwd=tmp_path, env=env)
    assert result.returncode == 0, explain(result)
    assert "1 certification(s) vérifiée(s) : 0 erreur(s), 0 avertissement(s)." in result.stdout
    assert "Conforme au contrat des greffons." in result.stdout
    assert "Pas de données d'exemple" not in result.stdout  # testing.example_sections was found

    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test123")],
                 cwd=tmp_path, env=env)
    assert result.returncode == 0, explain(result)
    assert "6 passed" in result.stdout
    assert not installed_here("livret-test123")  # the running virtualenv was left alone
