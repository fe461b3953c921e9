"""Field types of the Livret forms.

Every field keeps what the person typed: when the input cannot be parsed
(a date such as ``31/02/2024``, an amount such as ``12,345``), ``data`` is
``None``, the French message is in ``process_errors`` and the field renders
the typed text again (:meth:`TypedInputMixin._value`); ``to_data`` stores
that text so that a draft never loses it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape
from wtforms import fields as wtf
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from forms.html import html_params
from forms.validators import Phone, Siret, format_money, format_phone, parse_money

__all__ = [
    "SiretField", "PhoneField", "MoneyField", "FrenchDateField", "FrenchIntegerField", "ChoiceField",
    "BlockChoiceField", "CompetencyPickerField", "ComputedField", "RepeatableField", "choices",
    "root_form",
]


def choices(*pairs: tuple[str, Any]) -> list[SelectChoice]:
    """``choices(("cdi", _l("CDI")), ...)`` -> WTForms ``SelectChoice`` list."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def root_form(form):
    """The outermost form (the section) of a possibly nested entry form."""
    while getattr(form, "_parent_form", None) is not None:
        form = form._parent_form
    return form


def _certification_of(field):
    return getattr(root_form(field._form), "certification", None) if field._form is not None else None


class TypedInputMixin:
    """Re-display the typed text when it could not be parsed."""

    def _value(self):
        if self.process_errors and self.raw_data:
            return self.raw_data[0]
        return self.display_value()

    def display_value(self) -> str:  # pragma: no cover - overridden
        return "" if self.data is None else str(self.data)

    def typed_value(self):
        """What ``to_data`` stores: the parsed value, or the raw text if it could not be parsed."""
        if self.process_errors and self.raw_data:
            return self.raw_data[0]
        return self.data


def _with_kw(kwargs: dict, **defaults) -> dict:
    render_kw = dict(defaults)
    render_kw.update(kwargs.pop("render_kw", None) or {})
    kwargs["render_kw"] = render_kw
    return kwargs


class SiretField(wtf.StringField):
    """A SIRET number: spaces accepted, stored as 14 digits, key checked (:class:`forms.validators.Siret`)."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = list(validators or []) + [Siret()]
        super().__init__(label, validators, **_with_kw(kwargs, inputmode="numeric", autocomplete="off",
                                                       spellcheck="false"))

    def process_formdata(self, valuelist):
        if valuelist:
            text = (valuelist[0] or "").strip()
            compact = "".join(text.split())
            self.data = compact if compact.isdigit() else text


class PhoneField(wtf.TelField):
    """A French phone number, stored in E.164 (``+33612345678``), shown as ``06 12 34 56 78``."""

    def __init__(self, label=None, validators=None, allow_international: bool = False, **kwargs):
        validators = list(validators or []) + [Phone(allow_international=allow_international)]
        super().__init__(label, validators, **_with_kw(kwargs, autocomplete="tel"))
        self.allow_international = allow_international

    def process_formdata(self, valuelist):
        from forms.validators import parse_phone

        if valuelist:
            text = (valuelist[0] or "").strip()
            try:
                self.data = parse_phone(text, self.allow_international) if text else ""
            except ValueError:
                self.data = text  # kept as typed; the Phone validator reports the problem

    def _value(self):
        return format_phone(self.data) if self.data else ""


class MoneyField(TypedInputMixin, wtf.Field):
    """An amount in euros typed as ``300``, ``300,00`` or ``1 234,50 €``; ``data`` is integer cents."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **_with_kw(kwargs, inputmode="decimal", autocomplete="off"))

    def process_data(self, value):
        self.data = parse_money(value) if value not in (None, "") else None

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = None
            self.data = parse_money(valuelist[0])

    def display_value(self) -> str:
        return format_money(self.data)


