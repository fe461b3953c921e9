"""Shared pieces of the fee services: constants, transfer references, access checks, state conflicts, row lock."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from core.auth.models import User
from core.dossiers.models import Dossier
from core.errors import Conflict, NotFound
from core.extensions import db
from core.fees.models import FeeRequest

FINANCING_SECTION = "financement"
THIRD_PARTY_MODES = frozenset({"france_travail", "plan_competences", "opco", "autre"})
RECEIPT_KIND = "receipt_fee"
_TOKEN_SALT = "livret.fees.payer"


def _mod97_check(text: str) -> str:
    """Two check digits (ISO 7064 MOD 97-10, as in IBANs) over letters and digits."""
    digits = "".join(str(int(c, 36)) for c in text.upper() if c.isalnum())
    return f"{98 - int(digits + '00') % 97:02d}"


def transfer_reference(dossier: Dossier) -> str:
    """``LVT-<dossier reference>-<2 check digits>``: unique per dossier, typo-resistant."""
    base = f"LVT-{dossier.reference}"
    return f"{base}-{_mod97_check(base)}"


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def reference_is_valid(reference: str) -> bool:
    head, _sep, check = reference.rpartition("-")
    return bool(head) and _mod97_check(head) == check


def get_dossier_for_fee(user: User, dossier_id: int, action: str = "fee.view") -> Dossier:
    """The dossier if ``user`` may do ``action`` (``fee.view``, ``fee.pay``, ``fee.manage``) on its fee:
    the fee follows the dossier's visibility (a draft's fee is its candidate's alone); 404 otherwise."""
    from core.policy import require

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(code="dossier_not_found")
    require(user, action, dossier, code="dossier_not_found")
    return dossier


def _require_staff(user: User, dossier: Dossier) -> None:
    from core.policy import require

    require(user, "fee.manage", dossier, code="dossier_not_found")


def _state_conflict(fee: FeeRequest, action: str) -> Conflict:
    return Conflict(_("Impossible de %(action)s : les frais de ce dossier sont dans l'état « %(state)s ».",
                      action=action, state=fee.state.label), code="wrong_fee_state",
                    details={"state": fee.state.value})


def _locked(fee: FeeRequest) -> FeeRequest:
    """Re-read the request with a row lock (PostgreSQL), so two staff members cannot both act on it."""
    locked = db.session.scalar(select(FeeRequest).where(FeeRequest.id == fee.id)
                               .with_for_update().execution_options(populate_existing=True))
    return locked
