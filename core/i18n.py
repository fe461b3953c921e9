"""Language selection: French first, English available."""
from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import Domain
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

blueprint = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["DEFAULT_LANGUAGE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if request and request.path.startswith("/api/"):
        # Accept-Language first; without it, the language stored on the token's account (PATCH /api/v1/me).
        return (request.accept_languages.best_match(languages) or _api_account_language(languages)
                or current_app.config["DEFAULT_LANGUAGE"])
    return current_app.config["DEFAULT_LANGUAGE"]


def _api_account_language(languages) -> str | None:
    from flask import g

    locale = g.get("api_locale")  # set when the bearer token was checked (core.api.auth)
    return locale if locale in languages else None


def current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale.language) if locale else current_app.config["DEFAULT_LANGUAGE"]


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("certifications.home")


@blueprint.post("/langue")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:  # remembered on the account too: other browsers, the API
            from core.auth.services import set_language
            from core.extensions import db

            set_language(current_user, lang)
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


def _request_translations():
    """The translations of this request, as :func:`flask_babel.get_translations` gives them, without its
    per-call look-ups (three of the request context per string: about a third of a page's rendering once
    queries were removed). Reads what Flask-Babel keeps for the request (its domain, the locale it chose)
    and its catalogue cache; falls back to Flask-Babel itself whenever one of them is not there yet."""
    from flask import g
    from flask_babel import get_translations

    ctx = g.get("_flask_babel") if g else None
    domain = getattr(ctx, "babel_domain", None)
    locale = getattr(ctx, "babel_locale", None)
    if domain is not None and locale is not None:
        memo = getattr(ctx, "livret_translations", None)
        if memo is not None and memo[0] is domain and memo[1] is locale:
            return memo[2]
        if isinstance(domain, RequestDomain):
            return domain.get_translations()
        found = getattr(domain, "cache", {}).get((str(locale), domain.domain[0]))
        if found is not None:
            return found
    return get_translations()


class RequestDomain(Domain):
    """Flask-Babel's default domain, whose translations are looked up once per request and locale.

    :meth:`flask_babel.Domain.get_translations` looks up the request context three times and formats the
    locale's identifier for every string that Python code translates (``gettext``, ``lazy_gettext`` labels
    of forms, states, messages: about seventy a page). The same catalogue is kept on the request's
    Flask-Babel context with the domain and locale it was found for; a changed locale (``force_locale``,
    ``refresh``) is a different object, so it is looked up again."""

    def get_translations(self):
        from flask import g

        ctx = g.get("_flask_babel") if g else None
        locale = getattr(ctx, "babel_locale", None)
        memo = getattr(ctx, "livret_translations", None)
        if memo is not None and locale is not None and memo[0] is self and memo[1] is locale:
            return memo[2]
        translations = super().get_translations()
        ctx = g.get("_flask_babel") if g else None
        locale = getattr(ctx, "babel_locale", None)
        if locale is not None:
            ctx.livret_translations = (self, locale, translations)
        return translations


def install_request_domain(app, babel) -> None:
    """Flask-Babel's default domain for ``app`` as a :class:`RequestDomain` (same catalogues, same strings)."""
    if not isinstance(babel.__dict__.get("domain_instance"), RequestDomain):
        babel.domain_instance = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))


def install_template_gettext(app) -> None:
    """Templates' ``_``/``gettext``/``ngettext``... through :func:`_request_translations` (same strings, same
    escaping and formatting: Jinja's newstyle gettext, as Flask-Babel installs it).

    ``_``, ``gettext`` and ``ngettext`` (about thirty strings a page) are one function each instead of Jinja's
    three nested context calls (alias, newstyle wrapper, catalogue function); they do what the newstyle wrapper
    does: the translation marked safe when autoescaping, then always formatted with the variables, so ``%%``
    and escaping of the values are the same."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    from core.i18n_templates import ConstantTranslations

    app.jinja_env.add_extension(ConstantTranslations)  # ``_("literal")`` translated once, when compiled


@pass_context
def _template_gettext(__context, __string: str, **variables):
    rv = _request_translations().ugettext(__string)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@pass_context
def _template_ngettext(__context, __singular: str, __plural: str, __num: int, **variables):
    variables.setdefault("num", __num)
    rv = _request_translations().ungettext(__singular, __plural, __num)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables
