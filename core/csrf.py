"""What a person typed survives a refused CSRF token.

A form posted with an expired or missing token is refused (nothing is
written), but the person must not lose what they typed: a candidate may have
spent an hour on a section. For a form posted from one of the platform's own
pages (same origin: ``Sec-Fetch-Site``, ``Origin`` or ``Referer`` say so), the
refusal answers with the page that holds the form — rendered by an internal
GET of that page, which writes nothing — filled with the values that were
posted (secrets such as passwords excepted) and a French message asking to
check them and send again. The page comes with a fresh token. A cross-site
post gets the plain error page: its values are never put in front of the
person.

Forms read the values back through :class:`LivretForm` (the base of the
platform's forms); a view that builds its form from saved data (the dossier
sections) asks :func:`restored_formdata` itself.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import HTTPException

ENVIRON_KEY = "livret.restored_form"
_SECRET = re.compile(r"pass|csrf|token|secret|pin\b", re.IGNORECASE)


def restored_formdata() -> MultiDict | None:
    """The values of the refused post when this request re-renders its page (see the module docstring)."""
    if not request:
        return None
    return request.environ.get(ENVIRON_KEY)


class LivretForm(FlaskForm):
    """Base of the platform's forms.

    On a page re-rendered after a refused token, the form shows what was
    posted. Its CSRF token input carries no ``id``: a page with several
    forms would repeat ``id="csrf_token"``.
    """

    def hidden_tag(self, *fields):
        from markupsafe import Markup
        from wtforms.widgets import HiddenInput

        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in (fields or self)]
        return Markup("\n".join(
            str(f(id=False) if f.type == "CSRFTokenField" else f)
            for f in chosen if f is not None and isinstance(f.widget, HiddenInput)))

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            from flask_wtf.form import _Auto

            if formdata is _Auto:
                restored = restored_formdata()
                if restored is not None and set(restored) & set(form._fields):
                    return CombinedMultiDict([restored, request.files])
            return super().wrap_formdata(form, formdata)


def _same_origin() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site == "same-origin"
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value:
            return urlsplit(value).netloc == request.host
    return False


def _page_of_the_form() -> str | None:
    """The path of the page that holds the refused form: the URL itself when it has a page, else the referrer."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    candidates = [request.path]
    referrer = request.headers.get("Referer")
    if referrer and urlsplit(referrer).netloc == request.host:
        candidates.append(urlsplit(referrer).path)
    for path in candidates:
        try:
            adapter.match(path, method="GET")
        except HTTPException:  # not found, POST only, or a redirect rule: not a page of its own
            continue
        return path
    return None


def page_after_refused_token(app: Flask, message: str):
    """The response to a refused token on a page form: its page with what was typed, or ``None``."""
    if request.method != "POST" or request.path.startswith("/api/") or not _same_origin():
        return None
    path = _page_of_the_form()
    if path is None:
        return None
    kept = MultiDict([(key, value) for key, value in request.form.items(multi=True) if not _SECRET.search(key)])
    environ = {key: value for key, value in request.environ.items()
               if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH")}
    environ[ENVIRON_KEY] = kept
    environ["REMOTE_ADDR"] = request.remote_addr or "127.0.0.1"
    with app.test_request_context(path, method="GET", environ_base=environ,
                                  base_url=request.host_url.rstrip("/")):
        flash(_("%(message)s Ce que vous aviez saisi a été conservé : vérifiez-le puis envoyez à nouveau.",
                message=message), "error")
        response = app.full_dispatch_request()
    if response.status_code == 200:
        response.status_code = 400
    return response
