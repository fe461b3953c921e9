"""What a plugin returns to describe the dossier of a certification."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    """One section of a dossier, in the order the candidate sees them.

    ``kind``:
    - ``"form"``: a form class from :mod:`forms` (or written the same way:
      ``to_data()``, ``from_data()``, ``validate_draft()``, ``validate()``,
      ``json_schema()``), rendered by ``template`` (default: the form's own);
    - ``"annexes"``: the evidence annexes, numbered, titled and linked to
      competencies (core provides the page);
    - ``"contents"``: the computed table of contents of the Livret (core).
    """

    key: str
    title: str
    kind: str = "form"
    form: Any = None
    template: str | None = None
    required: bool = True
    intro: str = ""
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Problem:
    """Something that prevents submission, with where to fix it."""

    message: str
    section: str | None = None  # section key to link to
    field: str | None = None  # field id within the section (anchor)
    code: str = "incomplete"
