"""Every page of the demo, for every role: each POST form carries its CSRF token, ids are unique, controls named.

The demo (``livret demo``) is loaded; each demo account signs in through the
sign-in form and follows every link of the pages it can reach (same site,
GET only, a few URLs per route pattern), as a curious user would. A page
with a POST form that has no ``csrf_token``, an ``id`` used twice, or a form
control without an accessible name fails the test, naming the page and the
element. (The browser suite runs axe-core on the journeys' pages; this walk
covers every page the demo links to, quickly.)
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from core.demo import DEMO_ACCOUNTS

PER_PATTERN = 2
MAX_PAGES = 150
SKIP = re.compile(r"^/(api/|static/|_forms/|_documents/|dossiers/_annexes/|deconnexion)")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: Counter[str] = Counter()
        self.label_for: set[str] = set()
        self.forms: list[dict] = []
        self.controls: list[dict] = []
        self._form: dict | None = None
        self._labels = 0  # depth of <label> elements we are inside
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.ids[a["id"]] += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "token": False}
            self.forms.append(self._form)
        elif tag == "label":
            self._labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag == "input":
            if a.get("name") == "csrf_token" and self._form is not None and a.get("value"):
                self._form["token"] = True
            if a.get("type", "text") not in ("hidden",):
                self.controls.append({**a, "_tag": tag, "_in_label": self._labels > 0})
        elif tag in ("select", "textarea"):
            self.controls.append({**a, "_tag": tag, "_in_label": self._labels > 0})
        elif tag == "button":
            self._button = {**a, "_tag": tag, "_text": ""}
            self.controls.append(self._button)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "label":
            self._labels = max(0, self._labels - 1)
        elif tag == "button":
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["_text"] += data.strip()

    def problems(self) -> list[str]:
        found = [f'id "{i}" used {n} times' for i, n in self.ids.items() if n > 1]
        found += [f'POST form to "{f["action"]}" without a csrf_token' for f in self.forms
                  if f["method"] == "post" and not f["token"]]
        for c in self.controls:
            named = (c.get("aria-label") or c.get("aria-labelledby") or c.get("_in_label")
                     or (c.get("id") and c["id"] in self.label_for) or c.get("_text")
                     or (c.get("type") in ("submit", "button", "reset") and c.get("value")))
            if not named:
                found.append(f"<{c['_tag']} name={c.get('name')!r} id={c.get('id')!r}> has no accessible name")
        return found


def _pattern(path: str) -> str:
    return re.sub(r"/\d+", "/N", path)


def _walk(client, start: str, visit=None, max_pages: int = MAX_PAGES) -> tuple[dict[str, list[str]], int]:
    """Follow the links from ``start`` (a few URLs per route pattern); ``visit(path, html)`` for each HTML page."""
    queue, seen, per_pattern = deque([start, "/"]), set(), defaultdict(int)
    problems: dict[str, list[str]] = {}
    pages = 0
    while queue and pages < max_pages:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        pattern = _pattern(path)
        if per_pattern[pattern] >= PER_PATTERN:
            continue
        per_pattern[pattern] += 1
        response = client.get(path)
        body = response.get_data(as_text=response.mimetype == "text/html")  # read to the end, as a browser does
        response.close()
        assert response.status_code < 500, f"GET {path}: {response.status_code}"
        if response.mimetype != "text/html":
            continue
        pages += 1
        if visit is not None:
            visit(path, body)
        page = _Page()
        page.feed(body)
        if found := page.problems():
            problems[path] = found
        for href in page.links:
            url = urlsplit(urljoin(path, href))
            if url.scheme in ("", "http") and url.netloc in ("", "localhost") and not SKIP.match(url.path):
                target = url.path + (f"?{url.query}" if url.query else "")
                if target not in seen:
                    queue.append(target)
    return problems, pages


@pytest.fixture
def demo_app(app):
    from core.demo import load_demo

    with app.app_context():
        load_demo()
    return app


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a[2].value + "-" + a[0].split("@")[0] for a in DEMO_ACCOUNTS])
def test_every_page_a_role_reaches_has_tokens_unique_ids_and_named_controls(demo_app, account, database_kind):
    if database_kind != "sqlite":
        pytest.skip("the pages are the same on PostgreSQL: walked once, on SQLite")
    email, password = account[0], account[1]
    client = demo_app.test_client()
    signed_in = client.post("/connexion", data={"email": email, "password": password})
    assert signed_in.status_code == 302, email
    problems, pages = _walk(client, "/espace/")
    assert pages >= 3, f"{email} reached only {pages} pages"
    assert not problems, "\n".join(f"{path}: {p}" for path, found in problems.items() for p in found)


def test_anonymous_pages_have_tokens_unique_ids_and_named_controls(demo_app, database_kind):
    if database_kind != "sqlite":
        pytest.skip("walked once, on SQLite")
    problems, pages = _walk(demo_app.test_client(), "/connexion")
    assert pages >= 5
    assert not problems, "\n".join(f"{path}: {p}" for path, found in problems.items() for p in found)
