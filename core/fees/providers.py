"""Payment providers: how a fee request is paid.

Providers come from the hook ``livret_payment_providers(certification)``
(``docs/plugins.md``); core's two shipped providers are registered by the
default plugin ``core.default_plugins.fees``. A provider is any object with:

- ``key``: a short unique name (``bank_transfer``), stored in ``FeeRequest.provider``
  when a payment goes through it; a plugin returning a provider with the key of
  a shipped one replaces it;
- ``label``: French, shown to the payer (« Virement bancaire »);
- ``available_for(fee_request) -> bool``: whether the payer of this request may use it;
- ``instructions(fee_request) -> dict``: ``{French label: value}`` rows shown to
  the payer, in order (an empty dict shows nothing);

and, for online providers only:

- ``start(fee_request, return_url) -> str | None``: the URL the payer is sent
  to (the provider's payment page), or ``None`` when it cannot start;
- ``handle_notification(request) -> PaymentResult | None``: reads the
  provider's callback (``POST /frais/notifications/<key>``), checks its
  signature and returns what was paid, or ``None`` to ignore it.

The shipped providers:

- ``bank_transfer``: the candidate transfers the amount with the request's
  unique reference; the certifier's staff records the payment (by hand or from
  an imported CSV statement matched by reference);
- ``third_party_invoice``: a third party (employer, OPCO…) pays against an
  invoice: it gives a purchase order number and its SIRET, then transfers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, runtime_checkable

from flask import current_app
from flask_babel import gettext as _


def format_cents(cents: int) -> str:
    """``30000`` → ``300,00 €`` (French format, narrow no-break space for thousands)."""
    euros, rest = divmod(abs(int(cents)), 100)
    text = f"{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"
    return ("-" if cents < 0 else "") + text


@runtime_checkable
class PaymentProvider(Protocol):
    """What ``livret_payment_providers`` returns (``start``/``handle_notification`` are optional)."""

    key: str

    @property
    def label(self) -> str: ...

    def available_for(self, fee_request: Any) -> bool: ...

    def instructions(self, fee_request: Any) -> dict[str, str]: ...


@dataclass(frozen=True)
class PaymentResult:
    """A payment confirmed by a provider's notification.

    ``reference`` is the request's ``transfer_reference`` (give it to the
    provider when starting: metadata, order id…); ``amount_cents`` what was
    actually paid; ``external_id`` the provider's transaction id (kept in the
    payment note and the audit event). ``paid`` false records nothing.
    """

    reference: str
    amount_cents: int
    external_id: str = ""
    paid: bool = True
    paid_on: date | None = None


@dataclass(frozen=True)
class BankTransfer:
    key: str = "bank_transfer"

    @property
    def label(self) -> str:
        return _("Virement bancaire")

    def available_for(self, fee_request) -> bool:
        return fee_request.payer_kind.value == "candidate"

    def instructions(self, fee_request) -> dict[str, str]:
        config = current_app.config
        fee = fee_request
        holder = config.get("FEES_ACCOUNT_HOLDER") or (fee.seller.name if fee.seller else "")
        rows = {_("Montant"): format_cents(fee.amount_cents),
                _("Référence à indiquer dans le libellé du virement"): fee.transfer_reference}
        if holder:
            rows[_("Titulaire du compte")] = holder
        if config.get("FEES_IBAN"):
            rows[_("IBAN")] = config["FEES_IBAN"]
            if config.get("FEES_BIC"):
                rows[_("BIC")] = config["FEES_BIC"]
        else:
            rows[_("Coordonnées bancaires")] = _("le certificateur vous les communique sur demande")
        return rows


@dataclass(frozen=True)
class ThirdPartyInvoice(BankTransfer):
    key: str = "third_party_invoice"

    @property
    def label(self) -> str:
        return _("Facture à un financeur (bon de commande)")

    def available_for(self, fee_request) -> bool:
        return fee_request.payer_kind.value == "third_party"

    def instructions(self, fee_request) -> dict[str, str]:
        rows = super().instructions(fee_request)
        if fee_request.purchase_order:
            rows[_("Bon de commande")] = fee_request.purchase_order
        return rows


SHIPPED = (BankTransfer(), ThirdPartyInvoice())


def check_provider(provider: Any, plugin: str = "?") -> None:
    """Refuse an object that does not honour the protocol, naming its plugin."""
    missing = [name for name in ("key", "label", "available_for", "instructions") if not hasattr(provider, name)]
    if missing:
        raise TypeError(f"Plugin {plugin!r} returned a payment provider without {', '.join(missing)}: {provider!r}")
