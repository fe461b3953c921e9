"""Reading the certifications declared by plugins."""
from __future__ import annotations

from flask import current_app

from core.certifications.descriptor import Certification, validate
from core.errors import NotFound
from core.plugins import PluginLoadError, call_each


def load_certifications(pm) -> dict[str, Certification]:
    """Collect, validate and index the plugins' descriptors by code."""
    found: dict[str, Certification] = {}
    for plugin_name, certifications in call_each(pm, "livret_certifications"):
        for cert in certifications:
            if not isinstance(cert, Certification):
                raise PluginLoadError(f"Plugin {plugin_name!r} returned {type(cert).__name__}, not a Certification.")
            problems = validate(cert)
            if problems:
                raise PluginLoadError(f"Plugin {plugin_name!r}, certification {cert.code}: " + "; ".join(problems))
            if cert.code in found:
                raise PluginLoadError(
                    f"Certification {cert.code} is declared by plugins {found[cert.code].plugin!r} and {plugin_name!r}.")
            object.__setattr__(cert, "plugin", plugin_name)
            object.__setattr__(cert, "provider", pm.get_plugin(plugin_name))
            found[cert.code] = cert
    return dict(sorted(found.items()))


def all_certifications() -> list[Certification]:
    return list(current_app.extensions["livret"].certifications.values())


def get_certification(code: str) -> Certification:
    cert = current_app.extensions["livret"].certifications.get(code.upper()) if code else None
    if cert is None:
        raise NotFound(code="certification_not_found")
    return cert
