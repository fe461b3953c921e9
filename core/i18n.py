"""Language selection: French first, English available."""
from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_login import current_user

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

    token = g.get("api_token")
    locale = getattr(getattr(token, "user", None), "locale", None)
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
