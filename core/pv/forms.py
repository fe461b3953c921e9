"""Forms of the procès-verbal pages: generation, signatures (one password for all), correction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from core.sealing.forms import ReauthForm


class GenerateForm(LivretForm):
    """No field: the CSRF token only (the signatures that follow re-authenticate)."""


class SignAllForm(ReauthForm):
    """One password signs every document waiting for the current user."""


class CorrectionForm(ReauthForm):
    reason = TextAreaField(_l("Motif de la correction"), validators=[
        DataRequired(message=_l("Indiquez le motif de la correction : il figure sur le procès-verbal rectificatif.")),
        Length(max=4000, message=_l("Le motif est trop long (4000 caractères au plus)."))])
