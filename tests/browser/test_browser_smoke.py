"""The browser suite itself: a visitor, a candidate signing in with the keyboard, the checks on their pages."""
from __future__ import annotations

import pytest

from browser_support import PageProblems


def test_visitor_and_candidate_pages_pass_the_checks(people):
    visitor = people.anonymous()
    visitor.goto("/", "accueil")
    candidate = people.open_as("candidat@demo.livret.fr", "demo-candidat-2026", "candidat")
    assert candidate.page.get_by_role("heading", level=1).count() == 1


def test_a_page_with_a_problem_fails_the_check(people):
    visitor = people.anonymous()
    visitor.goto("/", "accueil")
    visitor.page.evaluate("""() => { const i = document.createElement('input'); i.id = 'dup';
        const j = document.createElement('input'); j.id = 'dup'; document.querySelector('main').append(i, j); }""")
    with pytest.raises(PageProblems) as caught:
        visitor.check("accueil modifié")
    assert 'duplicate-id: id="dup"' in str(caught.value)
    assert "control-name" in str(caught.value)
    assert "label" in str(caught.value)  # axe's rule for unlabeled inputs
