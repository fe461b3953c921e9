"""Issue 18, « Done when »: a dry run on the demo data lists what would be purged, and changes nothing."""
from __future__ import annotations


def test_a_dry_run_on_the_demo_data_lists_what_would_go(app, runner):
    from core.dossiers.models import Dossier, SectionDraft
    from core.extensions import db

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        before = (db.session.query(Dossier).count(), db.session.query(SectionDraft).count(),
                  db.session.query(Dossier).filter(Dossier.reminded_at.is_not(None)).count())
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was changed" in result.output
    assert "draft: 1 draft dossier(s) would be deleted" in result.output  # abandoned, reminded 45 days ago
    reminders = next(line for line in result.output.splitlines() if line.strip().startswith("draft_reminder:"))
    assert int(reminders.split(":")[1].split()[0]) >= 1, reminders
    with app.app_context():
        assert (db.session.query(Dossier).count(), db.session.query(SectionDraft).count(),
                db.session.query(Dossier).filter(Dossier.reminded_at.is_not(None)).count()) == before
