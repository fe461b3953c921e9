"""Forms of the person's rights: the profile (account page), a request about sealed data, the erasure."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from core.auth.forms import PASSWORD_MAX
from core.csrf import LivretForm
from core.privacy.self_service import DETAILS_MAX, NAME_MAX

LANGUAGE_LABELS = {"fr": "Français", "en": "English"}


class ProfileForm(LivretForm):
    first_name = StringField(_l("Prénom"), validators=[
        DataRequired(message=_l("Saisissez votre prénom.")),
        Length(max=NAME_MAX, message=_l("Le prénom ne doit pas dépasser 100 caractères."))])
    last_name = StringField(_l("Nom"), validators=[
        DataRequired(message=_l("Saisissez votre nom.")),
        Length(max=NAME_MAX, message=_l("Le nom ne doit pas dépasser 100 caractères."))])
    language = SelectField(_l("Langue du compte"), choices=[], validate_choice=True)

    def prepare(self, languages) -> "ProfileForm":
        self.language.choices = [SelectChoice(code, LANGUAGE_LABELS.get(code, code)) for code in languages]
        return self


class RightsRequestForm(LivretForm):
    kind = RadioField(_l("Votre demande"), choices=[
        SelectChoice("rectification", _l("Rectifier des données que j'ai déposées (elles sont inexactes ou "
                                         "incomplètes)")),
        SelectChoice("objection", _l("M'opposer à un traitement de mes données")),
    ], default="rectification", validators=[InputRequired(message=_l("Choisissez le type de votre demande."))])
    dossier = SelectField(_l("Dossier concerné"), choices=[], validate_choice=False)
    details = TextAreaField(_l("Ce qui est inexact, et ce qu'il faudrait lire à la place"), validators=[
        DataRequired(message=_l("Décrivez votre demande.")),
        Length(max=DETAILS_MAX, message=_l("Votre demande est trop longue (5000 caractères au plus)."))])

    def prepare(self, dossiers, *, preselect: bool = False) -> "RightsRequestForm":
        """The person's submitted dossiers as choices; ``preselect``: the latest one chosen (a new form)."""
        self.dossier.choices = [SelectChoice("", _l("— aucun dossier en particulier —"))] + [
            SelectChoice(str(d.id), f"{d.reference or d.id} — {d.certification_code}") for d in dossiers]
        if preselect and dossiers:
            self.dossier.data = str(dossiers[-1].id)
        return self


class ErasureForm(LivretForm):
    understood = BooleanField(_l("J'ai lu ce qui sera supprimé et ce qui sera conservé ; je comprends que la "
                                 "suppression est définitive."), validators=[
        DataRequired(message=_l("Cochez la case pour confirmer que vous avez lu ce qui précède."))])
    password = PasswordField(_l("Mot de passe de votre compte"), validators=[
        InputRequired(message=_l("Saisissez votre mot de passe pour confirmer la suppression.")),
        Length(max=PASSWORD_MAX, message=_l("Le mot de passe est trop long."))])
