"""Steps shared by the two candidate journeys (RNCP37827 and RS6776): typing as a keyboard user does,
pressing buttons with Enter, reading the overview, uploading annexes while watching their progress bars,
downloading a document, and small real files (PDF, PNG) made on the spot.

Every page these steps load is checked (``Person.check``: axe, ids, names, CSRF tokens) and
photographed, like the rest of the browser suite.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

SEALING_MS = 120_000  # signing the Livret 2, sealing it and the receipt, timestamps: seconds on a small machine
TODAY = dt.date.today()


# -- typing, as a keyboard user --------------------------------------------------------------------
def type_text(person: Any, selector: str, text: str) -> None:
    """Focus the field and type ``text`` key by key (short values), replacing what was there."""
    field = person.page.locator(selector)
    field.focus()
    if field.input_value():
        field.press("Control+A")
        field.press("Delete")
    field.press_sequentially(text)


def write(person: Any, selector: str, text: str) -> None:
    """A long text (pasted or written at length): filled in one go."""
    person.page.locator(selector).fill(text)


def date(person: Any, selector: str, day: dt.date) -> None:
    person.page.locator(selector).fill(day.isoformat())


def space(person: Any, selector: str) -> None:
    """Tick a checkbox or choose a radio button with the space bar."""
    box = person.page.locator(selector)
    box.focus()
    person.page.keyboard.press("Space")
    assert box.is_checked(), f"{selector} not checked after Space"


class Long(str):
    """A long text for :func:`fill`: written in one go (:func:`write`), not typed key by key."""


def fill(person: Any, fields: dict[str, Any]) -> None:
    """Fill fields in order, as a keyboard user: ``True`` ticks with the space bar, a date is picked, a
    :class:`Long` text is written in one go, any other text is typed key by key."""
    for selector, value in fields.items():
        if value is True:
            space(person, selector)
        elif isinstance(value, dt.date):
            date(person, selector, value)
        elif isinstance(value, Long):
            write(person, selector, value)
        else:
            type_text(person, selector, value)


def fill_identity(person: Any, *, civilite: int, last_name: str, first_names: str, birth_place: str, address: str,
                  postal_code: str, town: str, email: str, mobile: str, birth_date: dt.date | None = None,
                  nationality: str = "Française") -> None:
    """The identity section (« État civil », « Identité »): the date of birth left empty when not given."""
    fill(person, {f"#civilite-{civilite}": True, "#nom_famille": last_name, "#prenoms": first_names})
    if birth_date is not None:
        date(person, "#date_naissance", birth_date)
    fill(person, {"#lieu_naissance": birth_place, "#nationalite": nationality, "#adresse": Long(address),
                  "#code_postal": postal_code, "#commune": town, "#email": email, "#telephone_portable": mobile})


def complete_section(person: Any, title: str | re.Pattern, fields: dict[str, Any], validated_as: str = "") -> None:
    """From the overview: open the section, :func:`fill` it, « Valider la section » (``validated_as``: its
    title as the confirmation names it, when ``title`` is a pattern)."""
    open_section(person, title)
    fill(person, fields)
    validate_section(person, validated_as or str(title))


def declare_on_honour(person: Any, place: str, signed_name: str) -> None:
    """« Déclaration sur l'honneur »: both boxes ticked, made at ``place`` today, signed ``signed_name``."""
    complete_section(person, "Déclaration sur l'honneur", {
        "#connaissance_fraudes": True, "#exactitude": True, "#fait_a": place, "#date": TODAY,
        "#nom_prenom": signed_name})


def press(person: Any, button_name: str | re.Pattern, label: str | None = None, *, timeout: float | None = None,
          expect_url: str | None = None) -> Any:
    """Move the focus to a button and press Enter, wait for the next page, check it; returns the response."""
    page = person.page
    button = page.get_by_role("button", name=button_name, exact=isinstance(button_name, str))
    button.focus()
    with page.expect_navigation(timeout=timeout) as navigation:
        page.keyboard.press("Enter")
    if expect_url:
        assert re.search(expect_url, page.url), f"{person.name}: expected {expect_url}, at {page.url}"
    person.check(label or str(button_name))
    return navigation.value


def open_section(person: Any, title: str | re.Pattern, label: str | None = None) -> None:
    """From the dossier overview, follow the link of a section (in the table of sections)."""
    page = person.page
    with page.expect_navigation():
        page.locator("table").get_by_role("link", name=title, exact=isinstance(title, str)).first.click()
    person.check(label or f"section {title}")


