"""Webhooks: endpoints, events (:func:`emit`), signed delivery with retries.

How an event travels:

1. A service that changes something calls :func:`emit` *inside its
   transaction*, for the organisation the dossier (or the session) belongs
   to: ``dossier.submitted`` in :func:`core.dossiers.submission.submit_and_seal`,
   ``dossier.admissibility_decided`` and ``dossier.corrections_requested`` in
   :func:`core.review.services._finish`, ``fee.paid`` / ``fee.waived`` in
   :mod:`core.fees.services`, ``session.opened`` in
   :func:`core.sessions.services.open_session`, ``decision.sealed``,
   ``certificate.issued`` and ``pv.sealed`` in :mod:`core.pv.closing`,
   ``erasure.done`` in :func:`core.privacy.erasure.erase`. The
   payload (ids and codes only) is checked against the event's schema
   (:data:`core.webhooks.schemas.EVENT_PAYLOADS`). One
   :class:`WebhookDelivery` row per subscribed, active endpoint of the
   organisation is added to that transaction: a rolled-back change notifies
   nobody, a committed one cannot lose its notification.
2. When the *outermost* transaction commits, a session hook enqueues the job
   :func:`deliver` for each new delivery (``after_commit`` then
   ``after_transaction_end``, once the session may run SQL again, so the
   inline queue of development and tests works as well as RQ).
3. :func:`deliver` POSTs the JSON body, signed with the endpoint's secret
   (``X-Livret-Signature: sha256=<hex HMAC-SHA256 of the body>``), 10 s
   timeout, no redirects, no proxy. A 2xx marks it delivered; anything else
   schedules the next attempt with a back-off (1 min, 5 min, 30 min, 2 h);
   the fifth failure marks it failed. The scheduler task ``webhook-retries``
   (:func:`retry_due`) enqueues the deliveries whose next attempt is due,
   so a lost job or a worker restart only delays a notification.

Addresses: ``https`` only, to a host whose every address is public. Private,
reserved, link-local and loopback addresses are refused when the endpoint is
registered and again before each attempt (the name may resolve differently
later); ``WEBHOOKS_ALLOW_LOOPBACK`` lets ``http(s)://127.0.0.1`` / ``localhost``
through, for tests and local development only.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event as sa_event, select
from sqlalchemy.orm import Session

from core.audit.services import record
from core.auth.models import Role, User, utcnow
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.webhooks.models import EVENTS, MAX_ATTEMPTS, DeliveryStatus, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
BACKOFF_SECONDS = (60, 300, 1800, 7200)  # after the 1st, 2nd, 3rd, 4th failed attempt
USER_AGENT = "Livret-Webhooks/1"
_PENDING = "livret_webhooks_pending"
_READY = "livret_webhooks_ready"


# ---------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------

class UnsafeAddress(ValueError):
    """The URL may not receive webhooks; the message is French and shown to the client."""


def _allow_loopback() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK"))


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeAddress(_("Le nom d'hôte « %(host)s » est introuvable.", host=host)) from None
    found = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        found.append(address)
    return found


def check_url(url: str) -> str:
    """The URL, stripped, if webhooks may be sent to it; :class:`UnsafeAddress` otherwise."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeAddress(_("Adresse web invalide.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeAddress(_("L'adresse doit commencer par https:// et désigner un serveur."))
    if parts.username or parts.password:
        raise UnsafeAddress(_("L'adresse ne doit pas contenir d'identifiant ni de mot de passe."))
    addresses = _addresses(parts.hostname, port)
    loopback = bool(addresses) and all(a.is_loopback for a in addresses)
    for address in addresses:
        if address.is_loopback and _allow_loopback():
            continue
        if not address.is_global or address.is_multicast:
            raise UnsafeAddress(_("L'adresse %(addr)s est privée, réservée ou locale : les notifications ne "
                                  "sont envoyées qu'à des serveurs publics.", addr=str(address)))
    if parts.scheme != "https" and not loopback:
        raise UnsafeAddress(_("L'adresse doit utiliser https://."))
    return url


# ---------------------------------------------------------------------------
# Endpoints (certifier admins of the organisation)
# ---------------------------------------------------------------------------

def _require_admin(user: User) -> None:
    if user.role is not Role.CERTIFIER_ADMIN or user.organisation_id is None:
        raise Forbidden(_("Seul l'administrateur d'un certificateur gère les notifications (webhooks)."))


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    _require_admin(user)
    return list(db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id == user.organisation_id).order_by(WebhookEndpoint.id)))


def get_endpoint_for(user: User, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint if it belongs to the user's organisation; 404 otherwise (never 403)."""
    _require_admin(user)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id != user.organisation_id:
        raise NotFound(code="webhook_not_found")
    return endpoint


def create_endpoint(user: User, *, url: str, events: Iterable[str], description: str = "") -> WebhookEndpoint:
    """Register an endpoint; its ``secret`` is readable on the returned object (show it once)."""
    _require_admin(user)
    try:
        url = check_url(url)
    except UnsafeAddress as exc:
        raise ValidationFailed(str(exc), details={"url": [str(exc)]}) from None
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in EVENTS]
    if not chosen or unknown:
        message = _("Choisissez au moins un événement parmi : %(events)s.", events=", ".join(EVENTS))
        raise ValidationFailed(message, details={"events": [message]})
    endpoint = WebhookEndpoint(organisation_id=user.organisation_id, url=url, events=chosen,
                               description=(description or "").strip()[:200], created_by_id=user.id,
                               secret=WebhookEndpoint.generate_secret(), active=True)
    db.session.add(endpoint)
    db.session.flush()
    record("webhook.created", "organisation", user.organisation_id, actor_id=user.id,
           payload={"endpoint_id": endpoint.id, "url": url, "events": chosen})
    return endpoint


