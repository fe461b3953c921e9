"""Showing a service's refusal on the form that asked for it."""
from __future__ import annotations

from core.errors import UserError


def apply_errors(form, exc: UserError) -> None:
    """Put each message of ``exc.details`` (``{field: [messages]}``) under its field of ``form``; when none
    names a field of the form, the refusal's message goes to the top of the form."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, messages in details.items():
        if name in form._fields:
            form[name].errors = list(form[name].errors or []) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(str(exc))
