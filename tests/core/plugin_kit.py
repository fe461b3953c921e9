"""Helpers of the tests that generate a plugin (``livret plugin new``) and install it in a subprocess.

Nothing here writes to the virtualenv running the tests: a generated plugin is installed either with
``pip install --target`` into a temporary folder put on ``PYTHONPATH``, or into a throwaway virtualenv
layered over the running one (:func:`layered_venv`), where ``pip install -e`` works as a reader types it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess: this one without pytest's, virtualenv and path variables, pip
    quiet and non-interactive, tests on SQLite only (what ``LIVRET_TEST_DATABASES=sqlite`` gives)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "COV_")) and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", LIVRET_TEST_DATABASES="sqlite",
               PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def livret() -> list[str]:
    """The ``livret`` command of the running virtualenv."""
    script = BIN / "livret"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from core.cli import main; sys.argv[0] = 'livret'; main()"]


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def explain(result: subprocess.CompletedProcess) -> str:
    return f"$ {' '.join(map(str, result.args))}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr[-4000:]}"


WRAPPER = """#!/bin/sh
exec "{python}" {args} "$@"
"""


def layered_venv(path: Path) -> Path:
    """A virtualenv at ``path`` that sees every package of the running one (a ``.pth`` file adds its
    site-packages, editable installs included) but installs into its own; ``pip``, ``livret`` and
    ``pytest`` are scripts of its ``bin/``, which is returned."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    base = sysconfig.get_paths()["purelib"]
    Path(purelib, "_livret_base.pth").write_text(f"import site; site.addsitedir({base!r})\n", encoding="utf-8")
    scripts = {"pip": "-m pip", "pytest": "-m pytest",
               "livret": "-c 'import sys; from core.cli import main; sys.argv[0] = \"livret\"; main()'"}
    for name, args in scripts.items():
        script = path / "bin" / name
        script.write_text(WRAPPER.format(python=python, args=args), encoding="utf-8")
        script.chmod(0o755)
    return path / "bin"


def installed_here(distribution: str) -> bool:
    """Whether ``distribution`` is installed in the virtualenv running the tests."""
    from importlib.metadata import PackageNotFoundError, distribution as find

    try:
        find(distribution)
    except PackageNotFoundError:
        return False
    return True
