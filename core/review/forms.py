"""Forms of the review page: the decision (with re-authentication) and the private notes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from wtforms import FieldList, Form, FormField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.sealing.forms import ReauthForm

CORRECTION_ROWS = 3


class NoteForm(LivretForm):
    text = TextAreaField(_l("Nouvelle note"), validators=[
        DataRequired(message=_l("Saisissez le texte de la note.")),
        Length(max=4000, message=_l("La note est trop longue (4000 caractères au plus)."))])


class CorrectionItemForm(Form):
    """One requested correction: what to do and where (a section or an annex)."""

    message = TextAreaField(_l("Correction attendue"), validators=[
        Optional(), Length(max=2000, message=_l("Le texte est trop long (2000 caractères au plus)."))])
    section = SelectField(_l("Section concernée"), choices=[], validate_choice=False)
    annex = SelectField(_l("Annexe concernée"), choices=[], validate_choice=False)


class DecisionForm(ReauthForm):
    kind = RadioField(_l("Décision"), choices=[
        ("admissible", _l("Recevable")),
        ("inadmissible", _l("Irrecevable (motifs obligatoires)")),
        ("corrections", _l("Corrections demandées au candidat")),
    ], validators=[InputRequired(message=_l("Choisissez une décision."))])
    reasons = TextAreaField(_l("Motifs de l'irrecevabilité"), validators=[
        Optional(), Length(max=4000, message=_l("Les motifs sont trop longs (4000 caractères au plus)."))])
    items = FieldList(FormField(CorrectionItemForm), min_entries=CORRECTION_ROWS, max_entries=20)

    def prepare(self, sections: list[tuple[str, str]], annexes: list[tuple[int, str]]) -> None:
        """Fill the choices of each correction row from the submitted version."""
        for entry in self.items:
            entry.form.section.choices = [("", _l("— aucune —"))] + list(sections)
            entry.form.annex.choices = [("", _l("— aucune —"))] + [(str(n), t) for n, t in annexes]

    def correction_items(self) -> list[dict]:
        rows = []
        for entry in self.items:
            annex = entry.form.annex.data
            rows.append({"message": (entry.form.message.data or "").strip(),
                         "section": entry.form.section.data or None,
                         "annex": int(annex) if annex and str(annex).isdigit() else None})
        return rows

    def attach_errors(self, details) -> None:
        """Put a service's error details ({"items.0.message": [...], "reasons": [...]}) on the fields."""
        if not isinstance(details, dict):
            return
        for path, messages in details.items():
            parts = path.split(".")
            target = None
            if parts[0] == "items" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self.items):
                target = getattr(self.items[int(parts[1])].form, parts[2], None)
            elif parts[0] == "items":
                target = self.items[0].form.message
            else:
                target = getattr(self, parts[0], None)
            if target is not None:
                target.errors = [*list(target.errors or []), *[str(m) for m in messages]]
