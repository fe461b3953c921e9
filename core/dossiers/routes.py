"""The access route of a dossier (:class:`core.certifications.descriptor.Route`) and what follows from it.

A certification declares its routes in its referential (``[[routes]]``); a
dossier is opened on one of them (``Dossier.route``, ``None`` meaning the
certification's default, the first declared) and, on a route with
``blocks_alone``, may present one block only (``Dossier.target_block``). The
core follows the route: the sections (:func:`visible_sections`), the
deliverables, the fee, the candidate's slot in a session and the PV's « Voie
d'accès » column.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from core.certifications.descriptor import BlockOral, Certification, Route
from core.errors import ValidationFailed


def route_of(dossier, cert: Certification | None = None) -> Route:
    """The dossier's route (the certification's default when none was chosen or it is no longer declared)."""
    if cert is None:
        from core.certifications.services import get_certification

        cert = get_certification(dossier.certification_code)
    return cert.route(getattr(dossier, "route", None)) or cert.default_route


def block_oral_of(dossier, cert: Certification) -> BlockOral | None:
    """The oral of the one block the candidate presents, or ``None`` (the whole certification)."""
    block = getattr(dossier, "target_block", None)
    return cert.scheme.block_oral(block) if block and cert.scheme else None


def visible_sections(specs: list, route: Route) -> list:
    """The section specs on ``route`` (every one when the route names none), in the plugin's order; a
    deliverables section only on a route that declares deliverables."""
    from core.dossiers.sections import DELIVERABLES

    keys = set(route.sections)
    return [s for s in specs if (not keys or s.key in keys) and (s.kind != DELIVERABLES or route.deliverables)]


def choose(cert: Certification, route: Any = None, block: Any = None) -> tuple[str | None, str | None]:
    """Check the route and block asked for when a dossier is opened: ``(route code, block)`` to store.

    422 ``validation_failed`` with the routes (or blocks) the certification offers, in French."""
    errors: dict[str, list[str]] = {}
    chosen: Route = cert.default_route
    if route not in (None, ""):
        found = cert.route(route) if isinstance(route, str) else None
        if found is None:
            offered = ", ".join(f"« {r.code} » ({r.label})" for r in cert.routes) or _("aucune")
            errors["route"] = [_("La certification %(code)s ne propose pas cette voie d'accès. Voies proposées : "
                                 "%(list)s.", code=cert.code, list=offered)]
        else:
            chosen = found
    target = None
    if block not in (None, "") and not errors:
        orals = cert.scheme.block_orals if cert.scheme else ()
        if not chosen.blocks_alone:
            errors["block"] = [_("La voie d'accès « %(route)s » ne permet pas de se présenter à un seul bloc de "
                                 "compétences.", route=chosen.label or cert.code)]
        elif not isinstance(block, str) or cert.scheme.block_oral(block) is None:
            offered = ", ".join(f"« {o.block} » ({o.title})" for o in orals)
            errors["block"] = [_("Ce bloc n'existe pas pour %(code)s. Blocs proposés : %(list)s.",
                                 code=cert.code, list=offered)]
        else:
            target = block
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(_("Le dossier n'a pas été ouvert. %(reason)s", reason=first),
                               details={**errors, "offered_routes": [r.code for r in cert.routes]})
    return (chosen.code or None), target


def document_name(dossier, cert: Certification | None = None) -> str:
    """How the dossier's submitted document is named on its route (« Livret 2 VAE », « Évaluation écrite »);
    a template global of the pages."""
    document = route_of(dossier, cert).document
    return document.name if document is not None else _("Dossier de certification")


def route_label(dossier, cert: Certification | None = None) -> str:
    """What the PV's « Voie d'accès » column prints for this dossier."""
    return route_of(dossier, cert).label
