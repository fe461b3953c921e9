"""Exceptions of the signing layer.  Messages are in French: they may be
shown to users as they are."""


class SigningLayerError(Exception):
    """Base class; ``str(exc)`` is a French message fit for a user."""

    def __init__(self, message: str, *, detail: str | None = None):
        super().__init__(message)
        self.message = message
        #: technical detail (English, for logs), never shown to users
        self.detail = detail


class SealingError(SigningLayerError):
    """The document could not be sealed/signed at the requested level.

    Nothing was produced: callers keep the document as it was and may retry.
    """


class TimestampTimeout(SealingError):
    """The timestamping authority did not answer in time (it is slow, not refusing): trying again later,
    with more patience, may succeed."""


class ConfigurationError(SigningLayerError):
    """Key material or trust settings are missing or unreadable."""


class InvalidDocument(SigningLayerError):
    """The submitted file is not a PDF that can be analysed."""


class DocumentRefused(InvalidDocument):
    """The submitted file exceeds the verification limits (size, pages)."""


class VerificationTooComplex(DocumentRefused):
    """Analysing the document would exceed the verification budget (revisions,
    objects, structure depth or time, see :class:`signing.verify.Limits`).

    ``what`` is ``revisions``, ``objects``, ``depth`` or ``time``; ``found``
    and ``limit`` are the figures (``found`` is ``None`` for time).
    """

    def __init__(self, message: str, *, what: str, found: int | None, limit: float, detail: str | None = None):
        super().__init__(message, detail=detail)
        self.what, self.found, self.limit = what, found, limit
