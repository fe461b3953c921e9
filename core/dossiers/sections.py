"""What a plugin returns to describe the dossier of a certification."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORM, ANNEXES, CONTENTS, DELIVERABLES, TEXT = "form", "annexes", "contents", "deliverables", "text"


@dataclass(frozen=True)
class SectionSpec:
    """One section of a dossier, in the order the candidate sees them.

    ``kind``:
    - ``"form"``: ``form`` is a :class:`forms.base.Section` subclass (a WTForms
      form with ``to_data()``, ``from_data()``, ``validate_draft()``,
      ``validate()``, ``json_schema()`` and its own template);
    - ``"annexes"``: the evidence annexes, numbered, titled and linked to
      competencies (page provided by core); ``options["min_annexes"]``;
    - ``"deliverables"``: the files the dossier's access route asks for, one per
      :class:`~core.certifications.descriptor.Deliverable` (page provided by core);
      shown only on a route that declares deliverables;
    - ``"text"``: information printed in the document (``intro``, paragraphs separated
      by blank lines), nothing to fill (RNCP37827's « L'entretien devant le jury de la VAE »).

    Layout of the submitted document (``options``): ``"part"``: the title of a numbered
    part this section is a sub-part of (consecutive sections with the same part are
    grouped: « 5. Votre projet VAE » › « Votre lettre de motivation »…); ``"sub"``: a
    sub-part of the section before it; ``"contents_label"``: its row in « Contenu de ce
    livret » (``""``: no row); ``"contents_after"``: rows printed after it, with nothing
    to count; ``"contents_count"``: the count printed (e.g. 1 for the CV).
    - ``"contents"``: the computed table of contents of the Livret (core).

    ``options["annex_citations"]`` (form sections): ``{field name: competency code}``
    for fields where the candidate types annex numbers (``1, 3``) as evidence of a
    competency; those annexes count in the evidence coverage of that competency.
    """

    key: str
    title: str
    kind: str = FORM
    form: Any = None
    required: bool = True
    intro: str = ""
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self):
        if self.kind not in (FORM, ANNEXES, CONTENTS, DELIVERABLES, TEXT):
            raise ValueError(f"section {self.key!r}: unknown kind {self.kind!r}")
        if self.kind == FORM and self.form is None:
            raise ValueError(f"section {self.key!r}: a form section needs a form class")


@dataclass(frozen=True)
class Problem:
    """Something that prevents submission, with where to fix it."""

    message: str
    section: str | None = None  # section key to link to
    field: str | None = None  # field id within the section (anchor)
    code: str = "incomplete"
    blocking: bool = True  # False: a warning shown to the candidate, submission stays possible
