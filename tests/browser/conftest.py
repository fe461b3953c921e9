"""The browser suite: Debian's Chromium driven by Playwright against a live Livret.

One live server per test session (per xdist worker): the real app factory on a
SQLite file, CSRF and rate limits on as in production, the development PKI
and its local TSA (shared with the sealing suites), e-mails to the outbox, the
demo accounts and data of ``livret demo``. It is served by werkzeug's threaded
server in this process, so that tests can read the outbox and the database.

Each user gets a browser context of their own (``open_as``) and signs in
through the real form. Every page a journey visits is checked by
``browser_support.Person.check``: axe-core (WCAG 2.1 A/AA), unique ids, named
controls, CSRF token in every POST form; and a full-page screenshot is saved
under ``LIVRET_SCREENSHOTS`` (default ``$TMPDIR/livret-screenshots``), which CI
prints. Nothing downloads a browser: ``/usr/bin/chromium`` is a Debian package
listed in ``scripts/system-deps.txt``.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.sealing.testing import signing_env  # noqa: F401
from browser_support import CHROMIUM, CHROMIUM_ARGS, People, screenshot_root


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, signing_env):  # noqa: F811 - the shared signing fixture
    from core.testing import live_platform

    with live_platform(tmp_path_factory.mktemp("browser"), signing_env) as app:
        yield app


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium, headless, without reaching out to the network."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package chromium (scripts/system-deps.txt)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="module")
def browser(browser_type_launch_args):
    """Chromium for the tests of one module, with a Playwright of their own that stops at the module's end.

    Playwright's sync API runs an asyncio loop in the test thread while it is started: pyHanko's
    ``asyncio.run`` (signing, sealing, verifying) then fails in that thread. pytest-playwright's Playwright
    lives for the whole session, so the tests that follow on the same xdist worker would inherit the loop;
    this one is closed when the module's tests are done. (Signing in a journey's own set-up runs
    ``off_the_loop``.)
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(**browser_type_launch_args)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    root = screenshot_root()
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def people(request, browser, live_server, screenshots):
    """``people.open_as(email, password)`` / ``people.anonymous()``: one browser context per person (French,
    Europe/Paris), closed at the end; every page they load must have been checked (``Visit.check``)."""
    folder = screenshots / request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    session = People(browser, live_server, folder)
    try:
        yield session
    finally:
        session.close()
    session.assert_every_page_checked()


def pytest_sessionfinish(session, exitstatus):
    root = screenshot_root()
    if root.exists() and os.environ.get("PYTEST_XDIST_WORKER") is None:
        count = sum(1 for _ in root.rglob("*.png"))
        if count:
            session.config.pluginmanager.get_plugin("terminalreporter").write_line(
                f"Browser screenshots: {count} in {root}")
