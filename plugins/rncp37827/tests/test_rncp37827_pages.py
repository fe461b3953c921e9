"""The RNCP37827 certification as a visitor sees it, served by core from the installed plugin."""
from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import core


def page_text(response) -> str:
    """The page's HTML with entities decoded (markup kept)."""
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def visible_text(response) -> str:
    """What a reader sees: tags removed, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def test_loaded_by_core_from_the_plugin(app):
    cert = app.extensions["livret"].certifications["RNCP37827"]
    assert cert.plugin == "rncp37827"


def test_listed_in_the_catalogue(client):
    text = page_text(client.get("/"))
    assert "Développeur en intelligence artificielle" in text
    assert "/certifications/RNCP37827" in text


def test_detail_page_shows_competencies_criteria_and_the_about_fragment(client):
    response = client.get("/certifications/RNCP37827")
    markup, text = page_text(response), visible_text(response)
    assert "Développeur en intelligence artificielle" in text
    assert "Simplon.co" in text
    # A competency title and one of its criteria (Annexe 3).
    assert "Créer une base de données dans le respect du RGPD" in text
    assert "Les modélisations des données respectent la méthode et le formalisme Merise." in text
    assert "300 €" in text and "non remboursables" in text
    # The plugin's own fragment: per-block orals, what to present, VAE outcomes.
    assert 'aria-labelledby="rncp37827-orals"' in markup
    assert "Oral de passage du bloc 2 (BC02) – 45 minutes au total" in text
    assert "Soutenance orale du rapport sur la surveillance et résolution d'incident technique" in text
    assert "Présenter le diagnostic." in text
    assert "Validation partielle : Le jury indique les compétences/expériences à acquérir." in text
    assert "Traces en ligne aide apportée (Stackoverflow, Github)" in text
    # Every table of the fragment has a caption and header cells (RGAA 5.4, 5.6).
    fragment = markup[markup.index('id="rncp37827-orals"'):]
    assert fragment.count("<table>") == fragment.count("<caption>") == 4


def test_code_is_case_insensitive_and_unknown_code_is_404(client):
    assert client.get("/certifications/rncp37827").status_code == 200
    assert client.get("/certifications/RNCP00000").status_code == 404


def test_core_never_imports_the_plugin_packages():
    core_dir = Path(core.__file__).parent
    offenders = [
        str(path) for path in core_dir.rglob("*")
        if path.is_file() and path.suffix in {".py", ".html", ".txt", ".cfg", ".toml"}
        and re.search(r"livret_rncp37827|livret_rs6776", path.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert offenders == []


def test_core_starts_without_the_plugin_when_entry_points_are_off(tmp_path):
    script = (
        "import sys\n"
        "from core import create_app\n"
        f"app = create_app({{'INSTANCE_PATH': {str(tmp_path)!r}, 'SECRET_KEY': 'x' * 32, "
        f"'DATABASE_URL': 'sqlite:///{tmp_path}/db.sqlite3', 'LOAD_ENTRY_POINTS': False}})\n"
        "assert 'RNCP37827' not in app.extensions['livret'].certifications\n"
        "print(sorted(m for m in sys.modules if m.startswith('livret_')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
