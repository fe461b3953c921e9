"""An organisation's own seal certificate and TSA URL (uploaded by its admin)."""
from __future__ import annotations

from typing import Any


def signer_for(organisation) -> tuple[Any, str | None]:
    """``(pyHanko signer or None, TSA URL or None)`` for sealing on behalf of
    ``organisation``; ``None`` means the platform's own."""
    return None, None
