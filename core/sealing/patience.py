"""How long the timestamping authority may keep a person waiting.

Inside a request the platform should not hold a person for the TSA's full
timeout (``SIGNING_TSA_TIMEOUT``): :func:`tsa_patience` shortens it for what is
signed inside the ``with`` block (the submission's documents), and a TSA that
does not answer in time raises :class:`TimestampSlow`, which the caller turns
into a job (:mod:`core.dossiers.submission_queue`) that waits the full timeout.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import g


@contextmanager
def tsa_patience(seconds: float | None):
    """Within the block, wait at most ``seconds`` for each TSA answer (``None`` or 0: the setting's timeout)."""
    previous = g.get("livret_tsa_patience")
    g.livret_tsa_patience = float(seconds) if seconds else None
    try:
        yield
    finally:
        g.livret_tsa_patience = previous


def patient(cfg):
    """``cfg`` with the TSA timeout shortened by the enclosing :func:`tsa_patience`, if any."""
    seconds = g.get("livret_tsa_patience") if g else None
    if seconds and seconds < cfg.tsa_timeout:
        return cfg.replace(tsa_timeout=seconds)
    return cfg
