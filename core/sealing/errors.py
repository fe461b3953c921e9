"""The sealing layer's failures, as the pages and the API show them (French, fail closed)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import UserError


class SealingFailed(UserError):
    """The document could not be sealed, signed or issued; nothing was kept. Retry later."""

    status = 503
    code = "sealing_failed"
    default_message = _l("Le document n'a pas pu être scellé. Réessayez plus tard.")


class TimestampSlow(SealingFailed):
    """The timestamping authority did not answer in time (:class:`signing.errors.TimestampTimeout`):
    nothing was kept; a job with more patience may succeed (:mod:`core.sealing.patience`)."""


def failed(exc: Exception) -> SealingFailed:
    """The :class:`SealingFailed` (or :class:`TimestampSlow`) for a signing layer error."""
    from signing.errors import TimestampTimeout

    return (TimestampSlow if isinstance(exc, TimestampTimeout) else SealingFailed)(str(exc))


class ReauthenticationRequired(UserError):
    status = 403
    code = "reauthentication_required"
    default_message = _l("Confirmez votre identité avec votre mot de passe avant de signer.")
