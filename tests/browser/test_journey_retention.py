"""Journey of retention (issue 18): Simplon.co's certifier admin opens « Conservation des données » from
their space, reads the rules and what goes next month, types a period out of bounds (the error is tied to
the field, the value kept), then a valid one, and sees the new period in the report.

An abandoned draft of a fictitious candidate, whose reminder falls within the month, is prepared through
the models; the draft and the organisation's setting are removed at the end, so that the other journeys
of the worker meet the demo as it is.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

ADMIN = ("certificateur@demo.livret.fr", "demo-certificateur-2026")
CODE = "RNCP37827"
DRAFT_LABEL = "Dossiers jamais déposés (brouillons abandonnés) et leurs pièces"


def _abandoned_draft(app) -> int:
    """A draft of Simplon.co last touched six months ago, less ten days: its reminder goes within the month."""
    from sqlalchemy import select

    from core.auth.models import Organisation, Role, User
    from core.dossiers.models import Dossier, DossierStatus, SectionDraft
    from core.extensions import db
    from core.utils import add_months

    with app.test_request_context("/"):
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Simplon.co"))
        last = add_months(datetime.now(timezone.utc), -6) + timedelta(days=10)
        user = User(email="abandon.brouillon@example.org", password_hash="!", first_name="Noé",
                    last_name="Abandon", role=Role.CANDIDATE, active=True, email_verified_at=last)
        db.session.add(user)
        db.session.flush()
        dossier = Dossier(candidate_id=user.id, certification_code=CODE, organisation_id=org.id,
                          status=DossierStatus.DRAFT, created_at=last, updated_at=last)
        db.session.add(dossier)
        db.session.flush()
        db.session.add(SectionDraft(dossier_id=dossier.id, key="lettre_motivation", data={"lettre": "Bonjour"},
                                    updated_at=last))
        db.session.commit()
        return dossier.id


def _clean_up(app, dossier_id: int) -> None:
    from sqlalchemy import delete, select

    from core.auth.models import Organisation, User
    from core.dossiers.models import Dossier
    from core.extensions import db
    from core.privacy.models import RetentionSetting
    from core.privacy.purge import delete_draft

    with app.test_request_context("/"):
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Simplon.co"))
        db.session.execute(delete(RetentionSetting).where(RetentionSetting.organisation_id == org.id))
        dossier = db.session.get(Dossier, dossier_id)
        if dossier is not None:
            user_id = dossier.candidate_id
            delete_draft(dossier)
            db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()


def test_the_admin_reads_the_report_and_changes_a_period(people):
    app = people.app
    dossier_id = _abandoned_draft(app)
    try:
        admin = people.open_as(*ADMIN, name="admin-simplon")
        admin.goto("/espace/", "espace certificateur")
        admin.follow(re.compile("^Conservation des données"), "conservation des données", exact=False)
        page = admin.page
        assert page.get_by_role("heading", level=1).inner_text().startswith("Conservation des données")
        rules = page.get_by_role("table", name=re.compile(f"Règles de conservation des dossiers {CODE}"))
        row = rules.get_by_role("row", name=re.compile(re.escape(DRAFT_LABEL)))
        assert "12 mois" in row.inner_text() and "Suppression" in row.inner_text()
        upcoming = page.get_by_role("heading", name="Rappels avant suppression d'un brouillon")
        assert upcoming.is_visible()
        assert page.get_by_role("cell", name=f"Brouillon n° {dossier_id} (jamais déposé)").is_visible()

        form = page.locator("form", has=page.get_by_role("button", name=f"Enregistrer les durées de {CODE}"))
        field = form.get_by_label(DRAFT_LABEL)
        field.focus()
        field.fill("200")
        admin.submit(f"Enregistrer les durées de {CODE}", "durée hors bornes")
        field = page.locator("form", has=page.get_by_role(
            "button", name=f"Enregistrer les durées de {CODE}")).get_by_label(DRAFT_LABEL)
        assert field.input_value() == "200" and field.get_attribute("aria-invalid") == "true"
        error = page.locator(f"#{field.get_attribute('id')}-error")
        assert "Indiquez une durée entre 1 et 120 mois." in error.inner_text()
        assert page.get_by_role("link", name=re.compile("Indiquez une durée entre 1 et 120 mois")).is_visible()

        field.fill("18")
        admin.submit(f"Enregistrer les durées de {CODE}", "durée enregistrée")
        assert "1 durée de conservation modifiée" in page.content()
        row = page.get_by_role("table", name=re.compile(f"Règles de conservation des dossiers {CODE}")) \
            .get_by_role("row", name=re.compile(re.escape(DRAFT_LABEL)))
        assert "18 mois" in row.inner_text() and "12 mois par défaut" in row.inner_text()
    finally:
        _clean_up(app, dossier_id)
