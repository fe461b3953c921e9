"""Limits on wrong passwords typed again inside a signed-in session.

Every action that checks a password once more — an admissibility decision, a
personal signature (grids, procès-verbal), a dossier submission, the opening of
a corrective PV, a password change, and the password of an uploaded seal
certificate — calls :func:`check` before checking the password and
:func:`failed` when it is wrong (most through
:func:`core.sealing.services.reauthenticate`). One setting, ``REAUTH_RATE_LIMIT``
(default ``10 per minute;50 per hour``), is counted twice: per account, and per
client address (``request.remote_addr``, the real client behind a proxy
trusted by ``TRUSTED_PROXIES``), whatever the action: the counters are shared
by every page and API endpoint.

Only failed checks count (a successful one costs nothing). Once either counter
has reached the limit, the action is refused **before** the password is
checked, even a right one: :class:`TooManyAttempts`, HTTP 429, code
``rate_limited``, a French message tied to the password field and a
``Retry-After`` header (seconds, added by the ``after_request`` hook of
:func:`init_app`). The API answers the error shape; pages catch it like any
other refusal and render the form again with what was typed and status 429.
Nothing is written by a refused request. The counters live in the rate
limiter's storage (``RATELIMIT_STORAGE_URI``: Redis in production, so every
worker shares them).
"""
from __future__ import annotations

import importlib
import logging
import math
import time

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

importlib.import_module("core.api.blueprint")  # loads core.api.spec in the order every API module does
from core.api.spec import declare_error_response  # noqa: E402
from core.errors import UserError  # noqa: E402

log = logging.getLogger(__name__)

SCOPE = "livret-password-reentry"
_RETRY_AFTER = "livret_retry_after"

#: The 429 of the API endpoints that check a password (``429: TooManyPasswordAttempts`` in their docstring).
OPENAPI_RESPONSE = declare_error_response(
    "TooManyPasswordAttempts", code="rate_limited",
    description="Trop de mots de passe erronés pour ce compte ou depuis cette adresse (`REAUTH_RATE_LIMIT`) : "
                "l'action est refusée sans vérifier le mot de passe, rien n'est enregistré. L'en-tête "
                "`Retry-After` donne le délai d'attente en secondes.",
    message="Trop de mots de passe erronés : par sécurité, cette action est bloquée pendant 1 minute. "
            "Rien n'a été enregistré.")


class TooManyAttempts(UserError):
    """Too many wrong passwords from this account or this address: 429 with ``Retry-After``."""

    status = 429
    code = "rate_limited"
    default_message = _l("Trop de mots de passe erronés : réessayez plus tard.")

    def __init__(self, retry_after: int, *, field_name: str = "password"):
        message = _("Trop de mots de passe erronés : par sécurité, cette action est bloquée pendant %(delay)s. "
                    "Rien n'a été enregistré.", delay=_delay(retry_after))
        super().__init__(message, details={field_name: [message]})
        self.retry_after = retry_after


def _delay(seconds: int) -> str:
    if seconds < 60:
        return _("moins d'une minute")
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def _limits():
    from limits import parse_many

    return parse_many(current_app.config["REAUTH_RATE_LIMIT"])


def _keys(user) -> list[tuple[str, str, str]]:
    keys = [(SCOPE, "account", str(user.id))]
    if has_request_context() and request.remote_addr:
        keys.append((SCOPE, "address", request.remote_addr))
    return keys


def _strategy():
    from core.extensions import limiter

    return limiter.limiter if limiter.enabled else None


def check(user, *, field_name: str = "password") -> None:
    """Refuse (:class:`TooManyAttempts`) when ``user`` or this address has used up its wrong passwords."""
    strategy = _strategy()
    if strategy is None or user is None or getattr(user, "id", None) is None:
        return
    waits = []
    for item in _limits():
        for key in _keys(user):
            if not strategy.test(item, *key):
                reset_at = strategy.get_window_stats(item, *key).reset_time
                waits.append(max(1, math.ceil(reset_at - time.time())))
    if waits:
        retry_after = max(waits)
        if has_request_context():
            g.setdefault(_RETRY_AFTER, retry_after)
        log.warning("password re-entry refused: too many wrong passwords (account %s)", user.id)
        raise TooManyAttempts(retry_after, field_name=field_name)


def failed(user) -> None:
    """Count one wrong password for ``user`` and for this address."""
    strategy = _strategy()
    if strategy is None or user is None or getattr(user, "id", None) is None:
        return
    for item in _limits():
        for key in _keys(user):
            strategy.hit(item, *key)


def refused_for_attempts() -> bool:
    """Whether this request was refused by :func:`check` (pages choose their status with it)."""
    return has_request_context() and g.get(_RETRY_AFTER) is not None


def status_or(default: int) -> int:
    """429 when this request was refused for too many wrong passwords, else ``default``."""
    return TooManyAttempts.status if refused_for_attempts() else default


def init_app(app: Flask) -> None:
    @app.after_request
    def _retry_after(response):
        retry_after = g.get(_RETRY_AFTER)
        if retry_after is not None and response.status_code == 429:
            response.headers["Retry-After"] = str(retry_after)
        return response
