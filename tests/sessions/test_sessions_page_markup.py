"""The session page as a browser sees it: unique ids (the observations heading no longer shares the
textarea's id, so the label names the textarea), full forms instead of inclusive points."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.sessions.conftest import page, session_of, text


def _open(app, session_id):
    from core.extensions import db
    from core.jury.models import JurySession, SessionStatus

    with app.app_context():
        db.session.get(JurySession, session_id).status = SessionStatus.OPEN
        db.session.commit()


def _duplicates(markup: str) -> list[str]:
    counts = Counter(re.findall(r'\sid="([^"]+)"', markup))
    return sorted(i for i, n in counts.items() if n > 1)


def test_session_page_ids_are_unique_and_observations_labelled(app, manager_client, manager, jurors, dossiers,
                                                               create_jury_session):
    session_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors, dossiers=dossiers)
    draft = page(manager_client.get(f"/sessions/{session_id}"))
    assert _duplicates(draft) == []
    _open(app, session_id)
    markup = page(manager_client.get(f"/sessions/{session_id}"))
    assert _duplicates(markup) == []
    # the label points at the textarea, the table of contents at the heading
    assert re.search(r'<label for="observations">Observations sur le déroulement', markup)
    assert re.search(r'<textarea[^>]*id="observations"', markup)
    assert '<h2 id="section-observations">Observations du responsable de session</h2>' in markup
    assert '<a href="#section-observations">Observations</a>' in markup
    # every aria reference resolves
    ids = set(re.findall(r'\sid="([^"]+)"', markup))
    for ref in re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', markup):
        assert all(part in ids for part in ref.split()), ref
    # full forms a screen reader reads well
    seen = text(manager_client.get(f"/sessions/{session_id}"))
    assert "Présent ou présente" in seen and "Absent ou absente" in seen
    assert "Professionnel ou professionnelle" in seen and "Extérieur ou extérieure" in seen
    assert "Présent·e" not in seen and "Professionnel·le" not in seen and "Extérieur·e" not in seen


def test_observations_saved_through_the_page_with_its_token(app, manager_client, manager, jurors, dossiers,
                                                            create_jury_session):
    session_id = create_jury_session("RNCP37827", manager=manager, jurors=jurors, dossiers=dossiers)
    _open(app, session_id)
    markup = page(manager_client.get(f"/sessions/{session_id}"))
    form = re.search(r'<form method="post" novalidate action="/sessions/\d+/observations">.*?</form>', markup, re.S)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.group(0)).group(1)
    response = manager_client.post(f"/sessions/{session_id}/observations", data={
        "csrf_token": token, "observations": "Aucun incident.", "manager_position": "Directrice"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#section-observations")
    assert session_of(app, session_id).observations == "Aucun incident."


def test_no_inclusive_point_left_in_the_interface():
    """Templates, e-mails and Python UI strings of core and of the plugins use full forms
    (« présent ou présente »), which screen readers read well, never « présent·e »."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"\w·\w")
    found = []
    for base in ("core", "plugins", "forms"):
        for path in (root / base).rglob("*"):
            if path.suffix not in (".html", ".txt", ".py") or "translations" in path.parts \
                    or path.name.startswith("testing") or "tests" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
