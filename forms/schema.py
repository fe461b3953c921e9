"""JSON Schema (draft 2020-12) of a section's ``to_data()``, derived from its fields and validators.

Mapping: text -> ``string`` (``maxLength`` from ``MaxChars`` / ``Length``,
``format: email``, SIRET / phone patterns), dates -> ``string`` with
``format: date``, money -> ``integer`` (cents, ``minimum: 0``), checkboxes ->
``boolean`` (``const: true`` when they must be ticked), choices -> ``enum``
plus ``oneOf`` of ``{"const", "title"}`` carrying the French labels,
competency pickers -> arrays of codes, repeatables -> arrays of objects,
computed values -> ``readOnly``. ``RequiredIf`` becomes ``if`` / ``then``
under ``allOf``; ``AtLeastOneOf`` becomes ``anyOf``.

``partial=True`` describes a draft: nothing is required, and values that
could not be parsed may appear as the typed text.
"""
from __future__ import annotations

from typing import Any

from wtforms import fields as wtf
from wtforms.validators import Email, Length

from forms.fields import (BlockChoiceField, ChoiceField, CompetencyPickerField, ComputedField, FrenchDateField,
                          FrenchIntegerField, MoneyField, PhoneField, RepeatableField, SiretField)
from forms.validators import AtLeastOneOf, EmailAddress, MaxChars, MustBeChecked, Range, Required, RequiredIf

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _text(value: Any) -> str:
    return str(value) if value is not None else ""


def _nullable(schema: dict[str, Any], types: list[str]) -> dict[str, Any]:
    schema["type"] = types if len(types) > 1 else types[0]
    return schema


def _is_required(field) -> bool:
    return any(isinstance(v, (Required, MustBeChecked)) for v in field.validators)


def _max_length(field) -> int | None:
    for v in field.validators:
        if isinstance(v, MaxChars):
            return v.max
        if isinstance(v, Length) and v.max not in (None, -1):
            return v.max
    return None


def _choice_schema(pairs: list[tuple[str, str]], nullable: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "enum": [value for value, _ in pairs] + ([None] if nullable else []),
        "oneOf": [{"const": value, "title": label} for value, label in pairs]
        + ([{"const": None, "title": "Non renseigné"}] if nullable else []),
    }
    return _nullable(schema, ["string", "null"] if nullable else ["string"])


def field_schema(field, partial: bool = False) -> dict[str, Any]:
    required = _is_required(field) and not partial
    schema: dict[str, Any]
    if isinstance(field, RepeatableField) or isinstance(field, wtf.FieldList):
        prototype = field.entries[0] if field.entries else field.append_entry()
        if isinstance(prototype, wtf.FormField):
            items = form_schema(prototype.form, partial=partial)
        else:
            items = field_schema(prototype, partial=partial)
        schema = {"type": "array", "items": items}
        if not partial and field.min_entries:
            schema["minItems"] = field.min_entries
        if field.max_entries:
            schema["maxItems"] = field.max_entries
    elif isinstance(field, wtf.FormField):
        schema = form_schema(field.form, partial=partial)
    elif isinstance(field, CompetencyPickerField):
        codes = field.grouped_choices()
        one_of = [{"const": c.value, "title": _text(c.label)} for _, items in codes for c in items]
        item: dict[str, Any] = {"type": "string"}
        if one_of:
            item["enum"] = [o["const"] for o in one_of]
            item["oneOf"] = one_of
        schema = {"type": "array", "items": item, "uniqueItems": True}
        if required:
            schema["minItems"] = 1
    elif isinstance(field, ComputedField):
        schema = {"type": ["integer", "null"], "readOnly": True}
    elif isinstance(field, wtf.BooleanField):
        schema = {"type": "boolean"}
        if required:
            schema["const"] = True
    elif isinstance(field, (ChoiceField, BlockChoiceField)):
        pairs = [(c.value, _text(c.label)) for c in field._choices_from_input(field.choices) or []]
        schema = _choice_schema(pairs, nullable=not required)
        if partial:  # a draft keeps an unknown value as typed
            schema = {"type": ["string", "null"], "examples": [p[0] for p in pairs]}
    elif isinstance(field, MoneyField):
        schema = {"type": "integer", "minimum": 0, "description": "Montant en centimes d'euro."}
        if partial:
            schema["type"] = ["integer", "string", "null"]
        elif not required:
            schema["type"] = ["integer", "null"]
    elif isinstance(field, FrenchDateField):
        schema = {"type": "string", "format": "date"}
        if partial or not required:
            schema["type"] = ["string", "null"]
    elif isinstance(field, FrenchIntegerField):
        schema = {"type": "integer"}
        for v in field.validators:
            if isinstance(v, Range):
                if v.min is not None:
                    schema["minimum"] = v.min
                if v.max is not None:
                    schema["maximum"] = v.max
        if partial:
            schema["type"] = ["integer", "string", "null"]
        elif not required:
            schema["type"] = ["integer", "null"]
    else:
        schema = {"type": "string"}
        if isinstance(field, wtf.EmailField) or any(isinstance(v, (Email, EmailAddress)) for v in field.validators):
            if required:
                schema["format"] = "email"
            else:  # an optional address is saved as ""
                schema["anyOf"] = [{"format": "email"}, {"maxLength": 0}]
        if not partial:
            if isinstance(field, SiretField):
                schema["pattern"] = "^([0-9]{14})?$"
            elif isinstance(field, PhoneField):
                schema["pattern"] = "^(\\+[0-9]{6,15})?$"
        maximum = _max_length(field)
        if maximum:
            schema["maxLength"] = maximum
        if required:
            schema["minLength"] = 1
    title = _text(field.label.text) if field.label else ""
    if title:
        schema["title"] = title
    description = _text(field.description)
    if description and "description" not in schema:
        schema["description"] = description
    return schema