def validate_section(person: Any, title: str) -> None:
    """« Valider la section »: back on the overview, the section is complete."""
    press(person, "Valider la section", f"{title} validée", expect_url=r"/dossiers/\d+$")
    flash(person, f"Section « {title} » complète et enregistrée.")


def flash(person: Any, text: str | re.Pattern) -> None:
    notices = person.page.locator(".flashes .notice")
    found = notices.filter(has_text=text)
    assert found.count() >= 1, f"{person.name}: no message {text!r} among {notices.all_inner_texts()}"


# -- the overview ---------------------------------------------------------------------------------
def section_state(person: Any, key: str) -> str:
    return person.page.locator(f"#section-{key} .badge").inner_text().strip()


def status(person: Any) -> str:
    return person.page.locator("dl.facts dt:has-text('Statut') + dd").inner_text().strip()


def blocking_problems(person: Any) -> list[str]:
    """The list « N points restent à régler avant de pouvoir déposer le dossier » (empty when none)."""
    box = person.page.locator("#verification ~ .notice.notice-warning").first
    if not box.count():
        return []
    return [" ".join(t.split()) for t in box.locator("li").all_inner_texts()]


def remarks(person: Any) -> list[str]:
    details = person.page.locator("#verification ~ details").first
    if not details.count():
        return []
    return [" ".join(t.split()) for t in details.locator("li").all_text_contents()]  # folded: not rendered


# -- errors on a section page ---------------------------------------------------------------------
def assert_error_on(person: Any, field_id: str, message: str | re.Pattern, label_text: str) -> None:
    """The error summary is shown once, has the focus and links to the field; the field's error is tied to
    it with aria-describedby and it is flagged aria-invalid."""
    page = person.page
    summary = page.locator("#error-summary")
    assert summary.count() == 1 and page.locator("[role=alert]#error-summary").count() == 1
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    link = summary.get_by_role("link", name=re.compile(re.escape(label_text)))
    assert link.count() >= 1, f"no link to {label_text!r} in {summary.inner_text()!r}"
    assert link.first.get_attribute("href") == f"#{field_id}"
    field = page.locator(f"#{field_id}")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-error" in described, f"#{field_id} aria-describedby={described}"
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#{field_id}-error")
    assert re.search(message, error.inner_text()) if isinstance(message, re.Pattern) else message in error.inner_text(), (
        f"#{field_id}-error says {error.inner_text()!r}")
    assert page.title().startswith("Erreur – "), f"page title: {page.title()!r}"  # said first by screen readers
    # following the summary's link puts the focus on the field
    link.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === {field_id!r}")


# -- annexes --------------------------------------------------------------------------------------
_WATCH_PROGRESS = r"""
() => {
  document.querySelectorAll('.annex-row').forEach(row => {
    const index = row.getAttribute('data-index');
    const box = row.querySelector('.upload-progress');
    const status = row.querySelector('.upload-status');
    const report = () => window.livretUploadProgress({
      row: index, shown: !box.hidden, percent: box.querySelector('.upload-percent').textContent,
      value: box.querySelector('progress').value, status: status.textContent});
    new MutationObserver(report).observe(row, {attributes: true, childList: true, subtree: true,
                                               characterData: true});
  });
}
"""


