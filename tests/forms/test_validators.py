import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

from forms.fields import FrenchDateField
from forms.validators import (MaxChars, MaxWords, MinAge, NotBefore, NotInFuture, PostalCode, Siren, Siret,
                              compute_age, luhn_is_valid, parse_money, parse_phone, siret_is_valid)


def luhn_complete(prefix: str) -> str:
    """Append the digit that makes ``prefix`` a valid Luhn number (as INSEE does for SIREN / SIRET)."""
    for digit in "0123456789":
        if luhn_is_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable")


def run(validator, value, field_class=StringField, **form_extra):
    class F(Form):
        value_field = field_class("Champ", [validator])

    form = F(formdata=MultiDict({"value_field": value, **form_extra}))
    ok = form.validate()
    return ok, form.value_field.errors, form.value_field.data


# --- SIRET / SIREN -------------------------------------------------------------------------------

def test_luhn_helper_rebuilds_a_known_siret():
    assert luhn_complete("7328293200007") == "73282932000074"
    assert luhn_complete("73282932") == "732829320"


def test_valid_siret_is_accepted_and_spaces_are_removed(ctx):
    siret = luhn_complete("5520081360001")
    ok, errors, data = run(Siret(), f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    assert ok and errors == []
    assert data == siret
    assert run(Siret(), "732 829 320 00074")[0]


def test_siret_with_a_wrong_key_is_refused_in_french(ctx):
    ok, errors, _ = run(Siret(), "73282932000075")
    assert not ok
    assert errors == ["Le numéro SIRET n'est pas valide : la clé de contrôle ne correspond pas."]


def test_siret_of_the_wrong_length_is_refused(ctx):
    ok, errors, _ = run(Siret(), "7328293200007")
    assert errors == ["Le numéro SIRET doit comporter 14 chiffres."]
    assert run(Siret(), "7328293200007A")[1] == ["Le numéro SIRET doit comporter 14 chiffres."]


def test_la_poste_establishments_use_the_sum_of_digits():
    # Find a La Poste SIRET whose digits sum to a multiple of 5 but whose Luhn key is wrong.
    candidates = [f"356000000{n:05d}" for n in range(1, 2000)]
    la_poste = next(s for s in candidates if sum(map(int, s)) % 5 == 0 and not luhn_is_valid(s))
    assert siret_is_valid(la_poste)
    wrong = next(s for s in candidates if sum(map(int, s)) % 5 != 0 and luhn_is_valid(s))
    assert not siret_is_valid(wrong)
    assert siret_is_valid("35600000000048")  # the head office keeps the Luhn key


def test_la_poste_siret_through_the_validator(ctx):
    assert not luhn_is_valid("35600000000015")  # digits sum to 20: valid for La Poste only
    ok, errors, data = run(Siret(), "356 000 000 00015")
    assert ok and data == "35600000000015"
    ok, errors, _ = run(Siret(), "35600000000014")  # Luhn key right, but digits sum to 19: refused
    assert not ok and "clé de contrôle" in errors[0]


def test_siren(ctx):
    assert run(Siren(), "732 829 320")[0]
    ok, errors, _ = run(Siren(), "732829321")
    assert errors == ["Le numéro SIREN n'est pas valide : la clé de contrôle ne correspond pas."]
    assert run(Siren(), "73282932")[1] == ["Le numéro SIREN doit comporter 9 chiffres."]


# --- Phone ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("06 12 34 56 78", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("0612345678", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("+33 (0)1 23 45 67 89", "+33123456789"),
    ("0033 7 12 34 56 78", "+33712345678"),
    ("0590 12 34 56", "+590590123456"),  # Guadeloupe, fixed line
    ("0690 12 34 56", "+590690123456"),  # Guadeloupe, mobile
    ("0692 12 34 56", "+262692123456"),  # La Réunion
    ("0639 12 34 56", "+262639123456"),  # Mayotte
    ("+596 696 12 34 56", "+596696123456"),  # Martinique
    ("+687 12 34 56", "+687123456"),  # Nouvelle-Calédonie
    ("+689 87 12 34 56", "+68987123456"),  # Polynésie française
])
def test_phone_numbers_are_normalised_to_e164(ctx, typed, expected):
    assert parse_phone(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "06 12 34 56", "00 12 34 56 78", "+33 6 12 34 56", "+44 20 7946 0958",
                                   "06 12 34 56 7a"])
