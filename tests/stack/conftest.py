"""The stack test starts every service of a deployment (about 40 s, 6 min in all on two cores): it runs with
``make stack-test`` (``pytest tests/stack -m stack``) or ``LIVRET_STACK_TEST=1``, not in the default run."""
from __future__ import annotations

import os
import sys


def _wanted(config) -> bool:
    return "stack" in (config.getoption("markexpr", "") or "") or os.environ.get("LIVRET_STACK_TEST") == "1"


def pytest_ignore_collect(collection_path, config):
    if collection_path.name.startswith("test_") and not _wanted(config):
        return True
    return None


def pytest_terminal_summary(terminalreporter):
    faults = sys.modules.get("tests.stack.stack_faults")  # loaded only when the stack test ran
    if faults is not None and faults.FIGURES:
        FIGURES = faults.FIGURES
        terminalreporter.section("stack test figures")
        for title, figures in FIGURES:
            terminalreporter.write_line(f"{title}: " + ", ".join(f"{k}={v}" for k, v in figures.items()
                                                                  if k != "killed_at"))
