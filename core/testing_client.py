"""A Flask test client that submits page forms as a browser does: with the CSRF token the page rendered.

Tests never switch CSRF off. A page test posts what the page rendered, so
:class:`PageClient` (the test client of every app in the test session, set by
``core.testing``) turns ``client.post(url, data={...})`` into what a browser
does:

1. it loads the page that renders the form (``page=``, by default ``url``
   itself) and looks for the ``<form method="post">`` whose action is ``url``;
2. if the page renders that form, the form's ``csrf_token`` is sent with the
   data, and a form **without** a token fails the test (the bug that once let
   a whole suite pass while no browser could save a section);
3. if the page does not render that form (the URL only accepts POST, or the
   user may not see the page: access tests), the token of the session is taken
   from whatever form the answer carries (the header's language form is on
   every page, error pages included), as an attacker signed in with an account
   of their own would send it; a page with no token at all falls back to ``/``.

``csrf=False`` posts without any token (tests of the protection itself);
``data`` that already holds ``csrf_token`` is sent as it is. API requests
(``/api/...``) and non-form bodies are untouched: the API is exempt from CSRF
and authenticates with bearer tokens.
"""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict


class _Forms(HTMLParser):
    """Every ``<form>`` of a page: method, action and the value of its ``csrf_token`` input."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._current = {"method": attributes.get("method", "get").lower(),
                             "action": attributes.get("action", ""), "csrf_token": None}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name") == "csrf_token":
            self._current["csrf_token"] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def page_forms(html: str) -> list[dict[str, Any]]:
    """``[{"method", "action", "csrf_token"}]`` of every form in ``html``."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/") or "/"


class PageClient(FlaskClient):
    """See the module docstring."""

    def post(self, *args: Any, page: str | None = None, csrf: bool = True, **kwargs: Any):
        url = args[0] if args else kwargs.get("path", "/")
        data = kwargs.get("data")
        if csrf and _is_page_form(url, data, kwargs):
            if isinstance(data, MultiDict):
                items: Any = data.copy()
            elif isinstance(data, dict):
                items = dict(data)  # file tuples stay whole (a MultiDict would split them)
            else:
                items = MultiDict(data or ())
            if "csrf_token" not in items:
                items["csrf_token"] = self.csrf_token_for(url, page=page)
                kwargs["data"] = items
        return super().post(*args, **kwargs)

    def csrf_token_for(self, url: str, page: str | None = None) -> str:
        """The CSRF token a browser would send with the form posting to ``url`` (see the module docstring)."""
        page = page or url
        answer = self.get(page)
        html = answer.get_data(as_text=True) if answer.mimetype == "text/html" else ""
        forms = page_forms(html)
        target = _path(url)
        for form in forms:
            if form["method"] == "post" and _path(urljoin(page, form["action"] or page)) == target:
                assert form["csrf_token"], (
                    f"{page} renders a POST form to {url} without a csrf_token: no browser can submit it")
                return form["csrf_token"]
        assert not (page != url and answer.status_code == 200), (
            f"{page} (200) renders no POST form to {url}: post from the page that does")
        for form in forms:
            if form["csrf_token"]:
                return form["csrf_token"]
        for form in page_forms(self.get("/").get_data(as_text=True)):
            if form["csrf_token"]:
                return form["csrf_token"]
        raise AssertionError(f"no page rendered a CSRF token to post to {url}")


def _is_page_form(url: str, data: Any, kwargs: dict[str, Any]) -> bool:
    if not isinstance(url, str) or url.startswith("/api/") or "json" in kwargs:
        return False
    if data is not None and not isinstance(data, (dict, MultiDict, list, tuple)):
        return False  # a raw body (bytes, str): not a form
    return True
