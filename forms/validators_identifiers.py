"""French identifiers: SIREN / SIRET (key checked), phone numbers (E.164, overseas) and postal codes.

Pure parsers and their WTForms validators; re-exported by :mod:`forms.validators`.
"""
from __future__ import annotations

import re

from flask_babel import gettext
from wtforms.validators import ValidationError

from forms.validators_requirements import is_empty

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009.\-]+")


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
