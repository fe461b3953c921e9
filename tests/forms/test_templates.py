"""Every section template renders accessibly: labels tied to inputs, groups in fieldsets with a legend,
errors tied to their field with aria-describedby, error summary links pointing at real fields."""
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from forms import sections
from forms.sections import FicheActiviteSection, SituationSection


class Page(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.fieldsets: list[dict] = []  # open fieldsets: {"legend": bool}
        self.grouped_without_legend: list[str] = []
        self.labels_for: set[str] = set()
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v if v is not None else "") for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "fieldset":
            self.fieldsets.append({"legend": False})
        elif tag == "legend" and self.fieldsets:
            self.fieldsets[-1]["legend"] = True
        elif tag == "label" and "for" in attributes:
            self.labels_for.add(attributes["for"])
        elif tag == "input" and attributes.get("type") in ("radio", "checkbox") and attributes.get("id"):
            if attributes["type"] == "radio" and not (self.fieldsets and self.fieldsets[-1]["legend"]):
                self.grouped_without_legend.append(attributes["id"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()

    def controls(self):
        for tag, attrs in self.elements:
            if tag in ("select", "textarea") or (
                    tag == "input" and attrs.get("type", "text") not in ("hidden", "submit", "button")):
                yield tag, attrs

    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.elements if attrs.get("id")]

    def described_ids(self) -> set[str]:
        out: set[str] = set()
        for _, attrs in self.elements:
            out.update(attrs.get("aria-describedby", "").split())
        return out

    def error_ids(self) -> list[str]:
        return [attrs["id"] for tag, attrs in self.elements
                if tag == "p" and "error" in attrs.get("class", "").split() and attrs.get("id")]


def check_accessible(markup: str) -> Page:
    page = Page(markup)
    ids = page.ids()
    assert len(ids) == len(set(ids)), "duplicate ids"
    controls = list(page.controls())
    assert controls
    for tag, attrs in controls:
        assert attrs.get("id"), f"{tag} without id: {attrs}"
        assert attrs["id"] in page.labels_for, f"no label for {attrs['id']}"
    assert page.grouped_without_legend == []
    described = page.described_ids()
    for error_id in page.error_ids():
        assert error_id in described, f"{error_id} is not tied to its field"
    for hint_id in [a["id"] for t, a in page.elements if t == "p" and a.get("class") == "hint" and a.get("id")]:
        assert hint_id in described, f"{hint_id} is not tied to its field"
    return page


@pytest.mark.parametrize("section_class", sections.SECTIONS, ids=lambda s: s.key)
def test_section_template_renders_accessibly(ctx, cert, samples, section_class):
    form = section_class.from_data(samples[section_class.key], certification=cert)
    assert form.validate()
    page = check_accessible(form.render())
    assert page.error_ids() == []
    assert str(section_class.title) in form.render()


@pytest.mark.parametrize("section_class", sections.SECTIONS, ids=lambda s: s.key)
def test_section_errors_are_tied_to_their_fields(posted, cert, section_class):
    form = section_class(formdata=posted({"x": "1"}), certification=cert)
    assert not form.validate()
    markup = form.render()
    page = check_accessible(markup)
    assert page.error_ids(), "errors are shown"
    assert 'id="error-summary"' in markup and 'role="alert"' in markup
    ids = set(page.ids())
    for item in form.error_items():
        assert item["id"] in ids, item
        assert f'href="#{item["id"]}"' in markup
    for tag, attrs in page.controls():
        if attrs["id"] + "-error" in page.error_ids():
            assert attrs.get("aria-invalid") == "true"


def test_situation_shows_conditional_groups_without_javascript(ctx):
    markup = SituationSection(formdata=None).render()
    assert 'data-show-when="situation=en_poste"' in markup
    assert "<legend>Si vous êtes actuellement en poste</legend>" in markup
    assert "<legend>Votre situation <span class=\"required\" aria-hidden=\"true\">*</span></legend>" in markup
    assert 'name="contrat"' in markup and " hidden" not in markup


def test_activity_sheets_render_add_and_remove_buttons(ctx, cert, samples):
    form = FicheActiviteSection.from_data(samples["fiches_activite"], certification=cert)
    markup = form.render()
    assert '<button type="submit" class="button secondary" name="activites-add" value="1" formnovalidate>' \
           'Ajouter une fiche</button>' in markup
    assert 'name="activites-remove" value="1"' in markup
    assert "<legend>Fiche activité 2</legend>" in markup
    assert "<legend>BC01 – Analyser le besoin</legend>" in markup
    assert 'data-block-field="activites-1-bloc"' in markup


def test_entry_added_without_javascript_gets_the_focus_marker(posted, cert):
    form = FicheActiviteSection(formdata=posted({"activites-0-intitule": "A", "activites-add": "1"}),
                                certification=cert)
    markup = form.render()
    assert '<fieldset class="repeatable-entry" id="activites-1" data-focus>' in markup
    assert 'id="error-summary"' not in markup  # an add action is not a validation


def test_section_form_macro_wraps_a_section_with_csrf_and_buttons(forms_app, cert):
    with forms_app.test_request_context("/"):
        form = sections.EngagementSection(certification=cert)
        markup = render_template_string(
            '{% import "forms/_widgets.html" as w %}{{ w.section_form(form, action="/enregistrer") }}', form=form)
    assert '<form method="post" action="/enregistrer" novalidate' in markup
    assert 'name="csrf_token" type="hidden"' in markup
    assert 'value="draft"' in markup and "Enregistrer le brouillon" in markup
    assert 'value="complete"' in markup and "Valider la section" in markup
    assert 'src="/_forms/static/forms/livret-forms.js"' in markup


def test_script_is_served(forms_app):
    response = forms_app.test_client().get("/_forms/static/forms/livret-forms.js")
    assert response.status_code == 200
    assert b"data-show-when" in response.data
    response.close()


def test_section_form_macro_renders_the_token_of_a_form_rebuilt_from_a_draft(forms_app, cert, samples):
    # A section rebuilt from saved data (Section.from_data: no csrf field of its own) must still post
    # the page's token: without it every save from a browser answered 400.
    from flask_wtf.csrf import generate_csrf

    template = '{% import "forms/_widgets.html" as w %}{{ w.section_form(form, action="/enregistrer") }}'
    with forms_app.test_request_context("/"):
        from_draft = sections.EtatCivilSection.from_data(samples["etat_civil"], certification=cert)
        assert "csrf_token" not in from_draft
        markup = render_template_string(template, form=from_draft)
        token = generate_csrf()
        posted = sections.EtatCivilSection(formdata=MultiDict({"nom_famille": "Martin", "csrf_token": token}),
                                           certification=cert)
        assert "csrf_token" in posted
        posted_markup = render_template_string(template, form=posted)
    assert markup.count('name="csrf_token"') == 1
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in markup
    assert posted_markup.count('name="csrf_token"') == 1  # the form's own token, not a second one


def test_section_form_in_a_page_leaves_the_title_and_the_error_summary_to_the_page(posted, cert):
    form = sections.EngagementSection(formdata=posted({"x": "1"}), certification=cert)
    assert not form.validate()
    markup = render_template_string(
        '{% import "forms/_widgets.html" as w %}'
        '{{ w.section_form(form, action="/enregistrer", heading_level=1, title_in_page=True) }}', form=form)
    assert 'id="error-summary"' not in markup and 'role="alert"' not in markup
    assert "<h1" not in markup and 'id="section-engagement-title"' not in markup
    assert "<h2>Informations générales</h2>" in markup  # headings inside the section sit below the page's h1
    assert 'aria-invalid="true"' in markup  # the fields still show their errors
    assert form.title_in_page is False  # only for that rendering
    alone = form.render()  # on its own, a section keeps its heading and its error summary
    assert '<h2 id="section-engagement-title">' in alone and 'id="error-summary"' in alone
