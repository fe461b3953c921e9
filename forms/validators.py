"""Validators and parsers for French administrative data.

Two layers:

* pure parsing functions (``normalize_siret``, ``siret_is_valid``,
  ``parse_phone``, ``parse_money``, ``compute_age``...) usable anywhere
  (API schemas, services, tests), raising :class:`ValueError` with a French
  message or returning a boolean;
* WTForms validators (``Siret``, ``Phone``, ``PostalCode``, ``NotInFuture``,
  ``MinAge``, ``MaxWords``, ``Required``, ``RequiredIf``...) with French
  messages (msgids in French, wrapped with flask_babel).

Validators whose only job is to demand a value carry ``requirement = True``:
a draft save (:meth:`forms.base.Section.validate_draft`) skips them and runs
only the checks on what was actually typed.

The identifiers (SIRET, SIREN, phone, postal code) live in :mod:`forms.validators_identifiers` and the
requirement validators in :mod:`forms.validators_requirements`; both are re-exported here.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Callable

from flask_babel import gettext
from wtforms.validators import ValidationError

from forms.validators_identifiers import (
    LA_POSTE_HEAD_OFFICE_SIRET, LA_POSTE_SIREN, OVERSEAS_PREFIXES, OVERSEAS_SHORT_NUMBERS, POSTAL_CODE_RE, Phone,
    PostalCode, Siren, Siret, format_phone, luhn_is_valid, normalize_digits, parse_phone, siren_is_valid,
    siret_is_valid)
from forms.validators_requirements import (
    AtLeastOneOf, ConditionalRequired, MustBeChecked, Required, RequiredIf, condition_met, is_empty,
    requirement_validators)

__all__ = [
    "normalize_digits", "luhn_is_valid", "siren_is_valid", "siret_is_valid", "parse_phone", "format_phone",
    "parse_money", "format_money", "compute_age", "count_words", "is_empty",
    "Siret", "Siren", "Phone", "PostalCode", "NotInFuture", "NotBefore", "MinAge", "MaxWords", "MaxChars",
    "Required", "MustBeChecked", "RequiredIf", "ConditionalRequired", "AtLeastOneOf", "condition_met",
    "EmailAddress", "AnnexNumbers", "parse_annex_numbers", "Range",
    # the other public names, also importable from here
    "format_date_fr", "requirement_validators", "LA_POSTE_SIREN", "LA_POSTE_HEAD_OFFICE_SIRET",
    "OVERSEAS_PREFIXES", "OVERSEAS_SHORT_NUMBERS", "POSTAL_CODE_RE",
]


# --- Dates ---------------------------------------------------------------------------------------

def _today() -> dt.date:
    return dt.date.today()


def format_date_fr(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def compute_age(birth: dt.date | None, today: dt.date | None = None) -> int | None:
    """Age in whole years on ``today`` (None without a birth date)."""
    if birth is None:
        return None
    today = today or _today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class NotInFuture:
    def __init__(self, message: str | None = None, today: Callable[[], dt.date] = _today) -> None:
        self.message = message
        self.today = today

    def __call__(self, form, field) -> None:
        if isinstance(field.data, dt.date) and field.data > self.today():
            raise ValidationError(self.message or gettext("La date ne peut pas être dans le futur."))


class NotBefore:
    """The date must be on or after ``earliest`` (a date or a callable returning one)."""

    def __init__(self, earliest: dt.date | Callable[[], dt.date], message: str | None = None) -> None:
        self.earliest = earliest
        self.message = message

    def __call__(self, form, field) -> None:
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        if isinstance(field.data, dt.date) and field.data < earliest:
            raise ValidationError(self.message or gettext(
                "La date ne peut pas être antérieure au %(date)s.", date=format_date_fr(earliest)))


class MinAge:
    """On a birth date: the person is at least ``years`` old (and at most ``max_years``)."""

    def __init__(self, years: int, message: str | None = None, max_years: int | None = 120,
                 today: Callable[[], dt.date] = _today) -> None:
        self.years = years
        self.max_years = max_years
        self.message = message
        self.today = today

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, dt.date):
            return
        age = compute_age(field.data, self.today())
        if age is None or age < self.years:
            raise ValidationError(self.message or gettext(
                "Vous devez avoir au moins %(age)s ans.", age=self.years))
        if self.max_years is not None and age > self.max_years:
            raise ValidationError(gettext("La date de naissance n'est pas vraisemblable."))


# --- Money ---------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"(€|eur(?:os?)?)$", re.IGNORECASE)


def parse_money(value: str | int | None) -> int | None:
    """Euros typed by a person -> integer cents.

    ``"300"`` -> 30000, ``"300,00"`` -> 30000, ``"1 234,50 €"`` -> 123450,
    ``"1234.5"`` -> 123450. An ``int`` is taken as cents already. Blank -> None.
    Raises :class:`ValueError` (French message) for negatives, more than two
    decimals or anything that is not an amount.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(gettext("Saisissez un montant en euros, par exemple 1 234,50 €."))
    if isinstance(value, int):
        if value < 0:
            raise ValueError(gettext("Le montant ne peut pas être négatif."))
        return value
    text = re.sub(r"[\s\u00a0\u202f']", "", str(value))
    text = _CURRENCY.sub("", text)
    if not text:
        return None
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    if "," in text:
        text = text.replace(".", "").replace(",", ".", 1)
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        raise ValueError(gettext("Saisissez un montant en euros, par exemple 1 234,50 €."))
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regular expression already refused it
        raise ValueError(gettext("Saisissez un montant en euros, par exemple 1 234,50 €.")) from None
    if negative and amount != 0:
        raise ValueError(gettext("Le montant ne peut pas être négatif."))
    if "." in text and len(text.split(".", 1)[1].rstrip("0")) > 2:
        raise ValueError(gettext("Le montant ne peut pas avoir plus de deux décimales (centimes)."))
    return int((amount * 100).to_integral_value())


