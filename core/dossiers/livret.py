"""From a submitted dossier version to the Livret 2 view model (core.documents.livret).

Generic: every form section is turned into blocks from its own fields
(labels as the candidate saw them, values as typed), so a plugin's sections
print without any code of its own.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import wtforms as wtf

from core.certifications.descriptor import Certification
from core.documents import livret as lv
from core.dossiers.models import Dossier, DossierVersion
from core.dossiers.routes import route_of
from core.dossiers.sections import ANNEXES, CONTENTS, DELIVERABLES, FORM, TEXT, SectionSpec
from forms.base import data_fields
from forms.fields import CompetencyPickerField, ComputedField, MoneyField, RepeatableField


def _display(field: wtf.Field) -> str:
    data = field.data
    if isinstance(field, MoneyField):
        from forms.validators import format_money

        return format_money(data, symbol=True) if isinstance(data, int) else (field.raw_data[0] if field.raw_data else "")
    if isinstance(field, CompetencyPickerField):
        return ", ".join(data or [])
    if isinstance(field, (wtf.RadioField, wtf.SelectField)):
        for value, label, *_ in (field.iter_choices() if hasattr(field, "iter_choices") else []):
            if value == data or str(value) == str(data):
                return str(label)
        return "" if data in (None, "None") else str(data)
    if isinstance(field, wtf.SelectMultipleField):
        labels = {str(v): str(lbl) for v, lbl, *_ in field.iter_choices()}
        return ", ".join(labels.get(str(v), str(v)) for v in data or [])
    if isinstance(data, date):
        return data.strftime("%d/%m/%Y")
    if isinstance(data, bool):
        return "Oui" if data else "Non"
    if isinstance(field, ComputedField):
        return "" if data is None else str(data)
    if data is None:
        raw = field.raw_data[0] if getattr(field, "raw_data", None) else ""
        return str(raw)
    return str(data).strip()


def _is_long_text(field: wtf.Field) -> bool:
    return isinstance(field, wtf.TextAreaField)


def form_blocks(form) -> list[Any]:
    """Blocks for one form: short fields as rows, long texts as paragraphs, boxes as a checklist,
    each entry of a repeatable block as a two-column table like the seed's sheets."""
    blocks: list[Any] = []
    rows: list[tuple[str, str]] = []
    checks: list[tuple[str, bool]] = []

    def flush():
        nonlocal rows, checks
        if rows:
            blocks.append(lv.FieldsBlock(rows=rows))
            rows = []
        if checks:
            blocks.append(lv.ChecklistBlock(items=checks))
            checks = []

    for field in data_fields(form):
        if isinstance(field, RepeatableField):
            flush()
            for entry in field.entries:
                inner = entry.form if isinstance(entry, wtf.FormField) else None
                if inner is None:
                    continue
                table_rows = [[str(f.label.text), _display(f)] for f in data_fields(inner)
                              if not isinstance(f, (RepeatableField, wtf.FormField))]
                blocks.append(lv.TableBlock(caption=field.entry_title(entry), rows=table_rows))
        elif isinstance(field, wtf.FormField):
            flush()
            blocks.extend(form_blocks(field.form))
        elif isinstance(field, wtf.BooleanField):
            checks.append((str(field.label.text), bool(field.data)))
        elif _is_long_text(field):
            flush()
            blocks.append(lv.TextBlock(label=str(field.label.text), text=_display(field)))
        else:
            rows.append((str(field.label.text), _display(field)))
    flush()
    return blocks


def _entries(form) -> int | None:
    for field in data_fields(form):
        if isinstance(field, RepeatableField):
            return len(field.entries)
    return None