class FrenchDateField(TypedInputMixin, wtf.DateField):
    """``<input type="date">``; also accepts ``jj/mm/aaaa`` typed where the browser has no date picker."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        if isinstance(value, str):
            value = dt.date.fromisoformat(value) if value else None
        self.data = value

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in self.strptime_format:
            try:
                self.data = dt.datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(self.invalid_value_message or gettext(
            "Saisissez une date valide, par exemple 14/07/1990."))

    def display_value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else ""


class FrenchIntegerField(TypedInputMixin, wtf.IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        text = valuelist[0].strip().replace("%", "").strip()
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(gettext("Saisissez un nombre entier.")) from None

    def display_value(self) -> str:
        return "" if self.data is None else str(self.data)


class ChoiceField(wtf.RadioField):
    """Radio buttons; nothing chosen is ``None`` (required-ness is left to the validators)."""

    def process_data(self, value):
        self.data = value if value not in (None, "") else None

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = (valuelist[0] or "").strip() or None

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data not in self.values():
            raise ValidationError(gettext("Choisissez une des options proposées."))

    def values(self) -> list[str]:
        return [c.value for c in self._choices_from_input(self.choices) or []]

    def labels(self) -> dict[str, str]:
        return {c.value: str(c.label) for c in self._choices_from_input(self.choices) or []}


class BlockChoiceField(ChoiceField):
    """The blocks of competencies of the section's certification (``section.certification``)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, **kwargs)

    def post_process(self, formdata=None):
        super().post_process(formdata)
        cert = _certification_of(self)
        self.choices = [SelectChoice(value=b.code, label=f"{b.code} – {b.title}") for b in (cert.blocks if cert else ())]

    def pre_validate(self, form):
        if self.data is not None and self.data not in self.values():
            raise ValidationError(gettext("Ce bloc de compétences n'existe pas dans cette certification."))


class GroupedCheckboxesWidget:
    """Checkboxes grouped by ``optgroup`` (one fieldset and legend per block of competencies)."""

    def __call__(self, field, **kwargs):
        described = kwargs.pop("aria-describedby", None) or kwargs.pop("aria_describedby", None)
        invalid = kwargs.pop("aria-invalid", None) or kwargs.pop("aria_invalid", None)
        kwargs.pop("required", None)
        kwargs.pop("aria-required", None)
        out = [f'<div {html_params(id=field.id, class_="competency-picker", **kwargs)}>']
        index = 0
        for group, items in field.grouped_choices():
            out.append(f'<fieldset class="competency-block" data-block="{escape(group.code)}">'
                       f"<legend>{escape(group.label)}</legend>")
            for choice in items:
                input_id = f"{field.id}-{index}"
                index += 1
                params = {"type": "checkbox", "name": field.name, "id": input_id, "value": choice.value,
                          "checked": choice.value in (field.data or [])}
                if described:
                    params["aria-describedby"] = described
                if invalid:
                    params["aria-invalid"] = invalid
                out.append(f'<div class="checkbox"><input {html_params(**params)}> '
                           f'<label for="{input_id}">{escape(choice.label)}</label></div>')
            out.append("</fieldset>")
        out.append("</div>")
        return Markup("".join(out))


class _Group:
    def __init__(self, code: str, label: str) -> None:
        self.code = code
        self.label = label


class CompetencyPickerField(wtf.SelectMultipleField):
    """Competency codes of the section's certification, grouped by block.

    ``block_field``: name of a sibling :class:`BlockChoiceField`; when it has a
    value, only that block's competencies are accepted. Unknown codes are
    refused with a French message.
    """

    widget = GroupedCheckboxesWidget()

    def __init__(self, label=None, validators=None, block_field: str | None = None, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, **kwargs)
        self.block_field = block_field

    def process_data(self, value):
        self.data = [str(v) for v in value] if value else []

    def process_formdata(self, valuelist):
        seen: list[str] = []
        for value in valuelist:
            value = (value or "").strip()
            if value and value not in seen:
                seen.append(value)
        self.data = seen

    def post_process(self, formdata=None):
        super().post_process(formdata)
        cert = _certification_of(self)
        self.certification = cert
        self.choices = [
            SelectChoice(value=c.code, label=f"{c.code} – {c.title}", optgroup=f"{b.code} – {b.title}")
            for b in (cert.blocks if cert else ()) for c in b.competencies
        ]

    @property
    def block_field_name(self) -> str:
        """Full input name of the sibling block field (for the script that filters the blocks)."""
        if not self.block_field:
            return ""
        return self.name[: len(self.name) - len(self.short_name)] + self.block_field

    def grouped_choices(self):
        cert = getattr(self, "certification", None)
        for block in (cert.blocks if cert else ()):
            yield (_Group(block.code, f"{block.code} – {block.title}"),
                   [SelectChoice(value=c.code, label=f"{c.code} – {c.title}") for c in block.competencies])

    def known_codes(self) -> list[str]:
        cert = getattr(self, "certification", None)
        return [c.code for c in cert.competencies] if cert else []

    def pre_validate(self, form):
        if not self.data:
            return
        known = set(self.known_codes())
        unknown = [code for code in self.data if code not in known]
        if unknown:
            raise ValidationError(gettext(
                "Compétence inconnue pour cette certification : %(codes)s.", codes=", ".join(unknown)))
        if self.block_field and self.block_field in form:
            block_code = form[self.block_field].data
            cert = self.certification
            block = next((b for b in cert.blocks if b.code == block_code), None) if block_code else None
            if block is not None:
                allowed = {c.code for c in block.competencies}
                outside = [code for code in self.data if code not in allowed]
                if outside:
                    raise ValidationError(gettext(
                        "Ces compétences n'appartiennent pas au bloc de compétences choisi (%(block)s) : "
                        "%(codes)s.", block=block.code, codes=", ".join(outside)))


