"""The audit trail's checkpoints, timestamped by the platform's TSA.

:mod:`core.audit` keeps the hash chain and does not import the sealing
service: it takes a timestamper and the trust roots as arguments. This module
gives it the platform's (the TSA of the signing configuration, the
development TSA when it runs) and holds the job functions.
"""
from __future__ import annotations

import asyncio

from flask_babel import gettext as _

from core.audit.services import CheckpointReport, CheckpointToken, create_checkpoint, verify_checkpoints
from core.sealing.services import SealingFailed, prepared_config, trust_roots


def timestamp_digest(digest: bytes) -> CheckpointToken:
    """An RFC 3161 token over ``digest`` (SHA-256) from the configured TSA.

    Raises :class:`SealingFailed` when no TSA is configured or it does not answer
    properly (nothing is kept).
    """
    from signing.http import Timestamper as HTTPTimeStamper

    cfg = prepared_config()
    url = cfg.effective_tsa_url()
    if not url:
        raise SealingFailed(_("Aucune autorité d'horodatage n'est configurée."))
    try:
        token = asyncio.run(HTTPTimeStamper(url, timeout=cfg.tsa_timeout).async_timestamp(digest, "sha256"))
        tst_info = token["content"]["encap_content_info"]["content"].parsed
        gen_time = tst_info["gen_time"].native
        if tst_info["message_imprint"]["hashed_message"].native != digest:
            raise ValueError("the TSA answered for another imprint")
    except Exception as exc:  # noqa: BLE001 - any TSA failure: nothing is stored
        raise SealingFailed(_("Le service d'horodatage est injoignable : le point de contrôle n'a pas été "
                              "enregistré.")) from exc
    return CheckpointToken(token=token.dump(), at=gen_time, tsa_url=url)


def create_audit_checkpoint(actor_id: int | None = None):
    """Timestamp the head of the audit chain with the platform's TSA (a job function: run it at
    least daily, with ``livret audit checkpoint`` or the scheduler). See
    :func:`core.audit.services.create_checkpoint`."""
    return create_checkpoint(timestamp_digest, actor_id=actor_id)


def verify_audit_checkpoints() -> CheckpointReport:
    """Every checkpoint checked against the chain and the platform's trust roots."""
    return verify_checkpoints(trust_roots)
