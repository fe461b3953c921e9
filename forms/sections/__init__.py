"""The reusable sections of the Livret 2 (Annexe 5 of the RNCP37827 seed).

``SECTIONS`` lists them in the order of the Livret; ``get(key)`` finds one.
A plugin returns the classes it wants (possibly subclassed) from its
section hook; see ``docs/forms.md``.
"""
from __future__ import annotations

from forms.sections.declaration import DeclarationHonneurSection
from forms.sections.engagement import EngagementSection
from forms.sections.etat_civil import EtatCivilSection
from forms.sections.fiches import (ActiviteEntry, FicheActiviteSection, FichePosteSection, FicheStructureSection,
                                   PosteEntry, StructureEntry)
from forms.sections.financement import FinancementSection
from forms.sections.lettre_motivation import LettreMotivationSection
from forms.sections.situation import SituationSection

SECTIONS = (
    EtatCivilSection,
    SituationSection,
    FinancementSection,
    EngagementSection,
    LettreMotivationSection,
    FicheStructureSection,
    FichePosteSection,
    FicheActiviteSection,
    DeclarationHonneurSection,
)


def get(key: str):
    """The section class with this ``key`` (KeyError otherwise)."""
    for section in SECTIONS:
        if section.key == key:
            return section
    raise KeyError(key)


__all__ = [
    "SECTIONS", "get", "EtatCivilSection", "SituationSection", "FinancementSection", "EngagementSection",
    "LettreMotivationSection", "FicheStructureSection", "FichePosteSection", "FicheActiviteSection",
    "DeclarationHonneurSection", "StructureEntry", "PosteEntry", "ActiviteEntry",
]
