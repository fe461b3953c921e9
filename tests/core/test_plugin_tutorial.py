"""docs/plugin-tutorial.md cannot rot: its ```console blocks are run, in order, as a reader would.

Each block's lines starting with ``$ `` are commands, run by bash in one empty folder with a throwaway
virtualenv layered over the running one first on the ``PATH`` (so the tutorial's ``pip install -e`` installs
there, never into Livret's virtualenv); the lines under a command are output it must print, in that order
(a line ending in ``…`` matches a line starting with what precedes it; ``…`` alone stands for lines left
out).
"""
from __future__ import annotations

import re

import pytest

from tests.core.plugin_kit import ROOT, clean_env, explain, installed_here, layered_venv, run

TUTORIAL = ROOT / "docs" / "plugin-tutorial.md"
ELLIPSIS = "…"


def console_steps(markdown: str) -> list[tuple[str, list[str]]]:
    """``[(command, expected output lines)]`` of the ```console blocks, in order."""
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```", markdown, re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps and line.strip() != ELLIPSIS:
                steps[-1][1].append(line.rstrip())
    return steps


def missing_lines(expected: list[str], output: str) -> list[str]:
    """The expected lines not found in ``output``, in order (an empty list when all are)."""
    lines = [line.rstrip() for line in output.splitlines()]
    position = 0
    for index, wanted in enumerate(expected):
        prefix = wanted[:-1] if wanted.endswith(ELLIPSIS) else None
        for position in range(position, len(lines)):
            if (lines[position].startswith(prefix) if prefix is not None else lines[position] == wanted):
                position += 1
                break
        else:
            return expected[index:]
    return []


def test_the_tutorial_shows_the_way_from_plugin_new_to_a_passing_check():
    commands = [command for command, _ in console_steps(TUTORIAL.read_text(encoding="utf-8"))]
    assert commands[0].startswith("livret plugin new --defaults --code MYCERT1")
    assert "pip install --quiet -e plugins/mycert1" in commands
    assert "livret plugin check MYCERT1" in commands
    assert any(command.endswith("pytest -q plugins/mycert1") for command in commands)


def test_the_output_matcher():
    assert missing_lines(["a", "c…"], "a\nb\ncd\n") == []
    assert missing_lines(["c", "a"], "a\nb\nc\n") == ["a"]


@pytest.mark.slow
def test_the_tutorial_commands_run_as_written(tmp_path):
    bin_dir = layered_venv(tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    env = clean_env(PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", VIRTUAL_ENV=str(bin_dir.parent),
                    LIVRET_INSTANCE_PATH=str(tmp_path / "instance"))
    for command, expected in console_steps(TUTORIAL.read_text(encoding="utf-8")):
        result = run(["bash", "-c", command], cwd=work, env=env)
        assert result.returncode == 0, explain(result)
        missing = missing_lines(expected, result.stdout)
        assert not missing, f"docs/plugin-tutorial.md: output not found: {missing!r}\n{explain(result)}"
    assert not installed_here("livret-mycert1")  # the tutorial's pip install -e went to the throwaway venv
