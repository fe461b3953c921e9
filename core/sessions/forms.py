"""Forms of the session pages. The services check the values again (the API
shares them); their errors are put back on the fields with :func:`attach_errors`."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms import fields as wtf
from wtforms.validators import InputRequired, Length, Optional

from core.sessions.members import EXTERNAL_REQUIRED
from forms.fields import FrenchDateField, FrenchIntegerField, TypedInputMixin, choices

EMPTY_STEP_ROWS = 3
YES_NO = choices(("1", _l("Oui")), ("0", _l("Non")))


class FrenchTimeField(TypedInputMixin, wtf.TimeField):
    """``<input type="time">``; ``9:30``, ``09h30`` and ``9h`` typed by hand are accepted too."""

    def process_data(self, value):
        self.data = value

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        text = valuelist[0].strip().lower().replace("h", ":")
        if text.endswith(":"):
            text += "00"
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                self.data = dt.datetime.strptime(text, fmt).time()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(gettext("Saisissez une heure valide, par exemple 09:30."))

    def display_value(self) -> str:
        return self.data.strftime("%H:%M") if isinstance(self.data, dt.time) else ""


class SessionForm(LivretForm):
    certification = SelectField(_l("Certification"), choices=[], validate_choice=False)
    title = StringField(_l("Intitulé de la session"), validators=[Length(max=200)])
    day = FrenchDateField(_l("Date de début de la session"))
    clock = FrenchTimeField(_l("Heure de passage du premier candidat (heure de Paris)"))
    ends_on = FrenchDateField(_l("Date de fin de la session"), validators=[Optional()])
    centre = StringField(_l("Centre organisateur de la session"), validators=[Length(max=200)])
    address = TextAreaField(_l("Adresse du lieu de la session"), validators=[Length(max=500)])
    video_link = StringField(_l("Lien de la visioconférence (évaluation à distance)"),
                             validators=[Length(max=500)], render_kw={"type": "url", "inputmode": "url"})
    manager_position = StringField(_l("Votre fonction (responsable de session)"), validators=[Length(max=200)])


class StepForm(Form):
    title = StringField(_l("Intitulé de l'étape"))
    minutes = FrenchIntegerField(_l("Durée (minutes)"), render_kw={"inputmode": "numeric"})
    with_candidate = BooleanField(_l("En présence du candidat"))


class ScheduleForm(LivretForm):
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=40)

    def rows(self) -> list[dict]:
        return [{"title": (e.form.title.data or "").strip(), "minutes": e.form.minutes.data,
                 "with_candidate": bool(e.form.with_candidate.data)} for e in self.steps]


def schedule_form(steps: list[dict] | None = None) -> ScheduleForm:
    """The schedule's rows followed by a few empty rows to add steps without JavaScript."""
    if steps is None:
        return ScheduleForm()
    data = [{"title": s.get("title", ""), "minutes": s.get("minutes"), "with_candidate": s.get("with_candidate")}
            for s in steps] + [{"title": "", "minutes": None, "with_candidate": False}] * EMPTY_STEP_ROWS
    return ScheduleForm(data={"steps": data})


class CandidateForm(LivretForm):
    dossier_id = SelectField(_l("Dossier à ajouter"), choices=[], validate_choice=False,
                             validators=[InputRequired(message=_l("Choisissez un dossier."))])


class SlotForm(LivretForm):
    day = FrenchDateField(_l("Date du passage"))
    clock = FrenchTimeField(_l("Heure de début du créneau (heure de Paris)"))


class JurorEditForm(LivretForm):
    """What is recorded about a juror. The labels naming the field of practice are set per certification
    (:func:`name_the_field`); « extérieur » has no default: the manager answers it for every juror."""

    position = StringField(_l("Poste occupé"), validators=[Length(max=200)])
    company = StringField(_l("Entreprise"), validators=[Length(max=200)])
    professional = RadioField(_l("Professionnel ou professionnelle du métier"), choices=YES_NO, default="1",
                              validators=[InputRequired(message=_l("Répondez par oui ou par non."))])
    experience_years = FrenchIntegerField(_l("Années d'expérience dans le métier"),
                                          render_kw={"inputmode": "numeric"})
    # one message when unanswered; another value than 1 / 0 is refused by the service
    external = RadioField(_l("Extérieur ou extérieure au certificateur et à l'organisme évaluateur"), choices=YES_NO,
                          validate_choice=False, validators=[InputRequired(message=EXTERNAL_REQUIRED)])


def name_the_field(form: JurorEditForm, cert) -> JurorEditForm:
    """Name the certification's field of practice in the labels, as its plugin words it
    (``Certification.extra["juror_field"]``, e.g. « le développement et l'IA »); generic otherwise."""
    practice = str((cert.extra or {}).get("juror_field") or "").strip() if cert is not None else ""
    if practice:
        form.professional.label.text = gettext("Professionnel ou professionnelle du métier : %(field)s",
                                               field=practice)
        form.experience_years.label.text = gettext("Années d'expérience dans %(field)s", field=practice)
    return form


class JurorForm(JurorEditForm):
    email = StringField(_l("Adresse électronique du juré"),
                        validators=[InputRequired(message=_l("Indiquez l'adresse électronique du juré."))],
                        render_kw={"type": "email", "autocomplete": "off"})
    first_name = StringField(_l("Prénom (pour inviter un nouveau juré)"), validators=[Length(max=100)])
    last_name = StringField(_l("Nom (pour inviter un nouveau juré)"), validators=[Length(max=100)])


class ObservationsForm(LivretForm):
    manager_position = StringField(_l("Fonction du responsable de session"), validators=[Length(max=200)])
    observations = TextAreaField(_l("Observations sur le déroulement de la session d'évaluation"),
                                 validators=[Length(max=4000)])


class EmptyForm(LivretForm):
    """A button that changes something (CSRF only)."""


def attach_errors(form, details) -> bool:
    """Put a service's ``details`` (``{"field": [...], "steps.0.title": [...]}``) on the form's fields;
    anything without a field goes to ``form.form_errors``. Returns whether all found a field."""
    placed = True
    for path, messages in (details or {}).items() if isinstance(details, dict) else ():
        if not isinstance(messages, (list, tuple)):
            continue
        target = _field_for(form, path)
        if target is None:
            form.form_errors.extend(str(m) for m in messages)
            placed = False
        else:
            target.errors = [*list(target.errors or []), *[str(m) for m in messages]]
    return placed


def _field_for(form, path: str):
    parts = str(path).split(".")
    field = form._fields.get(parts[0]) if hasattr(form, "_fields") else None
    if field is None:
        return None
    if len(parts) == 3 and parts[1].isdigit() and isinstance(field, FieldList):
        index = int(parts[1])
        if index < len(field.entries):
            return field.entries[index].form._fields.get(parts[2])
    return field
