"""Reading JSON request bodies with marshmallow, refusing bad input in French.

Views that accept a body declare a :class:`RequestSchema` and call
:func:`load_json`::

    class DossierCreateSchema(RequestSchema):
        certification = fields.Str(required=True)

    data = load_json(DossierCreateSchema)

A body that is not JSON is a 400 (code ``invalid_json``); a body that does not
fit the schema is a 422 (code ``validation_failed``) whose ``details`` maps
each field to its French messages, as marshmallow nests them. Unknown fields
are refused. marshmallow's built-in messages are replaced by French ones;
messages a schema sets itself (``error_messages=``, ``validate.*(error=...)``)
are kept, so write them in French with ``gettext``.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.errors import UserError, ValidationFailed
from core.input_bounds import ID_MAX

# Integers a request may carry: what an INTEGER column holds (ids, numbers, revisions, amounts).
INTEGER_MIN, INTEGER_MAX = -ID_MAX - 1, ID_MAX


def _invalid_message(field: fields.Field) -> str:
    """French 'invalid' message for a field type (most specific classes first)."""
    checks = (
        (fields.Email, _("Adresse électronique invalide.")),
        (fields.Url, _("Adresse web invalide.")),
        (fields.UUID, _("Identifiant UUID invalide.")),
        (fields.String, _("Ce champ doit être une chaîne de caractères.")),
        (fields.Integer, _("Ce champ doit être un nombre entier.")),
        (fields.Number, _("Ce champ doit être un nombre.")),
        (fields.Boolean, _("Ce champ doit valoir true ou false.")),
        (fields.DateTime, _("Date et heure invalides (format ISO 8601 attendu, par exemple 2025-01-31T14:30:00Z).")),
        (fields.Date, _("Date invalide (format attendu : AAAA-MM-JJ).")),
        (fields.Time, _("Heure invalide (format attendu : HH:MM).")),
        (fields.List, _("Ce champ doit être une liste.")),
        (fields.Tuple, _("Ce champ doit être une liste.")),
        (fields.Mapping, _("Ce champ doit être un objet.")),
    )
    return next((message for cls, message in checks if isinstance(field, cls)), _("Valeur invalide."))


def _french_messages(field: fields.Field) -> dict[str, str]:
    return {
        "required": _("Ce champ est obligatoire."),
        "null": _("Ce champ ne peut pas être null."),
        "validator_failed": _("Valeur invalide."),
        "invalid": _invalid_message(field),
        "invalid_uuid": _("Identifiant UUID invalide."),
        "invalid_utf8": _("Texte invalide (UTF-8 attendu)."),
        "invalid_awareness": _("Date et heure invalides : précisez le fuseau horaire (par exemple Z)."),
        "type": _("Ce champ doit être un objet."),
        "unknown": _("Valeur non autorisée. Valeurs possibles : {choices}."),
        "too_large": _("Nombre trop grand."),
        "special": _("Les valeurs numériques spéciales (NaN, infini) ne sont pas acceptées."),
    }


def _default_messages(field: fields.Field) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        merged.update(getattr(cls, "default_error_messages", {}))
    return merged


class RequestSchema(Schema):
    """Base of the schemas the API reads: unknown fields refused, messages in French.

    Instantiate it per request (``load_json`` does), so that messages follow
    the request's language.
    """

    class Meta:
        unknown = RAISE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, "unknown": _("Champ inconnu."),
                               "type": _("Un objet JSON est attendu.")}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _translate(field_obj)


class _ColumnRange(validate.Range):
    """An integer an ``INTEGER`` column holds (message in the request's language; published as min/max)."""

    def __init__(self) -> None:
        super().__init__(min=INTEGER_MIN, max=INTEGER_MAX)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, int) and not INTEGER_MIN <= value <= INTEGER_MAX:
            raise ValidationError(_("Nombre hors des limites acceptées (de %(min)s à %(max)s).",
                                    min=INTEGER_MIN, max=INTEGER_MAX))
        return value


def _translate(field: fields.Field) -> None:
    defaults = _default_messages(field)
    for key, message in _french_messages(field).items():
        # Only marshmallow's English defaults are replaced; a schema's own messages stay.
        if key in field.error_messages and field.error_messages[key] == defaults.get(key):
            field.error_messages[key] = message
    for validator in field.validators:  # Email and Url validate with their "invalid" message
        if getattr(validator, "error", None) == defaults.get("invalid"):
            validator.error = field.error_messages["invalid"]
        elif getattr(validator, "error", "") in (None, getattr(type(validator), "default_message", None)):
            # a validator left with marshmallow's English message
            validator.error = _validator_message(validator) or validator.error
    if isinstance(field, fields.Integer) and not any(isinstance(v, _ColumnRange) for v in field.validators):
        field.validators = [*field.validators, _ColumnRange()]  # never more than a database column holds
    inner = [getattr(field, "inner", None), getattr(field, "key_field", None), getattr(field, "value_field", None),
             *getattr(field, "tuple_fields", ())]
    for sub in inner:
        if isinstance(sub, fields.Field):
            _translate(sub)


def _validator_message(validator: validate.Validator) -> str | None:
    """French message template of a built-in validator (marshmallow fills ``{min}``, ``{max}``, ``{choices}``)."""
    if isinstance(validator, validate.Length):
        if validator.equal is not None:
            return _("Longueur attendue : exactement {equal} (caractères ou éléments).")
        if validator.min is not None and validator.max is not None:
            return _("Longueur attendue : de {min} à {max} (caractères ou éléments).")
        if validator.min is not None:
            return _("Longueur attendue : au moins {min} (caractères ou éléments).")
        return _("Longueur attendue : au plus {max} (caractères ou éléments).")
    if isinstance(validator, validate.Range):
        if validator.min is not None and validator.max is not None:
            return _("Nombre attendu : de {min} à {max}.")
        if validator.min is not None:
            return _("Nombre attendu : {min} au moins.")
        return _("Nombre attendu : {max} au plus.")
    if isinstance(validator, validate.OneOf):
        return _("Valeur non autorisée. Valeurs possibles : {choices}.")
    if isinstance(validator, validate.Regexp):
        return _("Format invalide.")
    return None


def load_json(schema: Schema | type[Schema], *, partial: bool = False) -> Any:
    """The request's JSON body loaded by ``schema``; 400 / 422 JSON errors otherwise."""
    instance = schema() if isinstance(schema, type) else schema
    data = request.get_json(silent=True)
    if data is None:
        raise UserError(_("Le corps de la requête doit être un document JSON valide, envoyé avec l'en-tête "
                          "« Content-Type: application/json »."), code="invalid_json")
    try:
        return instance.load(data, partial=partial)
    except ValidationError as exc:
        raise ValidationFailed(details=exc.messages) from None