def _section_of(spec: SectionSpec, version: DossierVersion, cert: Certification) -> lv.Section | None:
    """The document section of one spec (not yet numbered nor placed in its part)."""
    anchor = f"section-{spec.key.replace('_', '-')}"
    common = {"key": spec.key, "title": str(spec.title), "anchor": anchor}
    if spec.kind == FORM:
        form = spec.form.from_data(version.content.get(spec.key, {}), certification=cert)
        intro = str(getattr(spec.form, "description", "") or spec.intro or "")
        return lv.Section(**common, blocks=form_blocks(form), intro=intro, contents_label=str(spec.title),
                          count=_entries(form))
    if spec.kind == ANNEXES:
        return lv.Section(**common, blocks=[lv.AnnexesBlock(intro=str(spec.intro or ""))],
                          contents_label=str(spec.title))
    if spec.kind == DELIVERABLES:
        return lv.Section(**common, blocks=[lv.DeliverablesBlock(intro=str(spec.intro or ""))],
                          contents_label=str(spec.title),
                          count=sum(1 for a in version.manifest if a.get("deliverable")))
    if spec.kind == CONTENTS:
        return lv.Section(**common, blocks=[lv.ContentsBlock()], new_page=False)
    if spec.kind == TEXT:
        return lv.Section(**common, blocks=[lv.TextBlock(text=str(spec.intro or ""))])
    return None


def _apply_layout(section: lv.Section, spec: SectionSpec) -> None:
    options = spec.options
    if "contents_label" in options:
        section.contents_label = str(options["contents_label"]) or None
    if "contents_count" in options:
        section.count = options["contents_count"]
    section.contents_after = [str(label) for label in options.get("contents_after") or ()]


def document_sections(specs: list[SectionSpec], version: DossierVersion, cert: Certification) -> list[lv.Section]:
    """The sections of the submitted document in order, numbered as the form numbers them: a spec with
    ``options["part"]`` is a sub-part of that numbered part (« 5. Votre projet VAE »), one with
    ``options["sub"]`` a sub-part of the section before it; every other one is a numbered part."""
    sections: list[lv.Section] = []
    number, part = 0, None
    for spec in specs:
        section = _section_of(spec, version, cert)
        if section is None:
            continue
        _apply_layout(section, spec)
        title = spec.options.get("part")
        if title:
            if title != part:
                number += 1
                part = title
                sections.append(lv.Section(key=f"partie-{number}", title=str(title), anchor=f"partie-{number}",
                                           number=str(number)))
                section.new_page = False  # right under its part's heading
            section.level = 2
        elif spec.options.get("sub") and sections:
            part = None
            section.level, section.new_page = 2, False
        else:
            part = None
            number += 1
            section.number = str(number)
        sections.append(section)
    return sections


def build_livret2(dossier: Dossier, version: DossierVersion, cert: Certification,
                  specs: list[SectionSpec]) -> lv.Livret2:
    candidate = dossier.candidate
    sections = document_sections(specs, version, cert)
    annexes = [lv.Annex(number=a["number"], title=a["title"], media_type=a["media_type"], size=a["size"],
                        sha256=a["sha256"], competencies=list(a.get("competencies") or []),
                        filename=a.get("filename", ""), deliverable=a.get("deliverable") or "",
                        pages=a.get("pages") if a.get("deliverable") else None) for a in version.manifest]
    document = route_of(dossier, cert).document
    naming = ({"document_name": document.name, "document_heading": document.heading,
               "document_subtitle": document.subtitle} if document is not None else {})
    return lv.Livret2(
        certification=lv.CertificationInfo(code=cert.code, title=cert.title, registry=cert.registry,
                                           certifier=cert.certifier, **naming),
        candidate=lv.CandidateInfo(last_name=candidate.last_name, first_name=candidate.first_name),
        # « CENTRE DE CERTIFICATION » (Annexe 5's cover): the organisation the dossier is deposited with
        dossier=lv.DossierInfo(reference=dossier.reference, version=version.number,
                               submitted_at=version.submitted_at,
                               certification_centre=getattr(getattr(dossier, "organisation", None), "name", "")
                               or ""),
        sections=sections, annexes=annexes)


def build_receipt(dossier: Dossier, version: DossierVersion, cert: Certification, livret_sha256: str,
                  livret_size: int) -> lv.Receipt:
    base = build_livret2(dossier, version, cert, [])
    return lv.Receipt(certification=base.certification, candidate=base.candidate, dossier=base.dossier,
                      annexes=base.annexes, livret_sha256=livret_sha256, livret_size=livret_size)