def upload_annexes(person: Any, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """On the annexes page: one row per file (title, nature, competencies ticked with the space bar), then
    « Envoyer les fichiers ». Each row's progress bar must appear and reach 100 %, its status say the annex
    was added; the page then reloads with the list. Returns what the progress bars showed."""
    page = person.page
    seen: list[dict[str, Any]] = []
    if not getattr(person, "_watching_uploads", False):
        page.expose_function("livretUploadProgress", lambda event: seen.append(event))
        person._watching_uploads = True  # noqa: SLF001 - a flag on the test's own object
    while page.locator(".annex-row").count() < len(files):
        page.get_by_role("button", name="Ajouter une ligne").click()
    for index, spec in enumerate(files):
        row = page.locator(f"#row-{index}")
        row.locator("input[type=file]").set_input_files(str(spec["path"]))
        title = row.get_by_label("Titre de la pièce")
        assert title.input_value() == Path(spec["path"]).name  # the title defaults to the file name
        title.focus()
        title.press("Control+A")
        title.press_sequentially(spec["title"])
        if spec.get("cv"):
            row.get_by_label("Nature de la pièce").select_option(label="Curriculum vitae")
        if spec.get("competencies"):
            summary = row.locator("details.annex-competencies > summary")
            summary.focus()
            page.keyboard.press("Enter")
            for code in spec["competencies"]:
                space(person, f"#competencies-{index}-{code}")
    page.evaluate(_WATCH_PROGRESS)
    list_url = page.locator("#annex-upload").get_attribute("data-list-url")
    page.get_by_role("button", name="Envoyer les fichiers").focus()
    with page.expect_navigation(url=re.compile(re.escape(list_url) + "$"), timeout=60_000):
        page.keyboard.press("Enter")
    person.check("annexes envoyées")
    for index, spec in enumerate(files):
        events = [e for e in seen if e["row"] == str(index)]
        assert any(e["shown"] for e in events), f"row {index}: the progress bar never appeared ({events})"
        assert any(e["percent"] == "100 %" for e in events), f"row {index}: never reached 100 % ({events})"
        assert any("ajoutée" in e["status"] for e in events), f"row {index}: no success message ({events})"
    return seen


def open_annexes(person: Any) -> None:
    """From the overview, the annexes page."""
    with person.page.expect_navigation():
        person.page.locator("#section-annexes").get_by_role("link", name="Annexes").click()
    person.check("annexes")


def back_from_annexes(person: Any) -> Any:
    """« Retour au dossier »: the annexes section is complete and every competency has evidence; returns the
    evidence coverage table of the overview."""
    with person.page.expect_navigation():
        person.page.get_by_role("link", name="Retour au dossier").click()
    person.check("retour au dossier après les annexes")
    assert section_state(person, "annexes") == "Complète"
    coverage = person.page.locator("#couverture ~ table").first
    assert "Aucune preuve" not in coverage.inner_text()
    return coverage


def annex_rows(person: Any) -> dict[int, dict[str, str]]:
    """The table of deposited annexes: number -> title and competencies as shown."""
    out = {}
    for row in person.page.locator("table.annex-table tbody tr").all():
        number = int(row.locator("td").first.inner_text().strip())
        out[number] = {"title": row.locator("th").inner_text(), "competencies": row.locator("td").nth(4).inner_text()}
    return out


# -- documents ------------------------------------------------------------------------------------
def download(person: Any, link_name: str | re.Pattern) -> tuple[str, bytes]:
    """Follow a link that answers with an attachment; returns the file name and the bytes."""
    page = person.page
    link = page.get_by_role("link", name=link_name, exact=isinstance(link_name, str)).first
    with page.expect_download() as info:
        link.focus()
        page.keyboard.press("Enter")
    got = info.value
    path = got.path()
    return got.suggested_filename, Path(path).read_bytes()


def fetch(person: Any, href: str) -> Any:
    """GET a URL with the person's cookies (what the browser's PDF viewer loads)."""
    return person.context.request.get(href)


def preview_is_a_pdf(person: Any) -> None:
    """The overview's « Prévisualiser le document « Livret 2 VAE » (PDF) » (its route's name) answers a PDF."""
    link = person.page.get_by_role("link", name=re.compile(r"^Prévisualiser le document « .+ » \(PDF\)$"))
    href = link.get_attribute("href")
    answer = fetch(person, href)
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/pdf")
    assert is_pdf(answer.body())


# -- signing --------------------------------------------------------------------------------------
def sign_and_submit(person: Any, password: str, label: str) -> Any:
    """On the overview: type the password and press Enter (« Signer et déposer mon dossier »); waits for the
    answer (signing and sealing take seconds), checks it; returns the response."""
    page = person.page
    field = page.get_by_label(re.compile(r"^Mot de passe"))
    field.focus()
    field.press_sequentially(password)
    with page.expect_navigation(timeout=SEALING_MS) as navigation:
        field.press("Enter")
    person.check(label)
    return navigation.value


# -- small real files -----------------------------------------------------------------------------
def make_pdf(path: Path, title: str, paragraphs: list[str]) -> Path:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    HTML(string=f"<html lang='fr'><head><meta charset='utf-8'><title>{title}</title></head>"
                f"<body><h1>{title}</h1>{body}</body></html>").write_pdf(str(path))
    return path


def make_png(path: Path, caption: str) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 380), outline="navy", width=4)
    for i, height in enumerate((120, 210, 160, 280, 240)):
        draw.rectangle((70 + i * 100, 340 - height, 130 + i * 100, 340), fill="teal")
    draw.text((40, 30), caption, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