def format_money(cents: int | None, grouping: bool = True, symbol: bool = False) -> str:
    """``123450`` -> ``"1 234,50"`` (non-breaking space as thousands separator when ``grouping``)."""
    if cents is None:
        return ""
    euros, rest = divmod(int(cents), 100)
    whole = f"{euros:,}".replace(",", "\u00a0") if grouping else str(euros)
    text = f"{whole},{rest:02d}"
    return text + "\u00a0€" if symbol else text


# --- Texts ---------------------------------------------------------------------------------------

def count_words(text: str | None) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", text or ""))


class MaxWords:
    def __init__(self, maximum: int, message: str | None = None) -> None:
        self.max = maximum
        self.message = message

    def __call__(self, form, field) -> None:
        count = count_words(field.data if isinstance(field.data, str) else "")
        if count > self.max:
            raise ValidationError(self.message or gettext(
                "Le texte ne doit pas dépasser %(max)s mots (actuellement %(count)s).", max=self.max, count=count))


class MaxChars:
    """At most ``maximum`` characters (published as ``maxLength`` in the JSON Schema)."""

    def __init__(self, maximum: int, message: str | None = None) -> None:
        self.max = maximum
        self.message = message
        self.field_flags = {"maxlength": maximum}

    def __call__(self, form, field) -> None:
        length = len(field.data) if isinstance(field.data, str) else 0
        if length > self.max:
            raise ValidationError(self.message or gettext(
                "Le texte ne doit pas dépasser %(max)s caractères (actuellement %(count)s).",
                max=self.max, count=length))


class EmailAddress:
    """An e-mail address (syntax only, no DNS query); blank is left to the requirement validators."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if is_empty(field.data):
            return
        from email_validator import EmailNotValidError, validate_email

        try:
            result = validate_email(str(field.data).strip(), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(self.message or gettext(
                "Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")) from None
        field.data = result.normalized


def parse_annex_numbers(text: str | None) -> list[int]:
    """``"1, 3; 4"`` -> ``[1, 3, 4]``; raises :class:`ValueError` (French message) otherwise."""
    numbers: list[int] = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        if not part.isdigit() or int(part) == 0:
            raise ValueError(gettext(
                "Indiquez les numéros d'annexes séparés par des virgules, par exemple : 1, 3, 4."))
        if int(part) not in numbers:
            numbers.append(int(part))
    return numbers


class AnnexNumbers:
    """A list of annex numbers typed as ``1, 3, 4``."""

    def __call__(self, form, field) -> None:
        try:
            parse_annex_numbers(field.data if isinstance(field.data, str) else "")
        except ValueError as exc:
            raise ValidationError(exc.args[0]) from None


class Range:
    """A number between ``minimum`` and ``maximum`` (inclusive); an empty field is left alone."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None, message: str | None = None) -> None:
        self.min = minimum
        self.max = maximum
        self.message = message
        self.field_flags = {k: v for k, v in (("min", minimum), ("max", maximum)) if v is not None}

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None or isinstance(value, str):
            return
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ValidationError(self.message or gettext(
                "Indiquez un nombre entre %(min)s et %(max)s.", min=self.min, max=self.max))
