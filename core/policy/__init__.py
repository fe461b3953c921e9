"""One authorisation policy for pages and API: :func:`allowed`, :func:`require`, :func:`check_endpoint`.

Two layers, both read from the same table (:mod:`core.policy.table`):

- **the endpoint gate** (:func:`check_endpoint`, before every request, and
  after the bearer token of an API request is read): the endpoint must be
  listed in :data:`core.policy.endpoints.ENDPOINTS` (deny by default) and the
  person's role must appear in its action's entry;
- **the object check** (:func:`require`, where a view loads its object): the
  object must stand in the role's relation to the person (their own dossier,
  a dossier of their organisation, a session they sit on...).

A refusal on an object whose existence must not leak is a 404; where the
person may see the object but not do this with it, a 403 with a French reason.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from core.policy.endpoints import ENDPOINTS
from core.policy.table import ACTIONS, OPERATOR, POLICY, PUBLIC, SIGNED_IN

__all__ = ["ACTIONS", "ENDPOINTS", "OPERATOR", "POLICY", "PUBLIC", "SIGNED_IN", "allowed", "require", "check_endpoint",
           "declare_endpoint", "endpoint_action"]

# the action that shows an object: a refusal is a 403 only to somebody who may see the object
VIEW_ACTION = {"dossier": "dossier.view", "document": "document.view", "session": "session.view",
               "organisation": "organisation.grant"}


def _signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) \
        is not None


def allowed(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` (``None`` or anonymous: nobody) may do ``action`` on ``obj``."""
    if action == PUBLIC:
        return True
    if action == OPERATOR or not _signed_in(user):
        return False  # OPERATOR: no person may; the view checks the machine's credential
    if action == SIGNED_IN:
        return True
    relation = POLICY[action].get(user.role)
    return relation is not None and relation(user, obj)


def require(user: Any, action: str, obj: Any = None, *, code: str | None = None,
            reason: str | None = None, refusal_code: str = "forbidden") -> None:
    """Refuse unless :func:`allowed`: 404 (error code ``code``) where the object must stay hidden, else 403
    with the French ``reason`` and the error code ``refusal_code`` (see the module)."""
    from core.errors import Forbidden, NotFound

    if allowed(user, action, obj):
        return
    spec = ACTIONS[action]
    if spec.target == "none":
        if spec.hide:
            raise NotFound(code=code)
        raise Forbidden(reason or _("Vous n'avez pas accès à cette action."), code=refusal_code)
    view = VIEW_ACTION.get(spec.target)
    if spec.hide or view is None or not allowed(user, view, obj):
        raise NotFound(code=code or f"{spec.target}_not_found")
    raise Forbidden(reason or _("Vous n'avez pas accès à cette action."), code=refusal_code)


def endpoint_action(endpoint: str | None) -> str | None:
    return ENDPOINTS.get(endpoint or "")


def declare_endpoint(endpoint: str, action: str) -> None:
    """List an endpoint added outside core (a plugin's blueprint): ``declare_endpoint("area.view", "dossier.view")``."""
    if action not in (PUBLIC, SIGNED_IN, OPERATOR) and action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    ENDPOINTS[endpoint] = action


def check_endpoint(user: Any, endpoint: str | None) -> None:
    """The gate: an unlisted endpoint is refused to all; a listed one to the roles its action excludes.

    Anonymous requests pass the gate for non-public endpoints: the view's own
    authentication then answers (sign-in page or 401).
    """
    from core.errors import Forbidden, NotFound

    if endpoint is None:
        return  # no route matched: the 404/405 of the router
    action = endpoint_action(endpoint)
    if action is None:
        raise NotFound()
    if action in (PUBLIC, SIGNED_IN, OPERATOR) or not _signed_in(user):
        return  # OPERATOR: the view answers (its own credential, never a person's session)
    if user.role in POLICY[action]:
        return
    spec = ACTIONS[action]
    if spec.target != "none":
        if not spec.hide:
            return  # the view's object check answers: 403 with a reason to who may see the object, else 404
        raise NotFound(code=f"{spec.target}_not_found")
    if spec.hide:
        raise NotFound()
    raise Forbidden(_("Cette page est réservée à d'autres rôles que le vôtre (%(role)s).", role=user.role.label),
                    code="forbidden")
