"""Requirement validators (``requirement = True``: skipped by a draft save) and the emptiness test they share.

``Required``, ``MustBeChecked``, ``RequiredIf`` (alias ``ConditionalRequired``) and ``AtLeastOneOf``;
re-exported by :mod:`forms.validators`.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask_babel import gettext
from wtforms.validators import StopValidation


def is_empty(value: Any) -> bool:
    """True for None, blank strings and empty collections (False and 0 are values)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return len(value) == 0
    return False


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
