"""No personal data in the logs (RGPD art. 5-1-c and 32): every log record of a test session is scanned.

Registered by the ``livret`` pytest plugin (:mod:`core.testing`) for every session that loads it (core's tests,
each plugin's). Every record any logger emits during the session, whatever its handlers (pytest's, a
``fileConfig`` of Alembic's, none), is checked once, when :meth:`logging.Logger.callHandlers` runs, for

- an e-mail address;
- the name of a fictitious candidate of the demo (:func:`core.demo_data.candidate_names`) or of a demo account,
  in either order (« Manon Lefèvre », « Lefèvre Manon »);
- a date of birth: the demo's, or a date right after a « naissance » / « birth » key.

The message is checked with its arguments merged, and with the message of the exception it carries. Core's own
loggers (``core``, ``signing``, ``storage``, ``forms`` and the installed plugins' packages) are set to ``INFO``
for the session, as production runs them, so that their informational records are checked too.

A session with any such record fails (exit status 1) and lists them under « personal data in the logs », with
the test that was running. A test whose very purpose is to log personal data (to prove that a formatter or a
filter hides it) says so with ``@pytest.mark.logs_personal_data("why")``: its records are not counted. Under pytest-xdist each worker scans its own records and fails its own session; the
controller gathers the workers' findings (``workeroutput``) and fails the run. Cheap: one regular expression per
record, nothing kept but the findings.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import Any

import pytest

MAX_KEPT = 200
OUR_LOGGERS = ("core", "signing", "storage", "forms")
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
BIRTH_KEY = r"(?:naissance|birth)\W{0,6}\d"


@dataclass
class Leak:
    logger: str
    level: str
    reason: str
    message: str
    test: str


def _names() -> list[tuple[str, str]]:
    from core.demo import DEMO_ACCOUNTS
    from core.demo_data import candidate_names

    accounts = [(first, last) for _email, _password, _role, first, last, _org in DEMO_ACCOUNTS]
    return sorted(set(candidate_names()) | set(accounts))


def _dates() -> list[str]:
    from datetime import date

    from core.demo_data import BIRTH_DATE

    day = date.fromisoformat(BIRTH_DATE)
    return [day.isoformat(), day.strftime("%d/%m/%Y")]


def build_pattern() -> re.Pattern[str]:
    """One expression for everything the scan looks for; each alternative is a named group (the reason)."""
    names = []
    for first, last in _names():
        for a, b in ((first, last), (last, first)):
            names.append(rf"\b{re.escape(a)}\s+{re.escape(b)}\b")
    dates = [re.escape(d) for d in _dates()]
    return re.compile(rf"(?P<email>{EMAIL})|(?P<name>{'|'.join(names)})|(?P<birth>{'|'.join(dates)}|{BIRTH_KEY})",
                      re.IGNORECASE)


REASONS = {"email": "e-mail address", "name": "name of a demo person", "birth": "date of birth"}


class LogScan:
    """The scanner and its pytest hooks (see the module)."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.pattern = build_pattern()
        self.leaks: list[Leak] = []
        self.count = 0
        self.current = ""
        self.allowed = False  # the running test is marked logs_personal_data
        self._original = None

    # -- the scan ------------------------------------------------------------------------------------

    def reason(self, text: str) -> str | None:
        match = self.pattern.search(text)
        if match is None:
            return None
        return f"{REASONS[match.lastgroup or 'email']}: {match.group(0)!r}"

    def check(self, record: logging.LogRecord) -> None:
        if self.allowed or getattr(record, "_livret_scanned", False):
            return
        record._livret_scanned = True
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not ours
            text = str(record.msg)
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            try:
                text += "\n" + str(exc)
            except Exception:  # noqa: BLE001
                pass
        reason = self.reason(text)
        if reason is None:
            return
        self.count += 1
        if len(self.leaks) < MAX_KEPT:
            self.leaks.append(Leak(record.name, record.levelname, reason, text[:400], self.current))

    def install(self) -> None:
        original = logging.Logger.callHandlers
        scan = self

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            scan.check(record)
            original(logger, record)

        self._original = original
        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
        for name in (*OUR_LOGGERS, *_plugin_packages()):
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET or logger.level > logging.INFO:
                logger.setLevel(logging.INFO)

    def uninstall(self) -> None:
        if self._original is not None:
            logging.Logger.callHandlers = self._original  # type: ignore[method-assign]
            self._original = None

    # -- pytest hooks --------------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any):
        self.current = item.nodeid
        self.allowed = item.get_closest_marker("logs_personal_data") is not None
        try:
            yield
        finally:
            self.current, self.allowed = "", False

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist controller: a worker's findings."""
        output = getattr(node, "workeroutput", None) or {}
        self.count += int(output.get("livret_log_leak_count", 0))
        self.leaks += [Leak(**leak) for leak in output.get("livret_log_leaks", ())][:MAX_KEPT - len(self.leaks)]

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller reports
            workeroutput["livret_log_leaks"] = [asdict(leak) for leak in self.leaks]
            workeroutput["livret_log_leak_count"] = self.count
        if self.count and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.count:
            return
        terminalreporter.section("personal data in the logs", sep="=", red=True, bold=True)
        terminalreporter.line(f"{self.count} log record(s) carry personal data (core/testing_logs.py); log ids, "
                              "never e-mail addresses, names or dates of birth:")
        for leak in self.leaks:
            terminalreporter.line(f"- [{leak.level} {leak.logger}] {leak.reason}, during {leak.test or 'set-up'}: "
                                  f"{leak.message!r}")
        if self.count > len(self.leaks):
            terminalreporter.line(f"... and {self.count - len(self.leaks)} more")

    def pytest_unconfigure(self, config: Any) -> None:
        self.uninstall()


def _plugin_packages() -> list[str]:
    """The top-level packages of the installed Livret plugins (their loggers are the plugins')."""
    from importlib.metadata import entry_points

    from core.plugins import ENTRY_POINT_GROUP

    return sorted({ep.module.split(".")[0] for ep in entry_points(group=ENTRY_POINT_GROUP)})


def register(config: Any) -> LogScan:
    config.addinivalue_line("markers", "logs_personal_data(reason): the test logs personal data on purpose (to "
                                       "prove a formatter or filter hides it); the log scan leaves it out")
    scan = LogScan(config)
    scan.install()
    config.pluginmanager.register(scan, "livret-log-scan")
    return scan
