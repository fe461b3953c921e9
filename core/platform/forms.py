"""Forms of the platform's administration (every form carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired

from core.auth.models import DELIVERY_ROLE_LABELS, DeliveryRole
from core.csrf import LivretForm

_required = DataRequired(message=_l("Ce champ est obligatoire."))


class GrantForm(LivretForm):
    certification = SelectField(_l("Certification"), [_required], choices=[])
    role = RadioField(_l("L'organisme la délivre comme"), [_required],
                      choices=[(r.value, DELIVERY_ROLE_LABELS[r]) for r in DeliveryRole])


class ActionForm(LivretForm):
    """Only the CSRF token (one-button actions)."""