def test_invalid_phone_numbers_are_refused_in_french(ctx, typed):
    with pytest.raises(ValueError) as info:
        parse_phone(typed)
    assert "Le numéro de téléphone n'est pas valide" in info.value.args[0]


def test_international_numbers_when_allowed(ctx):
    assert parse_phone("+44 20 7946 0958", allow_international=True) == "+442079460958"


# --- Money ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, cents", [
    ("300", 30000), ("300,00", 30000), ("300,5", 30050), ("1 234,50 €", 123450), ("1\u00a0234,50\u00a0€", 123450),
    ("1234.5", 123450), ("1.234,50", 123450), ("0,99 EUR", 99), ("", None), (30000, 30000),
])
def test_money_is_parsed_to_cents(ctx, typed, cents):
    assert parse_money(typed) == cents


@pytest.mark.parametrize("typed, message", [
    ("-5", "Le montant ne peut pas être négatif."),
    ("-0,50 €", "Le montant ne peut pas être négatif."),
    ("12,345", "Le montant ne peut pas avoir plus de deux décimales (centimes)."),
    ("trois cents", "Saisissez un montant en euros, par exemple 1 234,50 €."),
    ("1,2,3", "Saisissez un montant en euros, par exemple 1 234,50 €."),
])
def test_bad_amounts_are_refused_in_french(ctx, typed, message):
    with pytest.raises(ValueError) as info:
        parse_money(typed)
    assert info.value.args[0] == message


# --- Postal code, dates, texts -------------------------------------------------------------------

def test_postal_code(ctx):
    assert run(PostalCode(), "75011")[0]
    assert run(PostalCode(), "97400")[0]
    assert run(PostalCode(), "7501")[1] == ["Le code postal doit comporter 5 chiffres (par exemple 75011)."]
    assert not run(PostalCode(), "00100")[0]


def test_postal_code_only_checked_for_france(ctx):
    class F(Form):
        code = StringField("Code postal", [PostalCode(country_field="pays")])
        pays = StringField("Pays")

    assert F(formdata=MultiDict({"code": "SW1A 1AA", "pays": "Royaume-Uni"})).validate()
    assert not F(formdata=MultiDict({"code": "SW1A 1AA", "pays": "France"})).validate()


def test_dates_not_in_future_and_not_before(ctx):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    ok, errors, _ = run(NotInFuture(), tomorrow, FrenchDateField)
    assert errors == ["La date ne peut pas être dans le futur."]
    ok, errors, _ = run(NotBefore(dt.date(2020, 1, 1)), "2019-12-31", FrenchDateField)
    assert errors == ["La date ne peut pas être antérieure au 01/01/2020."]
    assert run(NotBefore(dt.date(2020, 1, 1)), "01/01/2020", FrenchDateField)[0]


def test_age_from_birth_date(ctx):
    assert compute_age(dt.date(2000, 6, 15), dt.date(2024, 6, 14)) == 23
    assert compute_age(dt.date(2000, 6, 15), dt.date(2024, 6, 15)) == 24
    today = dt.date(2024, 6, 15)
    ok, errors, _ = run(MinAge(16, today=lambda: today), "2010-01-01", FrenchDateField)
    assert errors == ["Vous devez avoir au moins 16 ans."]
    assert run(MinAge(16, today=lambda: today), "2008-06-15", FrenchDateField)[0]


def test_max_words_and_characters(ctx):
    ok, errors, _ = run(MaxWords(3), "un deux trois quatre", TextAreaField)
    assert errors == ["Le texte ne doit pas dépasser 3 mots (actuellement 4)."]
    assert run(MaxWords(3), "l'aujourd'hui est-il là", TextAreaField)[0]
    ok, errors, _ = run(MaxChars(5), "abcdef")
    assert errors == ["Le texte ne doit pas dépasser 5 caractères (actuellement 6)."]
