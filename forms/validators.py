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
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping

from flask_babel import gettext
from wtforms.validators import StopValidation, ValidationError

__all__ = [
    "normalize_digits", "luhn_is_valid", "siren_is_valid", "siret_is_valid", "parse_phone", "format_phone",
    "parse_money", "format_money", "compute_age", "count_words", "is_empty",
    "Siret", "Siren", "Phone", "PostalCode", "NotInFuture", "NotBefore", "MinAge", "MaxWords", "MaxChars",
    "Required", "MustBeChecked", "RequiredIf", "ConditionalRequired", "AtLeastOneOf", "condition_met",
    "EmailAddress", "AnnexNumbers", "parse_annex_numbers", "Range",
]

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009.\-]+")


def is_empty(value: Any) -> bool:
    """True for None, blank strings and empty collections (False and 0 are values)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return len(value) == 0
    return False


def normalize_digits(value: str) -> str:
    """Remove spaces (also non-breaking), dots and dashes used as separators."""
    return _SPACES.sub("", value or "")


# --- SIREN / SIRET -------------------------------------------------------------------------------

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE_SIRET = "35600000000048"


def luhn_is_valid(digits: str) -> bool:
    """The Luhn key (used by SIREN and SIRET numbers)."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def siren_is_valid(siren: str) -> bool:
    return len(siren) == 9 and siren.isdigit() and luhn_is_valid(siren)


def siret_is_valid(siret: str) -> bool:
    """14 digits with a valid key.

    La Poste's establishments (SIREN 356000000) do not use the Luhn key: the
    sum of their 14 digits must be a multiple of 5; the head office
    (35600000000048) keeps the Luhn key.
    """
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE_SIRET:
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_is_valid(siret)


class Siret:
    """A SIRET number (14 digits, key checked). Normalises ``field.data`` to the 14 digits."""

    length = 14
    label = "SIRET"

    def __init__(self, message: str | None = None, length_message: str | None = None) -> None:
        self.message = message
        self.length_message = length_message

    def check(self, digits: str) -> bool:
        return siret_is_valid(digits)

    def __call__(self, form, field) -> None:
        if is_empty(field.data):
            return
        digits = normalize_digits(str(field.data))
        if len(digits) != self.length or not digits.isdigit():
            raise ValidationError(self.length_message or self._length_message())
        if not self.check(digits):
            raise ValidationError(self.message or self._key_message())
        field.data = digits

    def _length_message(self) -> str:
        return gettext("Le numéro SIRET doit comporter 14 chiffres.")

    def _key_message(self) -> str:
        return gettext("Le numéro SIRET n'est pas valide : la clé de contrôle ne correspond pas.")


class Siren(Siret):
    """A SIREN number (9 digits, Luhn key)."""

    length = 9

    def check(self, digits: str) -> bool:
        return siren_is_valid(digits)

    def _length_message(self) -> str:
        return gettext("Le numéro SIREN doit comporter 9 chiffres.")

    def _key_message(self) -> str:
        return gettext("Le numéro SIREN n'est pas valide : la clé de contrôle ne correspond pas.")


# --- Phone numbers -------------------------------------------------------------------------------

# National (10-digit) prefixes of the overseas departments, which are not +33
# in international form: first three digits after the leading 0 -> country code.
OVERSEAS_PREFIXES: dict[str, str] = {
    "590": "590", "690": "590", "691": "590",  # Guadeloupe, Saint-Barthélemy, Saint-Martin
    "594": "594", "694": "594",  # Guyane
    "596": "596", "696": "596", "697": "596",  # Martinique
    "262": "262", "263": "262", "692": "262", "693": "262",  # La Réunion
    "269": "262", "639": "262",  # Mayotte
}
# Overseas collectivities with their own short numbering: country code -> number of digits.
OVERSEAS_SHORT_NUMBERS: dict[str, int] = {"508": 6, "681": 6, "687": 6, "689": 8}
_NINE_DIGIT_CODES = {"33", "590", "594", "596", "262"}


