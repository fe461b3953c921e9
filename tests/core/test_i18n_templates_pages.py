"""Every page of the demo reads the same with templates compiled per language (constant strings translated when
compiled, core.i18n_templates) as with the runtime ``_``: each role's pages, in English, where the translations
differ from the msgids. Two applications on the same database, one without the extension, walked side by side."""
from __future__ import annotations

import difflib
import re
from collections import defaultdict, deque
from urllib.parse import urljoin, urlsplit

import pytest

from core.demo import DEMO_ACCOUNTS

MAX_PAGES = 40
PER_PATTERN = 2
SKIP = re.compile(r"^/(api/|static/|_forms/|_documents/|dossiers/_annexes/|deconnexion)")
LINK = re.compile(r'<a [^>]*href="([^"]+)"')
# what differs between two signed-in browsers by design: the CSRF token, the account page's « this session »
VOLATILE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+|(<meta name="csrf-token" content=")[^"]+'
                      r'|() <strong>\(this session\)</strong>')
ROLES = ("candidat@demo.livret.fr", "jure@demo.livret.fr", "certificateur@demo.livret.fr")


@pytest.fixture
def both_apps(app, app_config):
    """The suite's application (templates compiled per language) and one with the runtime ``_`` only."""
    from core import create_app
    from core.demo import load_demo
    from core.i18n_templates import ConstantTranslations

    with app.app_context():
        load_demo()
    runtime = create_app(dict(app_config))
    env = runtime.jinja_env
    env.extensions = {key: ext for key, ext in env.extensions.items() if not isinstance(ext, ConstantTranslations)}
    return app, runtime


def _signed_in(application, email: str, password: str, language: str):
    client = application.test_client()
    assert client.post("/connexion", data={"email": email, "password": password}).status_code == 302
    assert client.post("/langue", data={"lang": language, "next": "/"}).status_code == 302
    return client


def _html(response) -> str:
    body = response.get_data(as_text=True)
    response.close()
    return VOLATILE.sub(lambda m: "" if m.group(3) is not None else (m.group(1) or m.group(2)) + "…", body)


@pytest.mark.parametrize("email", ROLES)
def test_pages_in_english_read_as_with_the_runtime_translation(both_apps, email, database_kind):
    if database_kind != "sqlite":
        pytest.skip("the templates are the same on PostgreSQL: compared once, on SQLite")
    password = next(a[1] for a in DEMO_ACCOUNTS if a[0] == email)
    compiled, runtime = (_signed_in(a, email, password, "en") for a in both_apps)
    queue, seen, per_pattern, compared = deque(["/espace/", "/"]), set(), defaultdict(int), 0
    while queue and compared < MAX_PAGES:
        path = queue.popleft()
        pattern = re.sub(r"/\d+", "/N", path)
        if path in seen or per_pattern[pattern] >= PER_PATTERN:
            continue
        seen.add(path)
        per_pattern[pattern] += 1
        first = compiled.get(path)
        if first.mimetype != "text/html" or first.status_code != 200:
            first.close()
            continue
        page = _html(first)
        other = _html(runtime.get(path))
        assert page == other, f"GET {path} differs between the two renderings:\n" + "\n".join(
            difflib.unified_diff(other.splitlines(), page.splitlines(), "runtime _", "compiled", lineterm="", n=1))
        compared += 1
        for href in LINK.findall(page):
            url = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if url.scheme in ("", "http") and url.netloc in ("", "localhost") and not SKIP.match(url.path):
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    assert compared >= 5, f"{email}: only {compared} pages compared"
    assert 'lang="en"' in page
