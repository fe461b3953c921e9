"""Sections: a WTForms form plus a template, with draft / complete validation and JSON I/O.

``Section`` is the base class of every Livret 2 section (and of the
sections plugins write themselves). Nested repeatable entries are plain
:class:`EntryForm` subclasses (no CSRF of their own).

Two validations:

* :meth:`Section.validate_draft` (lenient): for "Enregistrer le brouillon".
  Requirement validators (``Required``, ``RequiredIf``, ``MustBeChecked``,
  ``AtLeastOneOf``: every validator with ``requirement = True``) are
  skipped; what was typed is still checked (a date that is not a date, a
  SIRET whose key is wrong, a phone number, a choice that does not exist, a
  text too long, the CSRF token). Problems are reported in ``errors`` but
  the caller saves ``to_data()`` anyway: nothing typed is lost.
* :meth:`Section.validate` (strict, WTForms' own): everything, for
  "Valider la section" and the completeness check before submission.
"""
from __future__ import annotations

from typing import Any, ClassVar, Iterator

from flask import render_template
from flask_wtf import FlaskForm
from flask_babel import gettext
from flask_wtf.csrf import _FlaskFormCSRF
from flask_wtf.form import _Auto
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import fields as wtf
from wtforms.csrf.core import CSRFTokenField

from forms.fields import (ChoiceField, CompetencyPickerField, ComputedField, FrenchDateField, MoneyField,
                          RepeatableField, TypedInputMixin)
from forms.validators import format_money

__all__ = ["Section", "EntryForm", "data_fields", "field_to_data", "form_to_data", "data_to_formdata",
           "validate_form_draft", "error_items"]

_SKIPPED_TYPES = (CSRFTokenField, wtf.SubmitField)


class EntryForm(Form):
    """Base of the entry forms of repeatable blocks (French WTForms messages, no CSRF)."""

    class Meta:
        def get_translations(self, form):
            from flask import current_app

            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            from flask_wtf.i18n import translations

            return translations


def data_fields(form) -> Iterator[wtf.Field]:
    """The fields that carry data (no CSRF token, no submit button)."""
    for field in form:
        if not isinstance(field, _SKIPPED_TYPES):
            yield field


# --- to_data / from_data -------------------------------------------------------------------------

def field_to_data(field) -> Any:
    if isinstance(field, wtf.FieldList):
        return [field_to_data(entry) for entry in field.entries]
    if isinstance(field, wtf.FormField):
        return form_to_data(field.form)
    if isinstance(field, CompetencyPickerField):
        return list(field.data or [])
    if isinstance(field, ComputedField):
        return field.data
    if isinstance(field, wtf.BooleanField):
        return bool(field.data)
    if isinstance(field, FrenchDateField):
        value = field.typed_value()
        return value.isoformat() if hasattr(value, "isoformat") else (value or None)
    if isinstance(field, TypedInputMixin):
        value = field.typed_value()
        return None if value == "" else value
    if isinstance(field, ChoiceField):
        return field.data or None
    if isinstance(field, wtf.SelectMultipleField):
        return list(field.data or [])
    data = field.data
    if data is None:
        return ""
    return data.strip() if isinstance(data, str) else data


def form_to_data(form) -> dict[str, Any]:
    """The JSON-able content of a form: dates as ISO strings, money as cents, lists for repeatables."""
    return {field.short_name: field_to_data(field) for field in data_fields(form)}


