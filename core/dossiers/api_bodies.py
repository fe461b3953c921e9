"""Dossier API: reading a section's body (bare or enveloped data, revision, structural errors against the
section's JSON Schema) for ``PUT /dossiers/{id}/sections/{key}``."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from core.certifications.descriptor import Certification
from core.dossiers.models import Dossier
from core.dossiers.sections import SectionSpec
from core.errors import Conflict, UserError

# ---------------------------------------------------------------------------
# Reading a section body
# ---------------------------------------------------------------------------

_ENVELOPE_KEYS = {"data", "revision"}


def _field_names(spec: SectionSpec, cert: Certification) -> set[str]:
    return set(spec.form.json_schema(certification=cert, partial=True).get("properties", {}))


def _split_body(body: Any, spec: SectionSpec, cert: Certification) -> tuple[Any, Any]:
    """``(data, revision)`` from either the bare section object or ``{"data": {...}, "revision": n}``."""
    if (isinstance(body, dict) and isinstance(body.get("data"), dict) and set(body) <= _ENVELOPE_KEYS
            and "data" not in _field_names(spec, cert)):
        return body["data"], body.get("revision")
    return body, None


def _parse_revision(value: Any, *, header: bool) -> int | None:
    if value is None:
        return None
    if header:
        text = value.strip()
        if text == "*":
            return None
        text = text.removeprefix("W/").strip().strip('"')
        value = int(text) if text.isdigit() else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(_("La révision doit être un entier positif (champ « revision » ou en-tête "
                          "« If-Match », par exemple \"3\")."), code="invalid_revision")
    return value


def _path(parts) -> str:
    return ".".join(str(p) for p in parts)


def _schema_errors(spec: SectionSpec, cert: Certification, data: dict[str, Any]) -> dict[str, list[str]]:
    """Structural errors against the section's draft JSON Schema: unknown fields, wrong JSON types.

    Everything else (formats, lengths, choices, SIRET keys…) is checked by the
    form itself, with its own French messages.
    """
    schema = spec.form.json_schema(certification=cert, partial=True)
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(schema).iter_errors(data):
        if error.validator == "additionalProperties":
            known = set((error.schema or {}).get("properties", {}))
            for name in sorted(set(error.instance) - known):
                errors.setdefault(_path([*error.absolute_path, name]), []).append(_("Champ inconnu."))
        elif error.validator == "type":
            expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            errors.setdefault(_path(error.absolute_path), []).append(
                _("Type de valeur invalide (attendu : %(types)s).", types=", ".join(_type_name(t) for t in expected)))
        elif error.validator == "maxItems":
            errors.setdefault(_path(error.absolute_path), []).append(
                _("Trop d'éléments (%(n)d au plus).", n=error.validator_value))
    return errors


def _type_name(kind: str) -> str:
    return {"string": _("chaîne"), "integer": _("entier"), "number": _("nombre"), "boolean": _("booléen"),
            "object": _("objet"), "array": _("liste"), "null": "null"}.get(kind, kind)


def _require_editable(dossier: Dossier) -> None:
    if not dossier.editable:
        raise Conflict(_("Ce dossier a été déposé : il ne peut plus être modifié (statut : %(s)s).",
                         s=dossier.status.label), code="dossier_locked")
