"""Hook implementations of the ``rncp37827`` plugin."""
from __future__ import annotations

from pathlib import Path

from core.hookspecs import hookimpl

from livret_rncp37827.descriptor import CERTIFICATION

TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def livret_certifications():
    return [CERTIFICATION]


@hookimpl
def livret_template_dirs():
    return [TEMPLATES]
