"""« Désaccords seulement »: without JavaScript, ?desaccords=1 renders the rows where the jurors agree
hidden; the page keeps every row for the script to filter at once; ids stay unique."""
from __future__ import annotations

import re
from collections import Counter

from tests.deliberation.deliberation_support import add_grid, page, rncp_grid, rs_grid


def _url(s):
    return f"/sessions/{s.id}/candidats/{s.candidates[0]}/deliberation"


def _rows(markup: str) -> dict[str, bool]:
    """Row id -> hidden, for every row of the jurors' grids."""
    return {m.group(1): " hidden" in m.group(2)
            for m in re.finditer(r'<tr id="(ligne-[^"]+)"([^>]*)>', markup)}


def _unique_ids(markup: str) -> None:
    counts = Counter(re.findall(r'\sid="([^"]+)"', markup))
    assert not [i for i, n in counts.items() if n > 1]


def test_only_disagreements_hides_agreeing_rows(app, jury_session, signed_in):
    s = jury_session("RNCP37827")
    alice, bruno = s.jurors
    add_grid(app, s.candidates[0], alice, rncp_grid())
    add_grid(app, s.candidates[0], bruno, rncp_grid(validated=("BC02", "BC03"), not_met=("C1.1", "C5.2"),
                                                    proposal="admission_partielle", comment="BC01 insuffisant."))
    client = signed_in(alice)

    everything = page(client.get(_url(s)))
    _unique_ids(everything)
    assert '<input type="checkbox" id="desaccords" name="desaccords" value="1" aria-describedby="desaccords-etat">' \
        in everything
    assert '<label for="desaccords">Désaccords seulement</label>' in everything
    assert "Toutes les lignes des grilles sont affichées." in everything
    rows = _rows(everything)
    assert len(rows) > 140 and not any(rows.values())  # nothing hidden by default
    assert "/sessions/_deliberation/static/deliberation/deliberation.js" in everything

    response = client.get(_url(s) + "?desaccords=1")
    assert response.status_code == 200
    only = page(response)
    _unique_ids(only)
    assert 'id="desaccords" name="desaccords" value="1" checked' in only
    rows = _rows(only)
    shown = {r for r, hidden in rows.items() if not hidden}
    assert shown == {"ligne-criterion-C1.1", "ligne-criterion-C5.2", "ligne-block-BC01", "ligne-proposal-proposal"}
    assert "Désaccords seulement : 4 lignes affichées" in only
    # the tables without any disagreement are hidden whole; the others stay
    tables = re.findall(r"<table data-split-table( hidden)?>\s*<caption>([^<]+)</caption>", only)
    visible = [caption for hidden, caption in tables if not hidden]
    assert len(visible) == 4 and len(tables) > 4
    # the comment rows are not disagreements
    assert not re.search(r"<tr data-agree>\s*<th scope=\"row\">Commentaires", only)


def test_only_disagreements_with_marks_and_no_disagreement(app, jury_session, signed_in):
    s = jury_session("RS6776")
    alice, bruno = s.jurors
    add_grid(app, s.candidates[0], alice, rs_grid())
    add_grid(app, s.candidates[0], bruno, rs_grid())
    markup = page(signed_in(alice).get(_url(s) + "?desaccords=1"))
    _unique_ids(markup)
    rows = _rows(markup)
    assert rows and all(rows.values())
    assert "Les jurés sont d'accord sur chaque ligne de la grille." in markup
    assert "Désaccords seulement : aucune ligne en désaccord, toutes les lignes sont masquées." in markup
