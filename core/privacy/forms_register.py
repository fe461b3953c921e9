"""Forms of the register of rights requests (parsing only: :mod:`core.privacy.register` checks the values)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField

from core.csrf import LivretForm
from core.privacy.models import REQUEST_KIND_LABELS, RequestStatus
from core.privacy.register import CHANNEL_LABELS, DETAILS_MAX, ENTERED_CHANNELS, LABEL_MAX
from forms.fields import FrenchDateField, choices


class Needed:
    """Marks a field required (the label's asterisk, ``aria-required``); :mod:`core.privacy.register` says what
    is missing, for the page and the API alike."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def _kinds():
    return choices(("", _l("— Choisir —")), *((kind.value, label) for kind, label in REQUEST_KIND_LABELS.items()))


def _channels():
    return choices(("", _l("— Choisir —")), *((key, CHANNEL_LABELS[key]) for key in ENTERED_CHANNELS))


class RequestForm(LivretForm):
    """A request received by e-mail, letter, telephone…: entered by the organisation's admin."""

    kind = SelectField(_l("Type de demande"), [Needed()], choices=_kinds, validate_choice=False)
    subject_email = EmailField(_l("Adresse électronique du candidat"), render_kw={"maxlength": 254})
    subject_label = StringField(_l("Personne sans compte"), render_kw={"maxlength": LABEL_MAX})
    channel = SelectField(_l("Reçue par"), [Needed()], choices=_channels, validate_choice=False)
    received_on = FrenchDateField(_l("Reçue le"))
    details = TextAreaField(_l("Ce que demande la personne"), render_kw={"rows": 4, "maxlength": DETAILS_MAX})


class HandleForm(LivretForm):
    status = RadioField(_l("Suite donnée"), [Needed()], validate_choice=False,
                        choices=choices((RequestStatus.DONE.value, _l("Demande traitée")),
                                        (RequestStatus.REFUSED.value, _l("Demande refusée"))))
    response = TextAreaField(_l("Réponse apportée à la personne"), [Needed()],
                             render_kw={"rows": 5, "maxlength": DETAILS_MAX})
