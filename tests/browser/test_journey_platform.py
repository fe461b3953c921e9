"""Journey of tenancy (issue 12): Inkréa's admin asks to deliver RNCP37827, the platform admin grants
Inkréa as a habilitated centre with the keyboard, and a candidate then chooses the centre on « Mon espace ».

Every page is checked (axe-core, ids, names, CSRF) and photographed. The grant is withdrawn at the end
through the service (no dossier is opened with Inkréa here), so that the other journeys of the worker
meet the demo as it is: one organisation per certification.
"""
from __future__ import annotations

import re

INKREA_ADMIN = ("inkrea@demo.livret.fr", "demo-inkrea-2026")
PLATFORM_ADMIN = ("admin@demo.livret.fr", "demo-admin-2026")
CANDIDATE = ("candidat@demo.livret.fr", "demo-candidat-2026")
CODE = "RNCP37827"


def _withdraw(app) -> None:
    from sqlalchemy import select

    from core.auth.models import Organisation, OrganisationCertification, Role, User
    from core.extensions import db
    from core.platform import services

    with app.test_request_context("/"):
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Inkréa Certifications"))
        if db.session.get(OrganisationCertification, (org.id, CODE)) is not None:
            admin = db.session.scalar(select(User).where(User.role == Role.PLATFORM_ADMIN))
            services.withdraw(org, CODE, actor=admin)
            db.session.commit()


def test_a_centre_asks_is_granted_and_is_offered_to_candidates(people):
    app = people.app
    try:
        inkrea = people.open_as(*INKREA_ADMIN, name="admin-inkrea")
        inkrea.goto("/certificateur/organisation", "réglages de l'organisme")
        page = inkrea.page
        assert page.get_by_role("checkbox", name=re.compile(CODE)).count() == 0  # not granted: no box
        choice = page.get_by_label("Demander à délivrer une autre certification")
        choice.focus()
        choice.select_option(CODE)
        inkrea.submit("Envoyer la demande", "demande envoyée")
        assert "est transmise à l'administration de la plateforme" in page.content()
        assert page.get_by_role("heading", name="Demandes en attente").is_visible()

        admin = people.open_as(*PLATFORM_ADMIN, name="admin-plateforme")
        admin.goto("/espace/", "espace administration")
        admin.follow("Organismes et certifications accordées", "organismes")
        assert admin.page.get_by_role("heading", name="Demandes en attente").is_visible()
        admin.follow("Inkréa Certifications", "page d'Inkréa")
        page = admin.page
        page.get_by_role("combobox", name=re.compile(r"^Certification")).select_option(CODE)
        # the role with the keyboard: focus the first radio, arrow down to « Centre habilité »
        page.get_by_label("Certificateur", exact=True).focus()
        page.keyboard.press("ArrowDown")
        assert page.get_by_label("Centre habilité", exact=True).is_checked()
        admin.submit("Accorder", "certification accordée")
        row = page.get_by_role("row", name=re.compile(CODE))
        assert "Centre habilité" in row.inner_text() and "délivrée" in row.inner_text()

        candidate = people.open_as(*CANDIDATE, name="candidat")
        candidate.goto("/espace/", "mon espace avec deux organismes")
        group = candidate.page.get_by_role("group", name=re.compile("Organisme auprès duquel vous déposez"))
        assert group.get_by_role("radio", name="Simplon.co").count() == 1
        assert group.get_by_role("radio", name="Inkréa Certifications").count() == 1
    finally:
        _withdraw(app)
