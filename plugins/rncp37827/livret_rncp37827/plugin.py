"""The ``rncp37827`` plugin: the module its entry point names.

Each per-certification hook is implemented beside the rules it applies
(``sections``, ``rules``, ``decision``, ``jury``, ``regulation``) and gathered
here. Core calls them for RNCP37827 only (the plugin that declares it), so none
of them checks the certification's code.
"""
from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl

from livret_rncp37827.decision import livret_decision_problems, livret_jury_decision
from livret_rncp37827.descriptor import CERTIFICATION
from livret_rncp37827.jury import livret_jury_problems
from livret_rncp37827.regulation import livret_jury_regulation
from livret_rncp37827.rules import livret_dossier_problems
from livret_rncp37827.sections import livret_dossier_sections

# the hook implementations pluggy finds in this module
__all__ = ["livret_certifications", "livret_template_dirs", "livret_dossier_sections", "livret_dossier_problems",
           "livret_jury_problems", "livret_jury_regulation", "livret_jury_decision", "livret_decision_problems"]

TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def livret_certifications():
    return [CERTIFICATION]


@hookimpl
def livret_template_dirs():
    return [TEMPLATES]
