"""Hook implementations of the ``rncp37827`` plugin."""
from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl

from livret_rncp37827.descriptor import CERTIFICATION, CODE

TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def livret_certifications():
    return [CERTIFICATION]


@hookimpl
def livret_template_dirs():
    return [TEMPLATES]


@hookimpl
def livret_dossier_sections(certification):
    if certification.code != CODE:
        return None
    from livret_rncp37827.sections import dossier_sections

    return dossier_sections()


@hookimpl
def livret_dossier_problems(certification, dossier, sections):
    if certification.code != CODE:
        return None
    from livret_rncp37827.rules import dossier_problems

    return dossier_problems(certification, dossier, sections)


@hookimpl
def livret_jury_decision(certification, consolidation):
    if certification.code != CODE:
        return None
    from livret_rncp37827.decision import jury_decision

    return jury_decision(certification, consolidation)


@hookimpl
def livret_decision_problems(certification, consolidation, decision):
    if certification.code != CODE:
        return None
    from livret_rncp37827.decision import decision_problems

    return decision_problems(certification, consolidation, decision)


@hookimpl
def livret_jury_problems(certification, session):
    if certification.code != CODE:
        return None
    from livret_rncp37827.jury import jury_problems

    return jury_problems(certification, session)
