"""Demo accounts and data (``livret demo``). Idempotent: running it twice changes nothing."""
from __future__ import annotations

from core.auth.models import Role
from core.auth.services import create_user, find_user_by_email, get_or_create_organisation, hash_password
from core.extensions import db

DEMO_ACCOUNTS = (
    # email, password, role, first name, last name, organisation
    ("candidat@demo.livret.fr", "demo-candidat-2026", Role.CANDIDATE, "Camille", "Martin", None),
    ("candidate2@demo.livret.fr", "demo-candidate2-2026", Role.CANDIDATE, "Noah", "Bernard", None),
    ("jure@demo.livret.fr", "demo-jure-2026", Role.JUROR, "Inès", "Petit", None),
    ("jure2@demo.livret.fr", "demo-jure2-2026", Role.JUROR, "Hugo", "Robert", None),
    ("responsable@demo.livret.fr", "demo-responsable-2026", Role.SESSION_MANAGER, "Léa", "Richard", "Simplon.co"),
    ("responsable.inkrea@demo.livret.fr", "demo-responsable2-2026", Role.SESSION_MANAGER, "Paul", "Girard",
     "Inkréa Certifications"),
    ("equipe@demo.livret.fr", "demo-equipe-2026", Role.CERTIFIER_STAFF, "Louis", "Durand", "Simplon.co"),
    ("certificateur@demo.livret.fr", "demo-certificateur-2026", Role.CERTIFIER_ADMIN, "Chloé", "Dubois", "Simplon.co"),
    ("inkrea@demo.livret.fr", "demo-inkrea-2026", Role.CERTIFIER_ADMIN, "Jules", "Moreau", "Inkréa Certifications"),
    ("admin@demo.livret.fr", "demo-admin-2026", Role.PLATFORM_ADMIN, "Alice", "Laurent", None),
)


DEMO_ORGANISATIONS = {
    # organisation -> certifications it delivers (when their plugin is installed)
    "Simplon.co": ("RNCP37827",),
    "Inkréa Certifications": ("RS6776",),
}


def load_demo() -> list[str]:
    from flask import current_app

    from core.auth.models import OrganisationCertification

    installed = current_app.extensions["livret"].certifications
    lines = ["Demo accounts (e-mail / password / role):"]
    for org_name, codes in DEMO_ORGANISATIONS.items():
        org = get_or_create_organisation(org_name)
        for code in codes:
            if code in installed and code not in {c.certification_code for c in org.certifications}:
                org.certifications.append(OrganisationCertification(certification_code=code))
    for email, password, role, first, last, org_name in DEMO_ACCOUNTS:
        user = find_user_by_email(email)
        org = get_or_create_organisation(org_name) if org_name else None
        if user is None:
            create_user(email=email, password=password, role=role, first_name=first, last_name=last,
                        organisation=org, verified=True, min_password_length=8)
        else:  # keep the documented password working
            user.password_hash = hash_password(password)
            user.active = True
        lines.append(f"  {email:32} {password:26} {role.value}" + (f" ({org_name})" if org_name else ""))
    db.session.commit()
    from core.demo_data import load_demo_data

    lines.extend(load_demo_data(set(installed)))
    return lines
