"""Rate limits of the sign-in, verification and reset requests, shared by the pages and the API.

Two limits cover each of these actions (Flask-Limiter, storage ``RATELIMIT_STORAGE_URI``):

- per client address, ``LOGIN_RATE_LIMIT``;
- per submitted e-mail address (the account being tried, whatever the client's
  address), ``LOGIN_EMAIL_RATE_LIMIT``. A request that submits no address
  targets no account: only the first limit counts it.

The counters of an action are *shared* by its page and its API endpoint
(:func:`shared_login_limits` with the same scope): signing in on ``/connexion``
and creating a token with a password on ``POST /api/v1/tokens`` draw on the same
allowance, so that the API never doubles what an attacker may try.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable, TypeVar

from flask import current_app, request

from core.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])

#: Scopes of the shared counters (page and API endpoint of the same action).
SIGN_IN = "auth-sign-in"
RESEND_VERIFICATION = "auth-resend-verification"
PASSWORD_RESET = "auth-password-reset"


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def email_limit() -> str:
    return current_app.config.get("LOGIN_EMAIL_RATE_LIMIT") or "5 per minute;30 per hour"


def submitted_email() -> str:
    """The e-mail address the request submits (page form or API JSON body), normalised for counting."""
    value: Any = None
    if request.is_json:
        # A hostile body (core.input_bounds) raises here: refused before anything is counted or read.
        body = request.get_json(silent=True)
        value = body.get("email") if isinstance(body, dict) else None
    elif not request.path.startswith("/api/"):
        value = request.form.get("email")
    return value.strip().lower() if isinstance(value, str) else ""


def submitted_email_key() -> str:
    """Rate-limit key of the account being tried, whatever the client's address."""
    digest = hashlib.sha256(submitted_email().encode("utf-8", "surrogatepass")).hexdigest()
    return "email:" + digest


def _no_email_submitted() -> bool:
    return not submitted_email()


def shared_login_limits(scope: str) -> Callable[[F], F]:
    """Both limits of the module on POST, counted in counters shared by every view of ``scope``."""

    def decorate(view: F) -> F:
        view = limiter.shared_limit(email_limit, scope=scope + ":email", key_func=submitted_email_key,
                                    methods=["POST"], exempt_when=_no_email_submitted)(view)
        return limiter.shared_limit(login_limit, scope=scope + ":address", methods=["POST"])(view)

    return decorate