def delete_endpoint(user: User, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its deliveries (nothing more is sent to it)."""
    record("webhook.deleted", "organisation", endpoint.organisation_id, actor_id=user.id,
           payload={"endpoint_id": endpoint.id, "url": endpoint.url})
    db.session.delete(endpoint)
    db.session.flush()


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------

def emit(event: str, organisation_id: int | None, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue ``event`` for the organisation's subscribed endpoints, in the caller's transaction.

    ``payload`` holds ids and codes only (no personal data): receivers fetch
    details through the API. Nothing is sent before the caller commits.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    _check_payload(event, payload)
    if organisation_id is None:
        return []
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id == organisation_id, WebhookEndpoint.active.is_(True)))
    now = utcnow()
    created = [WebhookDelivery(endpoint_id=e.id, event=event, payload=dict(payload), status=DeliveryStatus.PENDING,
                               attempts=0, next_attempt_at=now, created_at=now)
               for e in endpoints if e.subscribes(event)]
    if created:
        db.session.add_all(created)
        db.session.flush()
        db.session.info.setdefault(_PENDING, []).extend(d.id for d in created)
    return created


class PayloadMismatch(ValueError):
    """A payload that does not match its event's schema (:data:`core.webhooks.schemas.EVENT_PAYLOADS`)."""


def _check_payload(event: str, payload: dict[str, Any]) -> None:
    """In debug and tests a payload drifting from its schema is an error; in production it is logged and sent."""
    from core.webhooks.schemas import payload_errors

    errors = payload_errors(event, payload)
    if errors is None:
        return
    if has_app_context() and (current_app.debug or current_app.testing):
        raise PayloadMismatch(f"payload of {event} does not match its schema: {errors}")
    logger.error("payload of webhook event %s does not match its schema: %s", event, errors)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.get(_PENDING) and not session.in_nested_transaction():
        session.info.setdefault(_READY, []).extend(session.info.pop(_PENDING))


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


@sa_event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Here the committed transaction is closed: the session may run SQL again (inline jobs do).
    if transaction.parent is not None or not session.info.get(_READY):
        return
    ids = session.info.pop(_READY)
    if has_app_context():
        enqueue(ids)


def enqueue(delivery_ids: Iterable[int]) -> None:
    """Enqueue :func:`deliver` for each id; a failure is logged (the scheduler retries due deliveries)."""
    jobs = current_app.extensions["livret"].jobs
    for delivery_id in delivery_ids:
        try:
            jobs.enqueue("core.webhooks.services.deliver", delivery_id=delivery_id)
        except Exception:  # noqa: BLE001 - the change is committed; the delivery waits for the scheduler
            logger.exception("could not enqueue webhook delivery %s", delivery_id)


# ---------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------

def sign(secret: str, body: bytes) -> str:
    """The ``X-Livret-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(delivery: WebhookDelivery, timestamp: int) -> bytes:
    envelope = {"id": delivery.id, "event": delivery.event, "timestamp": timestamp,
                "created_at": _iso(delivery.created_at), "data": delivery.payload}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def iso(moment: datetime | None) -> str | None:
    """``moment`` as the payloads write it: ISO 8601 in UTC with a ``Z`` (naive values are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


_iso = iso


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer, not followed
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """``(status, error)``: ``error`` is ``None`` for a 2xx answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(4096)
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:500]


def deliver(delivery_id: int) -> str | None:
    """One attempt at a due, pending delivery (job). Returns the resulting status, ``None`` if skipped."""
    query = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    delivery = db.session.scalar(query)
    now = utcnow()
    if delivery is None or delivery.status is not DeliveryStatus.PENDING or \
            (delivery.next_attempt_at is not None and _aware(delivery.next_attempt_at) > now):
        db.session.rollback()
        return None
    endpoint = delivery.endpoint
    # Claim the attempt before sending: another worker sees it as not due until the back-off ends.
    delivery.attempts += 1
    attempt = delivery.attempts
    delivery.next_attempt_at = now + timedelta(seconds=BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1])
    timestamp = int(time.time())
    body = body_of(delivery, timestamp)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Livret-Event": delivery.event, "X-Livret-Delivery": str(delivery.id),
               "X-Livret-Timestamp": str(timestamp), "X-Livret-Signature": sign(endpoint.secret, body)}
    url, active = endpoint.url, endpoint.active
    db.session.commit()

    status_code: int | None = None
    if not active:
        error = "endpoint disabled"
    else:
        try:
            check_url(url)
            status_code, error = _post(url, body, headers)
        except UnsafeAddress as exc:
            error = f"refused address: {exc}"

    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # the endpoint was deleted meanwhile
        db.session.rollback()
        return None
    delivery.last_status_code = status_code
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, utcnow(), None
        delivery.next_attempt_at = None
    else:
        delivery.last_error = error[:1000]
        if attempt >= MAX_ATTEMPTS or not active:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    status = delivery.status.value
    db.session.commit()
    if error is not None:
        logger.warning("webhook delivery %s attempt %d to %s failed: %s", delivery_id, attempt, url, error)
    return status


def due_deliveries(now: datetime | None = None, limit: int = 500) -> list[int]:
    moment = now or utcnow()
    return list(db.session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= moment)
        .order_by(WebhookDelivery.next_attempt_at).limit(limit)))


def retry_due() -> int:
    """Scheduler task: enqueue every pending delivery whose next attempt is due. Returns how many."""
    ids = due_deliveries()
    db.session.rollback()
    enqueue(ids)
    return len(ids)
