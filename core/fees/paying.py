"""Payment providers (hook ``livret_payment_providers``): the ones offered, an online start, their notifications."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit.services import record
from core.auth.models import Organisation, User
from core.certifications.services import get_certification
from core.errors import Conflict, NotFound, UserError
from core.extensions import db
from core.fees.base import _locked, _state_conflict
from core.fees.models import FeeRequest, FeeState
from core.fees.providers import check_provider
from core.fees.transitions import _mark_paid


def payment_providers(certification) -> list[Any]:
    """Every provider the plugins offer for ``certification``, by key (the plugin registered last wins)."""
    from core.plugins import call_each

    pm = current_app.extensions["livret"].pm
    found: dict[str, Any] = {}
    for plugin, providers in call_each(pm, "livret_payment_providers", certification=certification):
        for provider in providers:
            check_provider(provider, plugin)
            found.setdefault(provider.key, provider)
    return list(found.values())


def providers_for(fee: FeeRequest) -> list[Any]:
    """The providers the payer of ``fee`` may use (none once the request is no longer waiting)."""
    if fee.state is not FeeState.REQUESTED:
        return []
    cert = get_certification(fee.dossier.certification_code)
    return [p for p in payment_providers(cert) if p.available_for(fee)]


def provider_options(fee: FeeRequest | None) -> list[dict[str, Any]]:
    """What the pages show: ``{"key", "label", "instructions", "online"}`` per available provider."""
    if fee is None:
        return []
    return [{"key": p.key, "label": p.label, "instructions": dict(p.instructions(fee) or {}),
             "online": callable(getattr(p, "start", None))} for p in providers_for(fee)]


def start_payment(fee: FeeRequest, key: str, *, return_url: str, actor: User | None) -> str:
    """Send the payer to an online provider: the URL its ``start`` returns (audited ``fee.payment_started``)."""
    if fee.state is not FeeState.REQUESTED:
        raise _state_conflict(fee, _("payer en ligne"))
    provider = next((p for p in providers_for(fee) if p.key == key), None)
    if provider is None or not callable(getattr(provider, "start", None)):
        raise NotFound(code="provider_not_found")
    url = provider.start(fee, return_url)
    if not url:
        raise UserError(_("Le paiement en ligne n'a pas pu démarrer : réessayez plus tard ou choisissez "
                          "un autre moyen de paiement."), code="provider_unavailable")
    record("fee.payment_started", "dossier", fee.dossier_id, actor_id=getattr(actor, "id", None),
           payload={"fee_id": fee.id, "provider": key})
    return url


def _seller_of(fee: FeeRequest) -> Organisation | None:
    """The organisation the dossier was opened with: it sells the fee (online payments, invoices)."""
    return fee.dossier.organisation


def handle_notification(key: str, request) -> FeeRequest | None:
    """A provider's callback: its ``handle_notification`` says what was paid; core records it (no commit).

    Returns the paid request, or ``None`` when the provider ignored the
    notification, the payment failed or the request was already paid (a
    provider may notify twice). An unknown provider or reference is a 404.
    """
    from core.certifications.services import all_certifications

    provider = next((p for cert in all_certifications() for p in payment_providers(cert) if p.key == key), None)
    if provider is None or not callable(getattr(provider, "handle_notification", None)):
        raise NotFound(code="provider_not_found")
    result = provider.handle_notification(request)
    if result is None or not result.paid:
        return None
    fee = db.session.scalar(select(FeeRequest).where(FeeRequest.transfer_reference == result.reference))
    if fee is None:
        raise NotFound(code="fee_not_found")
    cert = get_certification(fee.dossier.certification_code)
    if key not in {p.key for p in payment_providers(cert)}:
        raise NotFound(code="provider_not_found")
    fee = _locked(fee)
    if fee.state is FeeState.PAID and fee.provider == key:
        return None
    seller = _seller_of(fee)
    if seller is None:
        raise Conflict(_("Aucun certificateur ne délivre cette certification : paiement non enregistré."),
                       code="no_seller")
    fee.provider = key
    return _mark_paid(fee, amount_cents=result.amount_cents, paid_on=result.paid_on,
                      note=f"{provider.label} {result.external_id}".strip(), source=key,
                      actor_id=None, seller_id=seller.id)
