"""Section 5 of the Livret 2: la lettre de motivation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from forms.base import Section
from forms.sections.common import long_text
from forms.validators import MaxWords, Required

GUIDANCE = _l("Précisez les raisons qui vous conduisent à présenter votre demande de VAE au jury chargé de "
              "l'examiner.")


class LettreMotivationSection(Section):
    key = "lettre_motivation"
    title = _l("Votre lettre de motivation")
    max_words = 2000

    lettre = long_text(_l("Lettre de motivation"), Required(), MaxWords(max_words), max_chars=20_000, rows=16,
                       description=GUIDANCE)
