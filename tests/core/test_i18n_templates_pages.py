"""Every page of the demo reads the same with templates compiled per language (constant strings translated when
compiled, core.i18n_templates) as with the runtime ``_``: each role's pages, in English, where the translations
differ from the msgids. Two applications on the same database, one without the extension, walked side by side
(the walk of test_every_page)."""
from __future__ import annotations

import difflib
import re

import pytest

from core.demo import DEMO_ACCOUNTS
from tests.core.test_every_page import _walk

MAX_PAGES = 40
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


def _stable(html: str) -> str:
    return VOLATILE.sub(lambda m: "" if m.group(3) is not None else (m.group(1) or m.group(2)) + "…", html)


@pytest.mark.parametrize("email", ROLES)
def test_pages_in_english_read_as_with_the_runtime_translation(both_apps, email, database_kind):
    if database_kind != "sqlite":
        pytest.skip("the templates are the same on PostgreSQL: compared once, on SQLite")
    password = next(a[1] for a in DEMO_ACCOUNTS if a[0] == email)
    compiled, runtime = (_signed_in(a, email, password, "en") for a in both_apps)
    english = []

    def same_in_both(path: str, html: str) -> None:
        response = runtime.get(path)
        page, other = _stable(html), _stable(response.get_data(as_text=True))
        response.close()
        assert page == other, f"GET {path} differs between the two renderings:\n" + "\n".join(
            difflib.unified_diff(other.splitlines(), page.splitlines(), "runtime _", "compiled", lineterm="", n=1))
        english.append('<html lang="en">' in page)

    _problems, compared = _walk(compiled, "/espace/", visit=same_in_both, max_pages=MAX_PAGES)
    assert compared >= 5 and all(english), f"{email}: {compared} pages compared, in English: {english}"