def _filled(field) -> dict[str, Any]:
    """Sub-schema saying that ``field`` has a value (used in ``then`` / ``anyOf``)."""
    if isinstance(field, (wtf.FieldList, CompetencyPickerField)):
        return {"type": "array", "minItems": 1}
    if isinstance(field, wtf.BooleanField):
        return {"const": True}
    if isinstance(field, (MoneyField, FrenchIntegerField)):
        return {"type": "integer"}
    return {"type": "string", "minLength": 1}


def _condition(conditions: dict[str, tuple]) -> dict[str, Any]:
    return {
        "properties": {name: {"enum": list(values)} for name, values in conditions.items()},
        "required": list(conditions),
    }


def form_schema(form, partial: bool = False) -> dict[str, Any]:
    from forms.base import data_fields

    properties: dict[str, Any] = {}
    required: list[str] = []
    conditional: dict[tuple, list] = {}
    any_of: list[dict[str, Any]] = []
    for field in data_fields(form):
        properties[field.short_name] = field_schema(field, partial=partial)
        if partial:
            continue
        if _is_required(field):
            required.append(field.short_name)
        for v in field.validators:
            if isinstance(v, RequiredIf):
                key = tuple(sorted((k, tuple(vals)) for k, vals in v.conditions.items()))
                conditional.setdefault(key, []).append(field)
            elif isinstance(v, AtLeastOneOf):
                names = [field.short_name, *v.others]
                choice = {"anyOf": [{"properties": {n: _filled(form[n])}, "required": [n]}
                                    for n in names if n in form]}
                any_of.append({"if": _condition(v.when), "then": choice} if v.when else choice)
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    all_of: list[dict[str, Any]] = []
    for key, fields in conditional.items():
        conditions = {name: values for name, values in key}
        all_of.append({
            "if": _condition(conditions),
            "then": {"properties": {f.short_name: _filled(f) for f in fields},
                     "required": [f.short_name for f in fields]},
        })
    all_of.extend(any_of)
    if all_of:
        schema["allOf"] = all_of
    return schema


def section_schema(section, partial: bool = False) -> dict[str, Any]:
    schema = {"$schema": DRAFT_2020_12, "$id": f"urn:livret:section:{section.key}" + (":draft" if partial else ""),
              "title": _text(section.title)}
    if section.description:
        schema["description"] = _text(section.description)
    schema.update(form_schema(section, partial=partial))
    return schema
