"""The juror's grid laid out as tables: a row per criterion, a column per choice, each radio named by its
row and column headers, unique ids, a save bar with the live progress, the same field names as before."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.evaluation.conftest import page


class _Markup(HTMLParser):
    """Elements of a page: every id (with its tag and text), every radio, every table row header."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.open_ids: list[tuple[str, str]] = []
        self.radios: list[dict[str, str]] = []
        self.row_headers = 0
        self.col_headers: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
            self.texts.setdefault(a["id"], [])
            if tag not in ("input", "br", "img"):
                self.open_ids.append((tag, a["id"]))
        if tag == "input" and a.get("type") == "radio":
            self.radios.append(a)
        if tag == "th" and a.get("scope") == "row":
            self.row_headers += 1
        if tag == "th" and a.get("scope") == "col" and a.get("id"):
            self.col_headers.append(a["id"])

    def handle_endtag(self, tag):
        for i in range(len(self.open_ids) - 1, -1, -1):
            if self.open_ids[i][0] == tag:
                del self.open_ids[i]
                break

    def handle_data(self, data):
        for _tag, ident in self.open_ids:
            self.texts[ident].append(data)

    def text_of(self, ident: str) -> str:
        return " ".join("".join(self.texts.get(ident, [])).split())


def _parse(markup: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(markup)
    return parsed


def _token(markup: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', markup).group(1)


def test_rncp37827_grid_is_a_table_of_142_rows_with_named_radios(make_jury, as_user):
    jury = make_jury("RNCP37827")
    markup = page(as_user(jury.jurors[0]).get(jury.url("/grille")))
    parsed = _parse(markup)

    # one table per competency (21), one row per criterion (142), headed by its text
    assert markup.count('<table class="grid-table"') == 21
    rows = re.findall(r'<tr id="(crit_[^"]+)"[^>]*data-grid-item>', markup)
    assert len(rows) == 142
    assert parsed.row_headers == 142
    assert '<th scope="row" class="grid-criterion"><span id="crit_C1_1-critere">C1.1 – La présentation' in markup
    assert 'aria-labelledby="competence-C1-titre"' in markup and 'id="competence-C1-titre"' in markup
    assert parsed.text_of("grille-C1-met") == "Acquis" and parsed.text_of("grille-C1-not_met") == "Non acquis"

    # every criterion radio is a real radio, named by its row header and its column header
    criteria = [r for r in parsed.radios if r["name"].startswith("crit_")]
    assert len(criteria) == 284
    for radio in criteria:
        row_id, col_id = radio["aria-labelledby"].split()
        assert row_id == f"{radio['name']}-critere" and col_id in parsed.col_headers
        assert parsed.text_of(row_id).split(" – ")[0].replace(".", "_") == radio["name"][len("crit_"):]
        assert parsed.text_of(col_id) == {"met": "Acquis", "not_met": "Non acquis"}[radio["value"]]
        assert re.search(rf'<label class="grid-hit" for="{re.escape(radio["id"])}">', markup)
    # the other radio groups stay fieldsets with a legend
    assert {r["name"] for r in parsed.radios if not r["name"].startswith("crit_")} == {
        "block_BC01", "block_BC02", "block_BC03", "proposal"}

    # ids unique on the page, every reference resolves
    assert len(parsed.ids) == len(set(parsed.ids)), sorted({i for i in parsed.ids if parsed.ids.count(i) > 1})
    for ref in re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', markup):
        assert all(part in parsed.ids for part in ref.split()), ref

    # the save bar: buttons and progress rendered by the server, a script keeping it live
    bar = re.search(r'<div class="grid-savebar">(.*?)</div>\s*</div>', markup, re.S).group(1)
    assert 'role="status"' in bar and "data-grid-progress" in bar
    assert re.sub(r"<[^>]+>", "", re.search(r"<p [^>]*data-grid-progress>(.*?)</p>", bar, re.S).group(1)) == \
        "0 / 142 critères renseignés"
    assert 'value="draft"' in bar and 'value="complete"' in bar
    assert "/jury/_evaluation/static/evaluation/grid.js" in markup
    assert "/jury/_evaluation/static/evaluation/grid.css" in markup


def test_rncp37827_grid_posts_the_same_names_and_counts_what_is_answered(app, make_jury, as_user):
    from core.certifications.services import get_certification
    from core.evaluation.forms import block_name, comment_name, criterion_name

    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    markup = page(client.get(jury.url("/grille")))
    with app.app_context():
        cert = get_certification("RNCP37827")
        expected = {criterion_name(k.code) for c in cert.competencies for k in c.criteria}
        expected |= {comment_name(c.code) for c in cert.competencies} | {block_name(b.code) for b in cert.blocks}
    expected |= {"proposal", "comment", "revision", "csrf_token", "action"}
    form = re.search(r'<form method="post" action="[^"]*/grille" .*?</form>', markup, re.S).group(0)
    assert set(re.findall(r'name="([^"]+)"', form)) == expected

    response = client.post(jury.url("/grille"), data={
        "csrf_token": _token(markup), "revision": "0", "action": "draft",
        "crit_C1_1": "met", "crit_C1_2": "not_met", "crit_C21_1": "met"})
    assert response.status_code == 302
    again = page(client.get(jury.url("/grille")))
    assert re.search(r"<span data-grid-done>3</span> / 142 critères renseignés", again)
    assert re.search(r'id="crit_C1_2-1"[^>]*value="not_met"|value="not_met"[^>]*id="crit_C1_2-1"', again)
    checked = re.findall(r'<input[^>]*checked[^>]*>', again)
    assert len([c for c in checked if 'name="crit_' in c]) == 3


def test_rncp37827_missing_criteria_are_tied_to_their_rows(app, make_jury, as_user):
    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    markup = page(client.get(jury.url("/grille")))
    response = client.post(jury.url("/grille"), data={
        "csrf_token": _token(markup), "revision": "0", "action": "complete", "crit_C1_1": "met"})
    assert response.status_code == 422
    markup = page(response)
    parsed = _parse(markup)
    assert len(parsed.ids) == len(set(parsed.ids))
    # C1.2 is missing: its row is in error, the message is in the row header, both radios point to it
    assert re.search(r'<tr id="crit_C1_2" class="has-error"', markup)
    assert parsed.text_of("crit_C1_2-error")
    radios = [r for r in parsed.radios if r["name"] == "crit_C1_2"]
    assert [r["aria-describedby"] for r in radios] == ["crit_C1_2-error"] * 2
    assert all(r["aria-invalid"] == "true" for r in radios)
    assert '<a href="#crit_C1_2-0">' in markup  # the error summary leads to the first radio of the row
    assert not re.search(r'<tr id="crit_C1_1" class="has-error"', markup)
    assert re.search(r"<span data-grid-done>1</span> / 142 critères renseignés", markup)


def test_rs6776_grid_keeps_marks_and_counts_them(make_jury, as_user):
    jury = make_jury("RS6776")
    client = as_user(jury.jurors[0])
    markup = page(client.get(jury.url("/grille")))
    assert "grid-table" not in markup  # marks per competency, no criteria table
    assert markup.count("data-grid-item") == 7  # six competencies and the oral
    assert re.search(r"<span data-grid-done>0</span> / 7 notes saisies", markup)
    parsed = _parse(markup)
    assert len(parsed.ids) == len(set(parsed.ids))
    response = client.post(jury.url("/grille"), data={
        "csrf_token": _token(markup), "revision": "0", "action": "draft", "mark_C1": "4", "score_ORAL": "12"})
    assert response.status_code == 302
    assert re.search(r"<span data-grid-done>2</span> / 7 notes saisies", page(client.get(jury.url("/grille"))))


def test_completed_grid_is_read_only_without_save_bar(app, make_jury, as_user):
    from tests.evaluation.test_evaluation_grid import full_rncp_form

    jury = make_jury("RNCP37827")
    client = as_user(jury.jurors[0])
    markup = page(client.get(jury.url("/grille")))
    response = client.post(jury.url("/grille"), data=full_rncp_form(app, action="complete",
                                                                    csrf_token=_token(markup)))
    assert response.status_code == 302
    markup = page(client.get(jury.url("/grille")))
    assert "grid-savebar" not in markup
    parsed = _parse(markup)
    assert len(parsed.ids) == len(set(parsed.ids))
    criteria = [r for r in parsed.radios if r["name"].startswith("crit_")]
    assert len(criteria) == 284 and all("disabled" in r for r in criteria)
