"""The messages of a failed PAdES seal, and the translation of a pyHanko / certvalidator failure into
the :class:`SealingError` the user sees (TSA unreachable or slow, revocation data missing, certificate
invalid or revoked, unreadable PDF).

Part of :mod:`signing.pades`, which re-exports every name.
"""

from __future__ import annotations

from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimestampRequestError
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from .errors import SealingError, TimestampTimeout

MSG_TSA = "Le service d'horodatage est injoignable : le document n'a pas été scellé."
MSG_TSA_SLOW = "Le service d'horodatage ne répond pas assez vite : le document n'a pas encore été scellé."
MSG_REVOCATION = (
    "Les informations de révocation des certificats sont indisponibles : "
    "le document n'a pas été scellé."
)
MSG_CERT = "Le certificat de signature n'est pas valide ou n'est pas reconnu : le document n'a pas été scellé."
MSG_PDF = "Le document PDF est illisible ou endommagé : il n'a pas pu être scellé."
MSG_LEVEL = "Le niveau de signature demandé ({level}) n'a pas pu être atteint : le document n'a pas été scellé."


def _cause_chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _translate(exc: BaseException) -> SealingError:
    chain = list(_cause_chain(exc))
    if any(isinstance(e, TimestampRequestError) for e in chain):
        if any(isinstance(e, TimeoutError) for e in chain):  # asyncio's timeout is TimeoutError (3.11)
            return TimestampTimeout(MSG_TSA_SLOW, detail=repr(exc))
        return SealingError(MSG_TSA, detail=repr(exc))
    text = " ".join(repr(e) for e in chain).lower()
    if any(isinstance(e, PathValidationError) for e in chain) or "revocation" in text or "crl" in text:
        if "revoked" in text and "fetch" not in text:
            return SealingError(
                "Le certificat de signature est révoqué : le document n'a pas été scellé.",
                detail=repr(exc),
            )
        return SealingError(MSG_REVOCATION, detail=repr(exc))
    if any(isinstance(e, PathBuildingError) for e in chain):
        return SealingError(MSG_CERT, detail=repr(exc))
    if "timestamp" in text or "time stamp" in text:
        return SealingError(MSG_TSA, detail=repr(exc))
    if any(isinstance(e, SigningError) for e in chain):
        return SealingError(MSG_CERT, detail=repr(exc))
    return SealingError(MSG_PDF, detail=repr(exc))