def parse_phone(value: str, allow_international: bool = False) -> str:
    """A French (or overseas French) phone number normalised to E.164 (``+33612345678``).

    Accepts ``06 12 34 56 78``, ``06.12.34.56.78``, ``+33 6 12 34 56 78``,
    ``+33 (0)6 12 34 56 78``, ``0033 6...``, overseas departments (``0690 12 34 56``
    becomes ``+590690123456``) and ``+508 / +681 / +687 / +689`` numbers.
    With ``allow_international`` any other E.164 number is accepted as well.
    Raises :class:`ValueError` with a French message.
    """
    text = (value or "").strip()
    text = text.replace("(0)", "")
    compact = re.sub(r"[\s\u00a0\u202f.\-/()]", "", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    error = ValueError(gettext(
        "Le numéro de téléphone n'est pas valide : saisissez 10 chiffres (par exemple 06 12 34 56 78) "
        "ou un numéro international commençant par +33."))
    if compact.startswith("+"):
        digits = compact[1:]
        if not digits.isdigit():
            raise error
        for code in sorted(_NINE_DIGIT_CODES, key=len, reverse=True):
            if digits.startswith(code):
                rest = digits[len(code):]
                if len(rest) == 10 and rest.startswith("0"):
                    rest = rest[1:]
                if len(rest) == 9 and rest[0] != "0":
                    return f"+{code}{rest}"
                raise error
        for code, size in OVERSEAS_SHORT_NUMBERS.items():
            if digits.startswith(code):
                if len(digits) - len(code) == size:
                    return "+" + digits
                raise error
        if allow_international and 8 <= len(digits) <= 15 and digits[0] != "0":
            return "+" + digits
        raise error
    if len(compact) == 10 and compact.isdigit() and compact[0] == "0" and compact[1] != "0":
        country = OVERSEAS_PREFIXES.get(compact[1:4], "33")
        return f"+{country}{compact[1:]}"
    raise error


def format_phone(e164: str | None) -> str:
    """Display form of a normalised number: national ``06 12 34 56 78`` for +33 and overseas departments."""
    if not e164:
        return ""
    if not e164.startswith("+"):
        return e164
    digits = e164[1:]
    for code in sorted(_NINE_DIGIT_CODES, key=len, reverse=True):
        if digits.startswith(code) and len(digits) == len(code) + 9:
            national = "0" + digits[len(code):]
            return " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return e164


class Phone:
    """A French phone number; normalises ``field.data`` to E.164."""

    def __init__(self, message: str | None = None, allow_international: bool = False) -> None:
        self.message = message
        self.allow_international = allow_international

    def __call__(self, form, field) -> None:
        if is_empty(field.data):
            return
        try:
            field.data = parse_phone(str(field.data), self.allow_international)
        except ValueError as exc:
            raise ValidationError(self.message or exc.args[0]) from None


# --- Postal code ---------------------------------------------------------------------------------

POSTAL_CODE_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")
_FRANCE = {"", "france", "fr", "france métropolitaine"}


class PostalCode:
    """A French postal code (5 digits, 01000–98999).

    ``country_field``: name of a sibling field holding the country; the check
    only applies when it is empty or France.
    """

    def __init__(self, message: str | None = None, country_field: str | None = None) -> None:
        self.message = message
        self.country_field = country_field

    def __call__(self, form, field) -> None:
        if is_empty(field.data):
            return
        if self.country_field and self.country_field in form:
            country = (form[self.country_field].data or "").strip().lower()
            if country not in _FRANCE:
                return
        value = normalize_digits(str(field.data))
        if not POSTAL_CODE_RE.match(value):
            raise ValidationError(self.message or gettext(
                "Le code postal doit comporter 5 chiffres (par exemple 75011)."))
        field.data = value


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


# --- Requirements (skipped by draft validation) --------------------------------------------------

class Required:
    """A value must be given (works with typed input and with data restored by ``from_data``)."""

    requirement = True

    def __init__(self, message: str | None = None) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        if is_empty(field.data) and not field.process_errors:
            field.errors[:] = []
            raise StopValidation(self.message or gettext("Ce champ est obligatoire."))


class MustBeChecked:
    """A checkbox that must be ticked (sworn statements)."""

    requirement = True

    def __init__(self, message: str | None = None) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        if field.data is not True:
            raise StopValidation(self.message or gettext("Vous devez cocher cette case pour continuer."))


def _values(value: Any) -> tuple:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return (value,)


def condition_met(form, conditions: Mapping[str, Any]) -> bool:
    """Every named sibling field holds one of the given values."""
    for name, expected in conditions.items():
        if name not in form:
            return False
        data = form[name].data
        if isinstance(data, list):
            if not any(v in _values(expected) for v in data):
                return False
        elif data not in _values(expected):
            return False
    return True


class RequiredIf:
    """Required only when another field of the same form has a given value.

    ``RequiredIf("situation", "en_poste")``; several values:
    ``RequiredIf("mode", ("opco", "autre"))``; several conditions (all must
    hold): ``RequiredIf({"situation": "en_poste", "temps": "partiel"})``.
    When the condition does not hold the field is optional (what was typed
    is kept and still checked for its format).
    """

    requirement = True

    def __init__(self, other: str | Mapping[str, Any], values: Any = None, message: str | None = None) -> None:
        if isinstance(other, Mapping):
            self.conditions = {k: _values(v) for k, v in other.items()}
        else:
            if values is None:
                raise TypeError("RequiredIf(other, values): the expected value(s) are missing")
            self.conditions = {other: _values(values)}
        self.message = message
        self.field_flags = {"required_if": self.conditions}

    def __call__(self, form, field) -> None:
        if not condition_met(form, self.conditions):
            return
        if is_empty(field.data) and not field.process_errors:
            field.errors[:] = []
            raise StopValidation(self.message or gettext("Ce champ est obligatoire."))


ConditionalRequired = RequiredIf


class AtLeastOneOf:
    """This field or one of ``others`` must be filled (optionally only when ``when`` holds)."""

    requirement = True

    def __init__(self, *others: str, message: str | None = None, when: Mapping[str, Any] | None = None) -> None:
        self.others = others
        self.message = message
        self.when = {k: _values(v) for k, v in (when or {}).items()}

    def __call__(self, form, field) -> None:
        if self.when and not condition_met(form, self.when):
            return
        if not is_empty(field.data) or field.process_errors:
            return
        if any(name in form and not is_empty(form[name].data) for name in self.others):
            return
        raise StopValidation(self.message or gettext("Renseignez au moins un de ces champs."))


def requirement_validators(validators: Iterable[Any]) -> list[Any]:
    return [v for v in validators if getattr(v, "requirement", False)]


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
