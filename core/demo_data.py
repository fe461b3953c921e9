"""Fictitious dossiers for the demo (``livret demo``), so that lists, exports and
dashboards show figures on a fresh installation.

The candidates have addresses under ``candidats.demo.livret.fr`` and no usable
password (nobody can sign in as them). Their dossiers are spread over the
last months and over the statuses of the dossier life; each submitted one has
a version 1 with the identity, the motivation letter and the sworn
declaration. Idempotent: nothing is added when they exist.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from core.auth.models import Role, User
from core.dossiers.models import Dossier, DossierStatus, DossierVersion, SectionDraft
from core.extensions import db

DOMAIN = "candidats.demo.livret.fr"

FIRST_NAMES = ("Manon", "Lucas", "Emma", "Hugo", "Léa", "Nathan", "Chloé", "Enzo", "Inès", "Louis", "Jade",
               "Gabriel", "Sarah", "Arthur", "Zoé", "Raphaël", "Lina", "Tom", "Anna", "Mathis")
LAST_NAMES = ("Lefèvre", "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
              "Vincent", "Muller", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
              "François")

# (certification, status, months ago) — a plausible year of activity
PLAN = {
    "RNCP37827": (
        [DossierStatus.DRAFT] * 3 + [DossierStatus.SUBMITTED] * 4 + [DossierStatus.CORRECTIONS_REQUESTED] * 2
        + [DossierStatus.ADMISSIBLE] * 5 + [DossierStatus.INADMISSIBLE] * 2 + [DossierStatus.SCHEDULED] * 2
    ),
    "RS6776": [DossierStatus.DRAFT] * 2 + [DossierStatus.SUBMITTED] * 3 + [DossierStatus.ADMISSIBLE] * 4
    + [DossierStatus.INADMISSIBLE],
}


def candidate_name(n: int) -> tuple[str, str]:
    """(first name, last name) of the ``n``-th fictitious candidate (from 0), as :func:`load_demo_data` names them."""
    return FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 7) % len(LAST_NAMES)]


def candidate_names() -> list[tuple[str, str]]:
    """Every fictitious candidate's (first name, last name): the test session's log scan looks for them."""
    return [candidate_name(n) for n in range(sum(len(statuses) for statuses in PLAN.values()))]


#: the date of birth every fictitious candidate declares (état civil)
BIRTH_DATE = "1988-06-15"


def _content(user: User, submitted: datetime) -> dict:
    return {
        "etat_civil": {
            "civilite": "madame" if user.first_name in FIRST_NAMES[::2] else "monsieur",
            "nom_famille": user.last_name, "prenoms": user.first_name, "nom_usage": "",
            "date_naissance": BIRTH_DATE, "lieu_naissance": "Nantes (44)", "nationalite": "française",
            "adresse": "8 rue de la République", "code_postal": "69002", "commune": "Lyon", "pays": "France",
            "email": user.email, "telephone_portable": "+33612345678", "telephone_domicile": "",
        },
        "lettre_motivation": {"lettre": "Madame, Monsieur, après plusieurs années d'expérience professionnelle, "
                                        "je souhaite faire reconnaître mes compétences par la validation des "
                                        "acquis de l'expérience."},
        "declaration_honneur": {"connaissance_fraudes": True, "exactitude": True, "fait_a": "Lyon",
                                "date": submitted.date().isoformat(),
                                "nom_prenom": f"{user.last_name} {user.first_name}"},
    }


def load_demo_data(installed: set[str]) -> list[str]:
    """Create the fictitious dossiers (once). Returns lines for the command's output."""
    if db.session.scalar(select(User.id).where(User.email.like(f"%@{DOMAIN}")).limit(1)) is not None:
        return [f"Fictitious dossiers already present (candidates @{DOMAIN})."]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    created = 0
    n = 0
    for code, statuses in PLAN.items():
        if code not in installed:
            continue
        from core.dossiers.services import delivering_organisations

        delivering = delivering_organisations(code)
        organisation_id = delivering[0].id if delivering else None
        for i, status in enumerate(statuses):
            first, last = candidate_name(n)
            n += 1
            user = User(email=f"{first.lower()}.{n:02d}@{DOMAIN}".replace("é", "e").replace("ï", "i")
                        .replace("è", "e").replace("ë", "e"),
                        password_hash="!", first_name=first, last_name=last, role=Role.CANDIDATE,
                        active=True, email_verified_at=now)
            db.session.add(user)
            db.session.flush()
            # spread over the last eleven months, the oldest first
            submitted = now - timedelta(days=330 - (i * 330 // max(len(statuses), 1)), hours=n)
            dossier = Dossier(candidate_id=user.id, certification_code=code, status=status,
                              organisation_id=organisation_id,
                              created_at=submitted - timedelta(days=20))
            db.session.add(dossier)
            db.session.flush()
            content = _content(user, submitted)
            if status is DossierStatus.DRAFT:
                # a demo draft was last saved the day it was opened: the oldest are due for the retention
                # reminder; RNCP37827's first one was abandoned long ago and reminded 45 days ago, so that
                # `livret retention run --dry-run` on the demo data lists a deletion too (docs/privacy.md)
                last_saved = dossier.created_at
                if code == "RNCP37827" and i == 0:
                    last_saved = dossier.created_at = now - timedelta(days=400)
                    dossier.reminded_at = now - timedelta(days=45)
                dossier.updated_at = last_saved
                for key, data in content.items():
                    if key != "declaration_honneur":
                        db.session.add(SectionDraft(dossier_id=dossier.id, key=key, data=data, complete=True,
                                                    updated_at=last_saved))
            else:
                dossier.reference = f"{code}-{submitted.year}-{dossier.id:06d}"
                dossier.submitted_at = submitted
                version = DossierVersion(dossier_id=dossier.id, number=1, content=content, manifest=[],
                                         submitted_at=submitted, submitted_by_id=user.id)
                if status is DossierStatus.CORRECTIONS_REQUESTED:
                    version.corrections = [{"section": "lettre_motivation", "annex": None,
                                            "message": "Précisez les missions exercées et leur durée."}]
                    version.corrections_requested_at = submitted + timedelta(days=6)
                db.session.add(version)
                for key, data in content.items():
                    db.session.add(SectionDraft(dossier_id=dossier.id, key=key, data=data, complete=True))
            created += 1
    db.session.flush()
    lines = [f"{created} fictitious dossiers created (candidates @{DOMAIN}, who cannot sign in)."]
    lines.extend(_demo_sessions(installed, now))
    db.session.commit()
    return lines


# A jury session being planned for each demo organisation: the demo jurors sit on it and the session
# manager can open it once both jurors have made their declarations.
SESSIONS = (
    ("RNCP37827", "responsable@demo.livret.fr", "Session de jury VAE – Développeur en IA", 14),
    ("RS6776", "responsable.inkrea@demo.livret.fr", "Session de certification RS6776", 21),
)
JURORS = ("jure@demo.livret.fr", "jure2@demo.livret.fr")


def _demo_sessions(installed: set[str], now: datetime) -> list[str]:
    from core.certifications.services import get_certification
    from core.jury.models import JurySession, SessionCandidate, SessionJuror

    lines = []
    for code, manager_email, title, days in SESSIONS:
        manager = db.session.scalar(select(User).where(User.email == manager_email))
        jurors = list(db.session.scalars(select(User).where(User.email.in_(JURORS)).order_by(User.email)))
        if code not in installed or manager is None or manager.organisation is None or len(jurors) < 2:
            continue
        cert = get_certification(code)
        starts = (now + timedelta(days=days)).replace(hour=9, minute=0, second=0)
        session = JurySession(organisation_id=manager.organisation_id, certification_code=code, title=title,
                              starts_at=starts, ends_on=starts.date(), centre=manager.organisation.name,
                              address="12 rue de la Certification, 69002 Lyon", manager_id=manager.id,
                              manager_position="Responsable de session",
                              schedule=[{"title": s.title, "minutes": s.duration_minutes,
                                         "with_candidate": s.with_candidate}
                                        for s in (cert.scheme.schedule if cert.scheme else ())]
                              or [{"title": "Épreuve orale", "minutes": 20, "with_candidate": True}])
        db.session.add(session)
        for i, juror in enumerate(jurors):
            session.jurors.append(SessionJuror(user_id=juror.id, position=("Ingénieure en IA", "Lead développeur")[i],
                                               company=("Data Conseil", "Logiciels du Rhône")[i], professional=True,
                                               experience_years=(6, 9)[i], external=True))
        dossiers = list(db.session.scalars(
            select(Dossier).where(Dossier.certification_code == code, Dossier.status == DossierStatus.ADMISSIBLE)
            .join(User, User.id == Dossier.candidate_id).where(User.email.like(f"%@{DOMAIN}"))
            .order_by(Dossier.id).limit(2)))
        slot = session.slot_minutes
        for position, dossier in enumerate(dossiers):
            session.candidates.append(SessionCandidate(dossier_id=dossier.id, position=position,
                                                       starts_at=starts + timedelta(minutes=slot * position)))
        lines.append(f"Jury session being planned: {title} ({len(dossiers)} candidates, 2 jurors).")
    return lines
