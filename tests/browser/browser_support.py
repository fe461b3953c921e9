"""People in browsers, and the checks run on every page they visit.

``People`` opens one browser context per person; ``Person.goto`` /
``Person.check`` check the page the person sees:

- axe-core (``axe-playwright-python``) with the tags wcag2a, wcag2aa, wcag21a,
  wcag21aa: 0 violations;
- what axe does not check: every ``id`` unique on the page, every form control
  with an accessible name (its ``labels``, ``aria-label`` or ``aria-labelledby``;
  a button's text), every POST form carrying a non-empty ``csrf_token``;

and a full-page PNG is saved for each step. A failing page fails the test with
the rule and the element. Every HTML page a person's browser loads must have
been checked: ``People.assert_every_page_checked`` fails the test otherwise.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 20_000

_EXTRA_CHECKS = r"""
() => {
  const problems = [];
  const counts = new Map();
  document.querySelectorAll('[id]').forEach(e => counts.set(e.id, (counts.get(e.id) || 0) + 1));
  for (const [id, n] of counts) if (n > 1) problems.push(`duplicate-id: id="${id}" is used ${n} times`);
  const text = el => (el ? el.textContent.replace(/\s+/g, ' ').trim() : '');
  document.querySelectorAll('input:not([type=hidden]), select, textarea, button').forEach(el => {
    let name = el.labels ? Array.from(el.labels).map(text).join(' ').trim() : '';
    if (!name) name = (el.getAttribute('aria-label') || '').trim();
    if (!name && el.getAttribute('aria-labelledby'))
      name = el.getAttribute('aria-labelledby').split(/\s+/).map(id => text(document.getElementById(id))).join(' ').trim();
    if (!name && el.tagName === 'BUTTON') name = text(el);
    if (!name && ['submit', 'button', 'reset'].includes(el.type)) name = (el.value || '').trim();
    if (!name) problems.push(`control-name: no accessible name: ${el.outerHTML.slice(0, 200)}`);
  });
  document.querySelectorAll('form').forEach(form => {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post') return;
    const token = form.querySelector('input[name="csrf_token"]');
    if (!token || !token.value) problems.push(`csrf-token: POST form without a CSRF token: action="${form.getAttribute('action') || ''}"`);
  });
  return problems;
}
"""


def screenshot_root() -> Path:
    return Path(os.environ.get("LIVRET_SCREENSHOTS") or Path(tempfile.gettempdir()) / "livret-screenshots")


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "page"


def _strip(url: str) -> str:
    return url.split("#", 1)[0]


def off_the_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a thread of its own and return its result (or raise its exception).

    Playwright's sync API keeps an asyncio loop running in the test's thread, so set-up code that
    signs or seals (pyHanko calls ``asyncio.run``) must run elsewhere, as the live server's threads do."""
    import threading

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="livret-browser-setup")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class PageProblems(AssertionError):
    pass


class People:
    """Everyone taking part in one test, each in a browser context of their own."""

    def __init__(self, browser: Any, app: Any, folder: Path):
        from axe_playwright_python.sync_playwright import Axe

        self.browser = browser
        self.app = app
        self.url = app.live_url
        self.folder = folder
        self.axe = Axe()
        self.persons: list[Person] = []
        self.step = 0

    def anonymous(self, name: str = "visiteur", **context_args: Any) -> "Person":
        # Everyone reaches the live server from 127.0.0.1: the sign-in rate limits (on, as in production)
        # are shared by the journeys of a worker, which sign in far fewer times than they allow.
        context = self.browser.new_context(
            base_url=self.url, locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True,
            viewport={"width": 1280, "height": 900}, **context_args)
        context.set_default_timeout(TIMEOUT_MS)
        person = Person(self, context, name)
        self.persons.append(person)
        return person

    def open_as(self, email: str, password: str, name: str | None = None, **context_args: Any) -> "Person":
        """A person signed in through the real sign-in form, with the keyboard."""
        person = self.anonymous(name or email.split("@", 1)[0], **context_args)
        person.sign_in(email, password)
        return person

    def emails(self) -> list[Any]:
        """The e-mails of the outbox, oldest first (``email.message.EmailMessage``)."""
        return self.app.extensions["livret"].mailer.messages()

    def close(self) -> None:
        for person in self.persons:
            try:
                person.context.close()
            except Exception:  # noqa: BLE001 - closing after a failure must not hide it
                pass

    def assert_every_page_checked(self) -> None:
        missing = [(p.name, url) for p in self.persons for url in p.loaded if url not in p.checked]
        assert not missing, f"pages loaded but never checked (axe, ids, names, CSRF): {missing}"


