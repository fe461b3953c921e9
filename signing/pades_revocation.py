"""Validation data of a B-LT / B-LTA seal: the validation context (trust roots, revocation fetching),
the revocation data kept from one seal to the next, and the time-stamping authority.

Part of :mod:`signing.pades`, which re-exports every name.
"""

from __future__ import annotations

import logging
import time

from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from .config import SigningConfig
from .errors import ConfigurationError
from .http import Timestamper, fetcher_backend


def _validation_context(config: SigningConfig, signer, *, cached: bool = True
                        ) -> tuple[ValidationContext, str | None]:
    """The validation context of a B-LT/B-LTA seal, and the revocation cache key it was built from
    (``None``: a fetching context, whose revocation data :func:`_keep_revinfo` keeps afterwards)."""
    roots = config.trust_root_certs()
    if not roots:
        raise ConfigurationError("Aucun certificat racine de confiance n'est configuré.")
    others = list(getattr(signer, "cert_registry", None) or [])
    key = _revinfo_key(config, signer, roots)
    kept = _REVINFO.get(key) if cached and config.revocation_cache_seconds > 0 else None
    if kept is not None and kept[0] > time.monotonic():
        _expires, crls, ocsps = kept
        return ValidationContext(trust_roots=roots, other_certs=others, crls=crls, ocsps=ocsps,
                                 allow_fetching=False, revocation_mode="hard-fail"), key
    return ValidationContext(
        trust_roots=roots,
        other_certs=others,
        allow_fetching=True,
        revocation_mode="hard-fail",
        # handed over so that the context closes its HTTP session when done
        fetcher_backend=OwnedFetcherBackend(fetcher_backend(config.revocation_fetch_timeout)),
    ), None


# Revocation data reused from one seal to the next for ``SigningConfig.revocation_cache_seconds``: a session's
# grids and PV, sealed one after another, fetch the CRLs of the seal's and the TSA's chains once, not once each.
# A seal that the kept data cannot validate (a CRL past its nextUpdate, a new TSA certificate) is done again
# with fetching, which renews the entry.
_REVINFO: dict[str, tuple[float, list, list]] = {}


class _KeptRevinfoFilter(logging.Filter):
    """pyHanko warns whenever a context that may not fetch embeds validation data: that is the point here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_KeptRevinfoFilter())


def _revinfo_key(config: SigningConfig, signer, roots) -> str:
    import hashlib

    cert = getattr(signer, "signing_cert", None)
    digest = hashlib.sha256(cert.dump() if cert is not None else b"")
    digest.update((config.effective_tsa_url() or "").encode())
    for root in roots:
        digest.update(root.dump())
    return digest.hexdigest()


def _keep_revinfo(config: SigningConfig, signer, vc: ValidationContext) -> None:
    if config.revocation_cache_seconds <= 0:
        return
    crls, ocsps = list(vc.crls), list(vc.ocsps)
    if crls or ocsps:
        _REVINFO[_revinfo_key(config, signer, config.trust_root_certs())] = (
            time.monotonic() + config.revocation_cache_seconds, crls, ocsps)


def _timestamper(config: SigningConfig) -> HTTPTimeStamper:
    url = config.effective_tsa_url()
    if not url:
        raise ConfigurationError("Aucune autorité d'horodatage (TSA) n'est configurée.")
    return Timestamper(url, timeout=config.tsa_timeout)