class ComputedField(wtf.Field):
    """A read-only value computed from the other fields (e.g. the age from the birth date).

    ``compute(form)`` is called after processing; the input is rendered
    ``readonly`` and whatever is submitted for it is ignored.
    """

    widget = TextInput()

    def __init__(self, label=None, compute: Callable[[Any], Any] | None = None, **kwargs):
        super().__init__(label, [], **_with_kw(kwargs, readonly=True))
        self.compute = compute

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.raw_data = []
        self.object_data = None
        self.data = None

    def post_process(self, formdata=None):
        super().post_process(formdata)
        self.refresh()

    def refresh(self) -> None:
        self.data = self.compute(self._form) if self.compute and self._form is not None else None

    def _value(self):
        return "" if self.data is None else str(self.data)


class RepeatableField(wtf.FieldList):
    """A repeatable block ("fiche"): a list of entry forms, with add / remove working without JavaScript.

    The page renders a submit button ``name="<field>-add"`` ("Ajouter une
    fiche") and, on each entry, ``name="<field>-remove" value="<index>"``.
    When such a button was pressed, processing the form adds or removes the
    entry and sets :attr:`action` (``("add", index)`` or ``("remove", index)``);
    the view then saves the draft and shows the page again instead of
    validating (see :attr:`forms.base.Section.pending_action`).
    """

    def __init__(self, form_class_or_field, label=None, validators=None, min_entries: int = 1,
                 max_entries: int | None = None, add_label=None, remove_label=None, entry_label=None,
                 **kwargs):
        unbound = form_class_or_field
        if isinstance(form_class_or_field, type):
            unbound = wtf.FormField(form_class_or_field)
        super().__init__(unbound, label, validators, min_entries=min_entries, max_entries=max_entries, **kwargs)
        self.add_label = add_label or lazy_gettext("Ajouter une fiche")
        self.remove_label = remove_label or lazy_gettext("Supprimer cette fiche")
        self.entry_label = entry_label or lazy_gettext("Fiche")
        self.action: tuple[str, int] | None = None
        self.action_error: str | None = None
        self.focus_index: int | None = None

    @property
    def add_name(self) -> str:
        return f"{self.name}{self._separator}add"

    @property
    def remove_name(self) -> str:
        return f"{self.name}{self._separator}remove"

    def can_add(self) -> bool:
        return not self.max_entries or len(self.entries) < self.max_entries

    def can_remove(self) -> bool:
        return len(self.entries) > self.min_entries

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.action = None
        self.action_error = None
        self.focus_index = None
        super().process(formdata, data, extra_filters)
        if not formdata:
            return
        removed = formdata.get(self.remove_name)
        if removed is not None:
            try:
                index = int(removed)
            except ValueError:
                index = -1
            if 0 <= index < len(self.entries) and self.can_remove():
                self.pop_entry(index)
                self.action = ("remove", index)
                self.focus_index = min(index, len(self.entries) - 1)
            else:
                self.action = ("remove", index)
                self.action_error = gettext("Cette fiche ne peut pas être supprimée.")
        elif self.add_name in formdata:
            if self.can_add():
                entry = self.append_entry()
                self.action = ("add", entry.index)
                self.focus_index = entry.index
            else:
                self.action = ("add", len(self.entries))
                self.action_error = gettext("Vous ne pouvez pas ajouter plus de %(max)s fiches.",
                                            max=self.max_entries)

    def entry_title(self, entry) -> str:
        return f"{self.entry_label} {entry.index + 1}"