class Person:
    def __init__(self, people: People, context: Any, name: str):
        self.people = people
        self.context = context
        self.name = name
        self.page = context.new_page()
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.page.on("response", self._on_response)

    def _on_response(self, response: Any) -> None:
        try:
            if response.request.resource_type != "document" or response.frame != self.page.main_frame:
                return
            if not (200 <= response.status < 300 or 400 <= response.status < 500):
                return  # redirects lead to a page that is itself recorded
            if "text/html" in (response.headers.get("content-type") or ""):
                url = _strip(response.url)
                if url not in self.loaded:
                    self.loaded.append(url)
        except Exception:  # noqa: BLE001 - a page closing under the listener
            pass

    # -- navigation ------------------------------------------------------------------------------
    def goto(self, path: str, label: str | None = None, expect_status: int | None = 200) -> Any:
        response = self.page.goto(path)
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (
                f"{self.name}: GET {path} answered {response.status if response else None}")
        self.check(label or path)
        return response

    def check(self, label: str) -> None:
        """Screenshot, then axe and the extra checks on the page as it is now."""
        page = self.page
        page.wait_for_load_state("load")
        self.people.step += 1
        shot = self.people.folder / f"{self.people.step:02d}-{_slug(self.name)}-{_slug(label)}.png"
        page.screenshot(path=str(shot), full_page=True)
        problems = [f"{v['id']} ({v['impact']}): {v['help']} — "
                    + "; ".join(f"{n['target']} {n['html'][:160]}" for n in v["nodes"][:5])
                    for v in self._axe()]
        problems += page.evaluate(_EXTRA_CHECKS)
        self.checked.add(_strip(page.url))
        if problems:
            raise PageProblems(f"{self.name} on {page.url} ({label}, screenshot {shot}):\n  "
                               + "\n  ".join(problems))

    def _axe(self) -> list[dict[str, Any]]:
        results = self.people.axe.run(self.page, options={
            "runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
        return results.response["violations"]

    # -- common steps ----------------------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> None:
        self.goto("/connexion", "connexion")
        page = self.page
        page.get_by_label(re.compile(r"^Adresse électronique")).fill(email)
        page.get_by_label(re.compile(r"^Mot de passe")).fill(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/connexion" not in page.url, f"{email} could not sign in"
        self.check("après connexion")

    def submit(self, button_name: str, label: str | None = None, expect_url: str | None = None,
               timeout: float | None = None) -> Any:
        """Press a button that sends a form, wait for the next page and check it; returns the response.

        ``timeout`` (ms) for the steps that take long (sealing several documents)."""
        with self.page.expect_navigation(timeout=timeout) as navigation:
            # the click itself waits for the navigation it starts: same patience
            self.page.get_by_role("button", name=button_name, exact=True).click(timeout=timeout)
        if expect_url:
            assert re.search(expect_url, self.page.url), f"{self.name}: expected {expect_url}, at {self.page.url}"
        self.check(label or button_name)
        return navigation.value

    def follow(self, link_name: str | re.Pattern, label: str | None = None, exact: bool = True) -> Any:
        """Click the (first) link named ``link_name``, wait for the next page and check it."""
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("link", name=link_name, exact=exact).first.click()
        self.check(label or str(link_name))
        return navigation.value
