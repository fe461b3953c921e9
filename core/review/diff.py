"""What changed between two versions of a dossier: per section, the fields added, removed and changed
(labelled as the candidate saw them), and the annexes added and removed.

Part of :mod:`core.review.services`, which re-exports every name.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from core.certifications.descriptor import Certification
from core.certifications.services import get_certification
from core.dossiers import services as dossiers
from core.dossiers.models import Dossier, DossierVersion
from core.dossiers.sections import FORM

logger = logging.getLogger("core.review.services")  # the name the review's logs had before the split


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1, {"c": 2}]}}`` → ``{"a.b.0": 1, "a.b.1.c": 2}`` (leaves only)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value} if prefix else {}
    out: dict[str, Any] = {}
    for key, item in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, (dict, list)) and item:
            out.update(flatten(item, path))
        else:
            out[path] = item
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class FieldChange:
    path: str
    change: str  # "added", "removed", "changed"
    before: Any = None
    after: Any = None
    label: str = ""  # the field's label as the candidate saw it (« Fiche 2 – Contexte »), "" if unknown


@dataclass
class SectionDiff:
    key: str
    title: str
    changes: list[FieldChange] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)


@dataclass
class VersionDiff:
    old: int
    new: int
    sections: list[SectionDiff]
    annexes_added: list[dict[str, Any]]
    annexes_removed: list[dict[str, Any]]

    @property
    def empty(self) -> bool:
        return not self.sections and not self.annexes_added and not self.annexes_removed


def diff_sections(old: dict[str, Any], new: dict[str, Any], titles: dict[str, str]) -> list[SectionDiff]:
    """Per section, the fields added, removed and changed (empty values count as absent)."""
    result = []
    order = list(titles) + sorted(k for k in set(old) | set(new) if k not in titles)
    for key in order:
        if key not in old and key not in new:
            continue
        before = {p: v for p, v in flatten(old.get(key) or {}).items() if not _empty(v)}
        after = {p: v for p, v in flatten(new.get(key) or {}).items() if not _empty(v)}
        changes = []
        for path in sorted(set(before) | set(after)):
            if path not in before:
                changes.append(FieldChange(path, "added", after=after[path]))
            elif path not in after:
                changes.append(FieldChange(path, "removed", before=before[path]))
            elif before[path] != after[path]:
                changes.append(FieldChange(path, "changed", before[path], after[path]))
        if changes:
            result.append(SectionDiff(key, titles.get(key, key), changes))
    return result


def field_labels(spec, cert: Certification, data: dict[str, Any] | None) -> dict[str, str]:
    """Dotted path of ``to_data()`` → the field's label (entries named as on the page: « Fiche 2 – Contexte »)."""
    from wtforms import FieldList, FormField

    from forms.base import data_fields
    from forms.fields import RepeatableField

    labels: dict[str, str] = {}
    try:
        form = spec.form.from_data(dict(data or {}), certification=cert)
    except Exception:  # noqa: BLE001 - an old version a plugin cannot read any more: paths are shown
        logger.warning("labels of section %s could not be built", spec.key)
        return labels

    def walk(f, path: str, prefix: str) -> None:
        labels[path] = prefix + str(f.label.text)
        if isinstance(f, FieldList):
            for entry in f.entries:
                title = f.entry_title(entry) if isinstance(f, RepeatableField) else f"{f.label.text} {entry.index + 1}"
                walk(entry, f"{path}.{entry.index}", f"{prefix}{title} – ")
        elif isinstance(f, FormField):
            labels[path] = prefix.rstrip(" –")
            for sub in f.form:
                walk(sub, f"{path}.{sub.short_name}", prefix)

    for fld in data_fields(form):
        walk(fld, fld.short_name, "")
    return labels


def _label_of(labels: dict[str, str], path: str) -> str:
    """The label of ``path`` or of the nearest field containing it (a list of ticked values: « competences.1 »)."""
    parts = path.split(".")
    while parts:
        found = labels.get(".".join(parts))
        if found:
            return found
        parts.pop()
    return ""


def diff_versions(old: DossierVersion, new: DossierVersion, cert: Certification | None = None) -> VersionDiff:
    cert = cert or get_certification(new.dossier.certification_code)
    specs = {s.key: s for s in dossiers.sections_for(cert, new.dossier) if s.kind == FORM}
    titles = {key: str(s.title) for key, s in specs.items()}
    before = {a["sha256"]: a for a in old.manifest or []}
    after = {a["sha256"]: a for a in new.manifest or []}
    sections = diff_sections(old.content or {}, new.content or {}, titles)
    for section in sections:
        spec = specs.get(section.key)
        if spec is None or spec.form is None:
            continue
        labels = field_labels(spec, cert, (old.content or {}).get(section.key))
        labels.update(field_labels(spec, cert, (new.content or {}).get(section.key)))
        for change in section.changes:
            change.label = _label_of(labels, change.path)
    return VersionDiff(
        old=old.number, new=new.number, sections=sections,
        annexes_added=[a for sha, a in after.items() if sha not in before],
        annexes_removed=[a for sha, a in before.items() if sha not in after])



def history(dossier: Dossier) -> list[tuple[DossierVersion, VersionDiff | None]]:
    """Each version, newest first, with what changed since the one before it."""
    cert = get_certification(dossier.certification_code)
    rows, previous = [], None
    for version in dossier.versions:
        rows.append((version, diff_versions(previous, version, cert) if previous is not None else None))
        previous = version
    return list(reversed(rows))