def _encode(field, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(field, wtf.BooleanField):
        return ["y"] if value is True or str(value).lower() in ("y", "true", "on", "1", "oui") else []
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(field, MoneyField) and isinstance(value, int):
        return [format_money(value, grouping=False)] if value >= 0 else [str(value)]
    if hasattr(value, "isoformat"):
        return [value.isoformat()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _fill(form, data: Any, out: MultiDict) -> None:
    if not isinstance(data, dict):
        return
    for field in data_fields(form):
        if field.short_name not in data or isinstance(field, ComputedField):
            continue
        value = data[field.short_name]
        if isinstance(field, wtf.FieldList):
            prototype = field.entries[0] if field.entries else field.append_entry()
            for index, item in enumerate(value if isinstance(value, list) else []):
                _fill_entry(field, prototype, index, item, out)
            continue
        if isinstance(field, wtf.FormField):
            _fill(field.form, value, out)
            continue
        for encoded in _encode(field, value):
            out.add(field.name, encoded)


def _fill_entry(list_field, prototype, index: int, item: Any, out: MultiDict) -> None:
    name = f"{list_field.name}{list_field._separator}{index}"
    if isinstance(prototype, wtf.FormField):
        if not isinstance(item, dict):
            return
        for sub in data_fields(prototype.form):
            if sub.short_name in item and not isinstance(sub, ComputedField):
                for encoded in _encode(sub, item[sub.short_name]):
                    out.add(f"{name}{prototype.separator}{sub.short_name}", encoded)
    else:
        for encoded in _encode(prototype, item):
            out.add(name, encoded)


def data_to_formdata(form, data: dict[str, Any]) -> MultiDict:
    """Encode saved data (as returned by ``to_data``) as the form submission that would produce it."""
    out: MultiDict = MultiDict()
    _fill(form, data or {}, out)
    return out


# --- Validation ----------------------------------------------------------------------------------

def _validate_field_draft(field, form) -> None:
    if isinstance(field, wtf.FieldList):
        field.errors = []
        for entry in field.entries:
            _validate_field_draft(entry, form)
            field.errors.append(entry.errors)
        if not any(field.errors):
            field.errors = []
        lenient = [v for v in field.validators if not getattr(v, "requirement", False)]
        field._run_validation_chain(form, lenient)
        return
    if isinstance(field, wtf.FormField):
        field.form.form_errors = []
        for sub in field.form:
            _validate_field_draft(sub, field.form)
        return
    saved = field.validators
    field.validators = tuple(v for v in saved if not getattr(v, "requirement", False))
    try:
        field.validate(form)
    finally:
        field.validators = saved


def validate_form_draft(form) -> bool:
    form.form_errors = []
    for field in form:
        _validate_field_draft(field, form)
    return not form.errors


def error_items(form, _prefix_label: str = "") -> list[dict[str, str]]:
    """Every error as ``{"id", "path", "label", "message"}``, nested entries flattened.

    ``id`` is the HTML id of the input (for the links of the error summary),
    ``path`` the dotted path in ``to_data()`` (``fiches.1.contexte``) for the API.
    """
    items: list[dict[str, str]] = []

    def walk(f, path: str, label_prefix: str, owner) -> None:
        if isinstance(f, wtf.FieldList):
            for entry in f.entries:
                title = f.entry_title(entry) if isinstance(f, RepeatableField) else f"{f.label.text} {entry.index + 1}"
                walk(entry, f"{path}.{entry.index}", f"{label_prefix}{title} – ", owner)
            for message in f.errors:
                if isinstance(message, str):
                    items.append({"id": f.id, "path": path, "label": label_prefix + str(f.label.text),
                                  "message": str(message)})
            return
        if isinstance(f, wtf.FormField):
            for sub in f.form:
                walk(sub, f"{path}.{sub.short_name}", label_prefix, f.form)
            for message in f.form.form_errors:
                items.append({"id": f.id, "path": path, "label": label_prefix.rstrip(" –"),
                              "message": str(message)})
            return
        for message in f.errors:
            items.append({"id": f.id, "path": path, "label": label_prefix + str(f.label.text),
                          "message": str(message)})

    for message in form.form_errors:
        items.append({"id": "", "path": "", "label": "", "message": str(message)})
    for field in form:
        if isinstance(field, CSRFTokenField):
            for message in field.errors:
                items.append({"id": "", "path": field.short_name, "label": "", "message": str(message)})
            continue
        walk(field, field.short_name, _prefix_label, form)
    return items


# --- Section -------------------------------------------------------------------------------------

class _FrenchCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF check with a French message (its own messages are English literals)."""

    def validate_csrf_token(self, form, field):
        from wtforms.validators import ValidationError

        try:
            super().validate_csrf_token(form, field)
        except ValidationError:
            raise ValidationError(gettext(
                "Le formulaire a expiré ou n'est pas valide : rechargez la page puis recommencez.")) from None


class Section(FlaskForm):
    """A dossier section: a form, its template, its JSON data and JSON Schema.

    Class attributes a section sets:

    ``key``          stable identifier (URL segment, storage key, API key)
    ``title``        French title (lazy)
    ``template``     Jinja template rendering the fields; defaults to
                     ``forms/sections/<key>.html``
    ``description``  optional introduction shown above the fields

    Constructor: ``Section(formdata=..., certification=None, **wtforms_kwargs)``;
    ``certification`` (a :class:`core.certifications.descriptor.Certification`)
    feeds the competency pickers and certifier-specific wording.
    """

    class Meta(FlaskForm.Meta):
        csrf_class = _FrenchCSRF

    key: ClassVar[str] = ""
    title: ClassVar[Any] = ""
    template: ClassVar[str | None] = None
    description: ClassVar[Any] = ""

    def __init__(self, formdata=_Auto, certification=None, **kwargs):
        self.certification = certification
        super().__init__(formdata=formdata, **kwargs)

    # -- identity --------------------------------------------------------------------------------
    @classmethod
    def template_name(cls) -> str:
        return cls.template or f"forms/sections/{cls.key}.html"

    # -- data ------------------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        """JSON-able dict of what was typed (dates ISO, money in cents, repeatables as lists).

        Input that could not be parsed is kept as the typed text, so that a
        draft restores exactly what the person wrote.
        """
        return form_to_data(self)

    @classmethod
    def from_data(cls, data: dict[str, Any] | None, certification=None, **kwargs) -> "Section":
        """Rebuild a section from ``to_data()`` output (a saved draft, an API body).

        The values go through the same parsing as a browser submission, so
        type errors come back as field errors. Integers are cents for money
        fields; strings are parsed as typed (``"1 234,50"``). Unknown keys
        are ignored (the JSON Schema has ``additionalProperties: false``).
        CSRF is off: the caller authenticates the request.
        """
        meta = dict(kwargs.pop("meta", {}) or {})
        meta.setdefault("csrf", False)
        probe = cls(formdata=None, certification=certification, meta=meta)
        formdata = data_to_formdata(probe, data or {})
        return cls(formdata=formdata, certification=certification, meta=meta, **kwargs)

    # -- validation ------------------------------------------------------------------------------
    def validate_draft(self) -> bool:
        """Lenient validation for a draft save (see the module docstring). Returns True when no problem."""
        return validate_form_draft(self)

    def validate(self, extra_validators=None, partial: bool = False) -> bool:
        """Strict validation (``partial=True`` is the same as :meth:`validate_draft`)."""
        if partial:
            return self.validate_draft()
        return super().validate(extra_validators)

    def error_items(self) -> list[dict[str, str]]:
        return error_items(self)

    def errors_by_path(self) -> dict[str, list[str]]:
        """``{"fiches.0.contexte": ["Ce champ est obligatoire."]}`` (for API 422 ``details``)."""
        out: dict[str, list[str]] = {}
        for item in self.error_items():
            out.setdefault(item["path"], []).append(item["message"])
        return out

    @property
    def pending_action(self) -> tuple[str, str, int] | None:
        """``(field_name, "add" | "remove", index)`` when an add / remove button of a repeatable was pressed."""
        def walk(form):
            for field in form:
                if isinstance(field, RepeatableField):
                    if field.action:
                        return (field.name, *field.action)
                    for entry in field.entries:
                        if isinstance(entry, wtf.FormField):
                            found = walk(entry.form)
                            if found:
                                return found
            return None

        return walk(self)

    # -- schema and rendering --------------------------------------------------------------------
    @classmethod
    def json_schema(cls, certification=None, partial: bool = False) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) of ``to_data()``; ``partial=True`` describes a draft (nothing required)."""
        from forms.schema import section_schema

        probe = cls(formdata=None, certification=certification, meta={"csrf": False})
        return section_schema(probe, partial=partial)

    #: True while the section is rendered on a page that already shows its title (h1) and its
    #: error summary: the ``section`` macro of ``_widgets.html`` then repeats neither.
    title_in_page: bool = False

    def render(self, title_in_page: bool = False, **context) -> Markup:
        """The section's fields as HTML (the caller provides ``<form>``, see ``_widgets.html``).

        Without a template of its own, a section is rendered by ``forms/sections/_generic.html``
        (every field in order). ``title_in_page=True``: the page shows the section's title and
        error summary itself (the section's own heading and summary are left out); pass
        ``heading_level=1`` with it so that the headings inside the section are h2.
        """
        names = [self.template_name(), "forms/sections/_generic.html"]
        self.title_in_page = title_in_page
        try:
            return Markup(render_template(names, form=self, section=self, **context))
        finally:
            self.title_in_page = False

