"""Bearer-token authentication for API views.

``@token_required`` refuses a request without a valid token (401, code
``unauthorized``, through the core error handler); ``@token_optional`` lets
anonymous requests through but still refuses a token that is wrong, expired
or revoked, so that a client never believes it is authenticated when it is
not. Inside a view, :func:`current_api_user` and :func:`current_api_token`
return what the token identified.

Both decorators mark the view (``view.api_auth``), and :mod:`core.api.spec`
reads that mark to document the security requirement and the 401 response:
a view never declares its authentication twice.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import g, request
from flask_babel import gettext as _

from core.api.models import ApiToken
from core.api.services import authenticate
from core.auth.models import User
from core.errors import Unauthorized
from core.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

AUTH_REQUIRED = "required"
AUTH_OPTIONAL = "optional"


def bearer_secret() -> str | None:
    """The secret of ``Authorization: Bearer <secret>``; ``None`` without such a header.

    A header with another scheme, or ``Bearer`` with nothing after it, is an
    empty string: a credential was sent but it cannot be a token.
    """
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return secret.strip()


def _authenticate_request(required: bool) -> ApiToken | None:
    secret = bearer_secret()
    if secret is None:
        if required:
            raise Unauthorized(_("Authentification requise : envoyez un jeton d'accès dans l'en-tête "
                                 "« Authorization: Bearer <jeton> »."))
        return None
    token = authenticate(secret)
    if token is None:
        db.session.rollback()
        raise Unauthorized(_("Le jeton d'accès est invalide, expiré ou révoqué."))
    db.session.commit()  # authenticate() recorded last_used_at
    g.api_token = token
    # the account's language, read once here: core.i18n.select_locale may run later, even after the view
    # returned (the first string of a streamed response), when the token's row is no longer loaded
    g.api_locale = token.user.locale
    if token.user.locale:  # the account's language counts from now on (core.i18n.select_locale)
        from flask_babel import refresh

        refresh()
    from core.policy import check_endpoint

    check_endpoint(token.user, request.endpoint)
    return token


def _mark(view: Callable[..., Any], mode: str) -> None:
    view.api_auth = mode  # type: ignore[attr-defined]


def token_required(view: F) -> F:
    """Refuse the request (401) unless it carries a valid, active bearer token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        _authenticate_request(required=True)
        return view(*args, **kwargs)

    _mark(wrapper, AUTH_REQUIRED)
    return wrapper  # type: ignore[return-value]


def token_optional(view: F) -> F:
    """Anonymous requests pass; a request with a bad token is refused (401)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        _authenticate_request(required=False)
        return view(*args, **kwargs)

    _mark(wrapper, AUTH_OPTIONAL)
    return wrapper  # type: ignore[return-value]


def current_api_token() -> ApiToken | None:
    """The token that authenticated this request, if any."""
    return g.get("api_token")


def current_api_user() -> User | None:
    """The user of the token that authenticated this request, if any."""
    token = current_api_token()
    return token.user if token is not None else None
