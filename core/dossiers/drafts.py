"""A dossier's sections and saved drafts, as pages read them: the sections a certification's plugin
declares (for the dossier's route), each section's draft, its form. Re-exported by
:mod:`core.dossiers.services`."""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, inspect as sa_inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from core.certifications.descriptor import Certification
from core.dossiers.models import Annex, Dossier, SectionDraft
from core.dossiers.sections import SectionSpec
from core.errors import NotFound
from core.plugins import certification_hook

# ---------------------------------------------------------------------------
# Sections declared by plugins
# ---------------------------------------------------------------------------

def _plugin_sections(cert: Certification) -> tuple[SectionSpec, ...]:
    """The plugin's answer to ``livret_dossier_sections``, asked once per certification and locale (titles are
    translated when the plugin builds them) and kept on the plugin manager, which forgets it whenever a plugin
    is registered or unregistered: a page asks for the sections several times (progress, problems, coverage)."""
    from flask import current_app
    from flask_babel import get_locale

    pm = current_app.extensions["livret"].pm
    cache = getattr(pm, "section_cache", None)
    key = (cert.code, id(cert), str(get_locale()))
    if cache is not None and key in cache:
        return cache[key]
    specs = tuple(certification_hook(cert, "livret_dossier_sections", pm)(certification=cert) or ())
    if cache is not None:
        cache[key] = specs
    return specs


def sections_for(cert: Certification, dossier: Dossier | None = None) -> list[SectionSpec]:
    """The sections of ``cert``'s dossier (empty: no online dossier for it); with ``dossier``, only those
    of its access route (:func:`core.dossiers.routes.visible_sections`)."""
    specs = list(_plugin_sections(cert))
    if dossier is None:
        return specs
    from core.dossiers.routes import route_of, visible_sections

    return visible_sections(specs, route_of(dossier, cert))


def section_spec(cert: Certification, key: str, dossier: Dossier | None = None) -> SectionSpec:
    for spec in sections_for(cert, dossier):
        if spec.key == key:
            return spec
    raise NotFound(code="section_not_found")


# ---------------------------------------------------------------------------
# Drafts
# ---------------------------------------------------------------------------

# What the lazy loads of ``dossier.sections`` and ``dossier.annexes`` read (same statements, same rows, same
# order), with statements built once: a lazy load builds its statement and its cache key again on every page,
# which cost about as much as the query itself. :func:`_loaded` fills the relationship as the lazy load would.
_DRAFTS_OF = select(SectionDraft).where(SectionDraft.dossier_id == bindparam("dossier_id"))
_ANNEXES_OF = select(Annex).where(Annex.dossier_id == bindparam("dossier_id")).order_by(Annex.number)
_DRAFT_OF = select(SectionDraft).where(SectionDraft.dossier_id == bindparam("dossier_id"),
                                       SectionDraft.key == bindparam("key"))


def _loaded(dossier: Dossier, name: str, statement) -> list:
    """``dossier.<name>``, read with ``statement`` when not loaded yet (a persistent dossier of a session)."""
    state = sa_inspect(dossier)
    if name not in state.dict and state.persistent:
        set_committed_value(dossier, name, list(state.session.scalars(statement, {"dossier_id": dossier.id})))
    return getattr(dossier, name)


def draft_of(dossier: Dossier, key: str) -> SectionDraft | None:
    """The draft of section ``key``: among the dossier's drafts when they are loaded (the dossier page reads them
    all), else that one row alone (a section page or a save needs no other section, nor to decode what every
    other section holds). Either way the same object: the session keeps one per row."""
    state = sa_inspect(dossier)
    if "sections" not in state.dict and state.persistent:
        return state.session.scalar(_DRAFT_OF, {"dossier_id": dossier.id, "key": key})
    return next((s for s in dossier.sections if s.key == key), None)


def section_data(dossier: Dossier) -> dict[str, dict[str, Any]]:
    return {s.key: dict(s.data or {}) for s in _loaded(dossier, "sections", _DRAFTS_OF)}


def build_form(spec: SectionSpec, cert: Certification, data: dict[str, Any] | None = None, formdata=None):
    """The section's form, from submitted ``formdata`` or from saved ``data``."""
    if formdata is not None:
        return spec.form(formdata=formdata, certification=cert)
    return spec.form.from_data(data or {}, certification=cert)
