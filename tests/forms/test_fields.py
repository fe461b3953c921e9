import html

from wtforms import StringField

from forms.base import EntryForm, Section
from forms.fields import (BlockChoiceField, ChoiceField, CompetencyPickerField, FrenchDateField, MoneyField,
                          PhoneField, RepeatableField, SiretField, choices)
from forms.validators import Required, RequiredIf


class Sample(Section):
    key = "sample"
    title = "Exemple"

    siret = SiretField("SIRET")
    phone = PhoneField("Téléphone")
    amount = MoneyField("Montant")
    day = FrenchDateField("Date")


def test_siret_field_normalises_and_checks_the_key(posted):
    form = Sample(formdata=posted({"siret": " 732 829 320 00074 "}))
    assert form.validate()
    assert form.siret.data == "73282932000074"
    form = Sample(formdata=posted({"siret": "732 829 320 00075"}))
    assert not form.validate()
    assert form.errors["siret"] == ["Le numéro SIRET n'est pas valide : la clé de contrôle ne correspond pas."]
    assert 'inputmode="numeric"' in form.siret()


def test_phone_field_stores_e164_and_shows_the_national_form(posted):
    form = Sample(formdata=posted({"phone": "+33 6 12 34 56 78"}))
    assert form.validate()
    assert form.phone.data == "+33612345678"
    assert 'value="06 12 34 56 78"' in form.phone()
    assert 'type="tel"' in form.phone()
    form = Sample(formdata=posted({"phone": "06 12"}))
    assert not form.validate()
    assert form.errors["phone"][0].startswith("Le numéro de téléphone n'est pas valide")
    assert 'value="06 12"' in form.phone()  # what was typed is shown again


def test_money_field_gives_cents_and_keeps_bad_input(posted):
    form = Sample(formdata=posted({"amount": "1 234,50 €"}))
    assert form.validate()
    assert form.amount.data == 123450
    assert form.to_data()["amount"] == 123450
    assert html.unescape(form.amount()).count("1\u00a0234,50") == 1
    form = Sample(formdata=posted({"amount": "12,345"}))
    assert not form.validate()
    assert form.errors["amount"] == ["Le montant ne peut pas avoir plus de deux décimales (centimes)."]
    assert 'value="12,345"' in form.amount()
    assert form.to_data()["amount"] == "12,345"  # a draft keeps it as typed


def test_date_field_accepts_iso_and_french_and_refuses_the_rest(posted):
    assert Sample(formdata=posted({"day": "1990-07-14"})).to_data()["day"] == "1990-07-14"
    assert Sample(formdata=posted({"day": "14/07/1990"})).to_data()["day"] == "1990-07-14"
    form = Sample(formdata=posted({"day": "31/02/2024"}))
    assert not form.validate()
    assert form.errors["day"] == ["Saisissez une date valide, par exemple 14/07/1990."]
    assert 'value="31/02/2024"' in form.day() and 'type="date"' in form.day()
    assert Sample(formdata=posted({"day": ""})).validate()


class Conditional(Section):
    key = "conditional"
    title = "Conditions"

    situation = ChoiceField("Situation", [Required()], choices=choices(("en_poste", "En poste"),
                                                                        ("sans_emploi", "Sans emploi")))
    contrat = StringField("Nature du contrat", [RequiredIf("situation", "en_poste")])


def test_conditional_required(posted):
    form = Conditional(formdata=posted({"situation": "en_poste"}))
    assert not form.validate()
    assert form.errors == {"contrat": ["Ce champ est obligatoire."]}
    assert Conditional(formdata=posted({"situation": "sans_emploi"})).validate()
    assert Conditional(formdata=posted({"situation": "en_poste", "contrat": "CDI"})).validate()
    form = Conditional(formdata=posted({"situation": "retraite"}))
    assert not form.validate()
    assert form.errors["situation"] == ["Choisissez une des options proposées."]


class Entry(EntryForm):
    title = StringField("Titre", [Required()])


class Sheets(Section):
    key = "sheets"
    title = "Fiches"

    sheets = RepeatableField(Entry, "Fiches", min_entries=1, max_entries=3)


