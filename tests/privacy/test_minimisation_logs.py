"""Minimisation: no personal data in the logs. The scan of every log record of a test session
(:mod:`core.testing_logs`, installed by the ``livret`` pytest plugin) fails the session that logs any, with or
without pytest-xdist; and the log lines of core that used to carry an e-mail address carry ids."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

SESSION = '''
import logging

import pytest

log = logging.getLogger("core.example")


@pytest.mark.logs_personal_data("proves that a formatter hides it")
def test_logs_an_address_on_purpose():
    log.warning("masked later: noah.bernard@example.org")


def test_logs_ids_only():
    log.info("dossier %s submitted by account %s", 12, 34)
    logging.getLogger("signing.example").warning("seal of document %s renewed", 56)


def test_logs_an_address():
    log.info("mail sent to %s", "camille.martin@example.org")


def test_logs_a_demo_candidate():
    log.warning("reminder for Lefèvre Manon")


def test_logs_a_date_of_birth():
    logging.getLogger("third.party").error("bad row %r", {"date_naissance": "14/07/1990"})
'''

CLEAN = '''
import logging


def test_clean():
    logging.getLogger("core.example").info("dossier %s submitted", 12)
'''


def _run(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess:
    test_file = tmp_path / "test_logged.py"
    test_file.write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run([sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_a_session_that_logs_personal_data_fails(tmp_path, workers):
    result = _run(tmp_path, SESSION, *workers)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "5 passed" in out  # every test passed: the scan fails the session
    assert "personal data in the logs" in out and "3 log record(s) carry personal data" in out
    assert "e-mail address: 'camille.martin@example.org'" in out and "test_logs_an_address" in out
    assert "name of a demo person: 'Lefèvre Manon'" in out
    assert "date of birth: \"naissance': '1\"" in out or "date of birth:" in out
    assert "dossier 12 submitted" not in out and "noah.bernard" not in out  # the marked test is left out


def test_a_clean_session_passes(tmp_path):
    result = _run(tmp_path, CLEAN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "personal data in the logs" not in result.stdout


def test_this_session_is_scanned():
    from core.testing_logs import build_pattern

    assert logging.Logger.callHandlers.__name__ == "call_handlers"  # the scan's wrapper, for this whole session
    assert logging.getLogger("core.privacy").getEffectiveLevel() == logging.INFO  # as production runs it
    pattern = build_pattern()
    for clean in ("account 12 signed in", "session 3 of jury, 2026-03-04", "postgresql://postgres@127.0.0.1/x",
                  "Tom renewed the seal"):
        assert pattern.search(clean) is None, clean
    for leak in ("to: noah@example.org", "Camille  Martin asked", "born 1988-06-15", "'date_naissance': '1990"):
        assert pattern.search(leak) is not None, leak


def test_the_pv_mail_failure_is_logged_without_the_address(app, caplog, monkeypatch):
    """core.pv.services: an e-mail that cannot be sent after a sealed PV is logged by its subject's kind and
    the number of recipients, never the addresses."""
    from core.pv import services

    def refuse(**kwargs):
        raise RuntimeError("SMTP refused")

    monkeypatch.setattr("core.mail.send_mail", refuse)
    work = services.Work(mails=[{"to": ["camille.martin@example.org"], "subject": "Procès-verbal scellé",
                                 "body": "..."}])
    with app.app_context(), caplog.at_level(logging.ERROR, logger="core.pv.services"):
        work.after_commit()
    assert "could not send" in caplog.text and "example.org" not in caplog.text
