"""RS6776 « Création de contenus rédactionnels et visuels par l'usage
responsable de l'intelligence artificielle générative » (Inkréa Certifications).

The data of the certification is in ``referential.toml`` beside this module,
transcribed from the certification's règlement (sections 1 to 8) and
validated by core's referential schema when the plugin is loaded; the README
of this distribution says where each piece comes from.

The règlement says that the written test has six practical cases, each one
matching one competency of the référentiel, but it does not name the six
competencies. Their titles in ``referential.toml`` are provisional labels
marked ``editable`` (« intitulé à confirmer ») until the certifier records the
official wording there. Nothing here invents official wording. What needs
code stays here: the six competencies C1..C6 are checked, and a note is shown
while a title is still provisional.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from core.certifications.descriptor import Certification
from core.certifications.referential import ReferentialError, load_referential

REFERENTIAL = Path(__file__).with_name("referential.toml")
COMPETENCY_COUNT = 6
COMPETENCY_CODES = tuple(f"C{n}" for n in range(1, COMPETENCY_COUNT + 1))

UNCONFIRMED_NOTE = (
    "Les intitulés officiels des six compétences du référentiel ne figurent pas dans le règlement de certification : "
    "les intitulés affichés sont provisoires et doivent être complétés par le certificateur."
)


def load_certification(path: Path = REFERENTIAL) -> Certification:
    """The RS6776 descriptor read from ``path``: six competencies C1..C6 in order, one per practical case."""
    cert = load_referential(path, competencies_file=Path(path).name)
    codes = tuple(c.code for c in cert.competencies)
    if codes != COMPETENCY_CODES:
        raise ReferentialError(path, None, f"[[blocks.competencies]]: expected the competencies "
                                           f"{', '.join(COMPETENCY_CODES)} in this order, found {', '.join(codes)}")
    if any(c.editable for c in cert.competencies):
        cert = dataclasses.replace(cert, notes=(UNCONFIRMED_NOTE, *cert.notes), extra=cert.extra)
    return cert


CERTIFICATION = load_certification()
CODE = CERTIFICATION.code
RULES = CERTIFICATION.rules