def test_repeatable_add_and_remove_without_javascript(posted):
    form = Sheets(formdata=posted({"sheets-0-title": "A", "sheets-add": "1"}))
    assert form.pending_action == ("sheets", "add", 1)
    assert [e.form.title.data for e in form.sheets] == ["A", None]
    assert [e.id for e in form.sheets] == ["sheets-0", "sheets-1"]

    form = Sheets(formdata=posted({"sheets-0-title": "A", "sheets-1-title": "B", "sheets-2-title": "C",
                                   "sheets-remove": "1"}))
    assert form.pending_action == ("sheets", "remove", 1)
    assert form.to_data() == {"sheets": [{"title": "A"}, {"title": "C"}]}
    assert form.sheets[1].form.title.name == "sheets-1-title"  # renumbered


def test_repeatable_respects_the_maximum_and_the_minimum(posted):
    form = Sheets(formdata=posted({"sheets-0-title": "A", "sheets-1-title": "B", "sheets-2-title": "C",
                                   "sheets-add": "1"}))
    assert len(form.sheets) == 3
    assert form.sheets.action_error == "Vous ne pouvez pas ajouter plus de 3 fiches."
    form = Sheets(formdata=posted({"sheets-0-title": "A", "sheets-remove": "0"}))
    assert len(form.sheets) == 1 and form.sheets.action_error == "Cette fiche ne peut pas être supprimée."
    form = Sheets(formdata=posted({"sheets-0-title": ""}))
    assert not form.validate()
    assert form.errors == {"sheets": [{"title": ["Ce champ est obligatoire."]}]}
    assert form.pending_action is None


class Activity(EntryForm):
    bloc = BlockChoiceField("Bloc", [Required()])
    competences = CompetencyPickerField("Compétences", [Required()], block_field="bloc")


class Activities(Section):
    key = "activities"
    title = "Activités"

    activites = RepeatableField(Activity, "Activités")


def test_competency_picker_refuses_unknown_codes(posted, cert):
    form = Activities(formdata=posted([("activites-0-bloc", "BC01"), ("activites-0-competences", "C1"),
                                       ("activites-0-competences", "C99")]), certification=cert)
    assert not form.validate()
    assert form.errors["activites"][0]["competences"] == [
        "Compétence inconnue pour cette certification : C99."]


def test_competency_picker_is_limited_to_the_chosen_block(posted, cert):
    form = Activities(formdata=posted([("activites-0-bloc", "BC01"), ("activites-0-competences", "C1"),
                                       ("activites-0-competences", "C3")]), certification=cert)
    assert not form.validate()
    assert form.errors["activites"][0]["competences"] == [
        "Ces compétences n'appartiennent pas au bloc de compétences choisi (BC01) : C3."]
    form = Activities(formdata=posted([("activites-0-bloc", "BC02"), ("activites-0-competences", "C3"),
                                       ("activites-0-competences", "C4")]), certification=cert)
    assert form.validate(), form.errors
    assert form.to_data() == {"activites": [{"bloc": "BC02", "competences": ["C3", "C4"]}]}
    form = Activities(formdata=posted([("activites-0-bloc", "BC09")]), certification=cert)
    assert not form.validate()
    assert form.errors["activites"][0]["bloc"] == ["Ce bloc de compétences n'existe pas dans cette certification."]


def test_competency_picker_renders_a_fieldset_per_block(posted, cert):
    form = Activities(formdata=posted([("activites-0-competences", "C2")]), certification=cert)
    markup = str(form.activites[0].form.competences())
    assert markup.count("<fieldset") == 2
    assert "<legend>BC01 – Analyser le besoin</legend>" in markup
    assert "<legend>BC02 – Réaliser la solution</legend>" in markup
    assert 'id="activites-0-competences-1"' in markup and '<label for="activites-0-competences-1">' in markup
    assert 'checked id="activites-0-competences-1" name="activites-0-competences" type="checkbox" value="C2"' in markup
    assert markup.count("checked") == 1
