"""The English catalogue: complete, well-formed, compiled, and used once the visitor switches to English."""
import html
import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.checkers import checkers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "core" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _catalog():
    with open(PO, "rb") as f:
        return read_po(f, locale="en")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """Compile the .po like scripts/setup.sh does when the .mo (git-ignored) is missing or stale."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        buf = io.BytesIO()
        write_mo(buf, _catalog())
        fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, MO)  # atomic: parallel workers never read a half-written file


def text(response):
    return html.unescape(response.get_data(as_text=True))


def _messages():
    return [m for m in _catalog() if m.id]


def test_catalogue_is_complete_and_not_fuzzy():
    messages = _messages()
    assert len(messages) > 500
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not fuzzy
    empty = [m.id for m in messages
             if not (all(m.string) if isinstance(m.string, (tuple, list)) else m.string)]
    assert not empty


def test_plural_entries_have_both_forms():
    plurals = [m for m in _messages() if m.pluralizable]
    assert plurals
    for m in plurals:
        assert len(m.string) == 2 and all(s.strip() for s in m.string), m.id


def test_placeholders_are_kept():
    for m in _messages():
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == expected, (m.id, s)


def test_babel_checkers_pass():
    catalog = _catalog()
    errors = []
    for m in catalog:
        if not m.id:
            continue
        for checker in checkers:
            try:
                checker(catalog, m)
            except Exception as exc:  # TranslationError
                errors.append((m.id, str(exc)))
    assert not errors


def test_catalogue_compiles(tmp_path):
    mo = tmp_path / "messages.mo"
    with open(mo, "wb") as f:
        write_mo(f, _catalog())
    with open(mo, "rb") as f:
        translations = Translations(f)
    assert translations.gettext("Aller au contenu") == "Skip to content"
    assert translations.ngettext("%(num)d page", "%(num)d pages", 1) == "%(num)d page"
    assert translations.ngettext("%(num)d jour", "%(num)d jours", 3) == "%(num)d days"


def test_pages_are_french_by_default(client):
    home = text(client.get("/"))
    assert '<html lang="fr">' in home and "Aller au contenu" in home
    login_page = text(client.get("/connexion"))
    assert "Se connecter" in login_page and "Mot de passe" in login_page
    assert "Skip to content" not in login_page


def test_pages_are_english_after_switching(client):
    response = client.post("/langue", data={"lang": "en", "next": "/"})
    assert response.status_code == 302
    home = text(client.get("/"))
    assert '<html lang="en">' in home
    assert "Skip to content" in home and "Aller au contenu" not in home
    login_page = text(client.get("/connexion"))
    assert "Sign in" in login_page and "Email address" in login_page and "Password" in login_page
    assert "Mot de passe" not in login_page
    register_page = text(client.get("/inscription"))
    assert "Create an account" in register_page and "First name" in register_page


def test_signed_in_candidate_sees_english_dashboard(client, create_user, login):
    login(create_user("candidate", first_name="Camille"))
    client.post("/langue", data={"lang": "en", "next": "/"})
    page = text(client.get("/espace/"))
    assert "My dossiers" in page and "Hello Camille" in page and "Sign out" in page


def test_every_string_of_the_sources_is_in_the_catalogue(tmp_path):
    """Extracted as babel.cfg says (the command in its first line): no interface string left untranslated."""
    import subprocess
    import sys

    root = TRANSLATIONS.parents[1]
    command = (root / "babel.cfg").read_text(encoding="utf-8").splitlines()[0].lstrip("# ").split()
    assert command[:2] == ["pybabel", "extract"]
    pot = tmp_path / "messages.pot"
    args = [str(Path(sys.executable).parent / "pybabel"), *command[1:]]
    args[args.index("-o") + 1] = str(pot)
    subprocess.run(args, cwd=root, check=True, capture_output=True)
    with open(pot, "rb") as f:
        extracted = read_po(f)
    catalogue = _catalog()
    missing = sorted({f"{m.id!r} ({m.locations[0][0]})" for m in extracted if m.id and m.id not in catalogue})
    assert not missing, f"{len(missing)} strings missing from {PO}:\n" + "\n".join(missing)


_CALL_IN_FSTRING = re.compile(r"\{[^{}]*?\b(?:_|_l|gettext|ngettext|pgettext|lazy_gettext)\(")


def _fstrings(path: Path):
    """(line, text) of each f-string of a Python file (one token before Python 3.12, several since)."""
    import tokenize

    with open(path, "rb") as f:
        tokens = list(tokenize.tokenize(f.readline))
    start = None
    for tok in tokens:
        kind = tokenize.tok_name[tok.type]
        if kind == "STRING" and re.match(r"(?i)[rb]*f", tok.string):
            yield tok.start[0], tok.string
        elif kind == "FSTRING_START":
            start = tok
        elif kind == "FSTRING_END" and start is not None:
            yield start.start[0], tok.line
            start = None


def test_no_translated_string_hides_in_an_f_string():
    """``f"({gettext('heure de Paris')})"``: the extraction does not look into f-strings, so the string never
    reached the catalogue and English pages said « (heure de Paris) ». Translate outside the f-string."""
    root = TRANSLATIONS.parents[1]
    hidden = [f"{path.relative_to(root)}:{line}"
              for folder in ("core", "forms", "signing", "storage", "plugins")
              for path in sorted((root / folder).rglob("*.py")) if "tests" not in path.parts
              for line, text in _fstrings(path) if _CALL_IN_FSTRING.search(text)]
    assert not hidden, "translated inside an f-string (not extracted):\n" + "\n".join(hidden)


def test_times_say_paris_time_in_english(app):
    from datetime import datetime, timezone

    from flask_babel import force_locale

    from core.templating import local_datetime

    with app.test_request_context("/"):
        moment = datetime(2026, 12, 6, 3, 29, tzinfo=timezone.utc)
        assert local_datetime(moment) == "06/12/2026 à 04:29 (heure de Paris)"
        with force_locale("en"):
            assert local_datetime(moment).endswith(" (Paris time)")
