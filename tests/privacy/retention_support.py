"""Data for the retention tests: a certification, its organisation, and dossiers of every kind the run
acts on, dated in the past (functions called inside an application context)."""
from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest

from core.testing import CertificationPlugin, make_certification

CODE = "RET01"
OTHER_CODE = "RET02"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def months_ago(months: int, days: int = 0) -> datetime:
    from core.utils import add_months

    return add_months(NOW, -months) - timedelta(days=days)


@pytest.fixture
def retention_plugin(register_plugin):
    return register_plugin(CertificationPlugin(make_certification(CODE, "Certification à conserver"),
                                               make_certification(OTHER_CODE, "Autre certification")),
                           "retentionplugin")


@pytest.fixture
def org_admin(app, retention_plugin, create_user):
    """A certifier admin whose organisation delivers RET01 and RET02."""
    from core.auth.models import Organisation, OrganisationCertification
    from core.extensions import db

    admin = create_user("certifier_admin", first_name="Alix", last_name="Admin")
    with app.app_context():
        org = db.session.get(Organisation, admin.organisation_id)
        org.certifications.append(OrganisationCertification(certification_code=CODE))
        org.certifications.append(OrganisationCertification(certification_code=OTHER_CODE))
        db.session.commit()
    return admin


def stored(app, prefix, owner_id, content: bytes) -> tuple[str, str, int]:
    from storage import new_key

    obj = app.extensions["livret"].storage.put(new_key(prefix, owner_id), io.BytesIO(content),
                                               content_type="application/pdf")
    return obj.key, obj.sha256, obj.size


def object_bytes(app, key: str) -> bytes | None:
    from storage import ObjectNotFound

    try:
        with app.extensions["livret"].storage.open(key) as reader:
            return reader.read()
    except ObjectNotFound:
        return None


def candidate(email_prefix="candidat", first="Camille", last="Martin"):
    from core.auth.models import Role, User
    from core.extensions import db

    user = User(email=f"{email_prefix}-{uuid.uuid4().hex[:6]}@example.org", password_hash="!", first_name=first,
                last_name=last, role=Role.CANDIDATE, active=True, email_verified_at=NOW)
    db.session.add(user)
    db.session.flush()
    return user


def add_annex(app, dossier, user, number: int, when: datetime) -> str:
    from core.dossiers.models import Annex, ScanState
    from core.extensions import db

    key, sha, size = stored(app, "annexes", dossier.id, b"%PDF-1.4 preuve " + str(number).encode())
    db.session.add(Annex(dossier_id=dossier.id, number=number, title=f"Preuve {number}", filename=f"p{number}.pdf",
                         media_type="application/pdf", size=size, sha256=sha, storage_key=key,
                         scan_state=ScanState.CLEAN, uploaded_by_id=user.id, created_at=when))
    return key


def draft(app, org_id, *, last: datetime, reminded: datetime | None = None, annexes: int = 1, code=CODE):
    """A never-submitted draft whose last activity is ``last``."""
    from core.dossiers.models import Dossier, DossierStatus, SectionDraft
    from core.extensions import db

    user = candidate("brouillon")
    dossier = Dossier(candidate_id=user.id, certification_code=code, organisation_id=org_id,
                      status=DossierStatus.DRAFT, created_at=last, updated_at=last, reminded_at=reminded)
    db.session.add(dossier)
    db.session.flush()
    db.session.add(SectionDraft(dossier_id=dossier.id, key="etat_civil", updated_at=last,
                                data={"nom_famille": "Martin", "date_naissance": "1988-06-15"}))
    keys = [add_annex(app, dossier, user, n, last) for n in range(1, annexes + 1)]
    db.session.flush()
    return dossier, keys


@dataclass
class Decided:
    dossier_id: int
    candidate_id: int
    annex_keys: list[str]
    document_id: int | None
    document_key: str | None
    document_sha256: str | None
    fee_id: int | None = None
    extra: dict = field(default_factory=dict)


def submitted(app, org_id, user, *, status, when: datetime, annexes: int = 2, reference=None, code=CODE):
    from core.dossiers.models import Dossier, DossierVersion, SectionDraft
    from core.extensions import db

    dossier = Dossier(candidate_id=user.id, certification_code=code, organisation_id=org_id, status=status,
                      created_at=when - timedelta(days=40), updated_at=when, submitted_at=when - timedelta(days=30),
                      reference=reference or f"{code}-{when.year}-{uuid.uuid4().hex[:6].upper()}")
    db.session.add(dossier)
    db.session.flush()
    keys = [add_annex(app, dossier, user, n, when - timedelta(days=35)) for n in range(1, annexes + 1)]
    db.session.flush()
    manifest = [{"number": n, "title": f"Preuve {n}", "filename": f"p{n}.pdf", "sha256": "0" * 64, "size": 10}
                for n in range(1, annexes + 1)]
    db.session.add(DossierVersion(dossier_id=dossier.id, number=1, manifest=manifest,
                                  content={"etat_civil": {"nom_famille": user.last_name}},
                                  submitted_at=when - timedelta(days=30), submitted_by_id=user.id))
    db.session.add(SectionDraft(dossier_id=dossier.id, key="etat_civil", data={"nom_famille": user.last_name},
                                updated_at=when - timedelta(days=31)))
    db.session.flush()
    return dossier, keys


def sealed_document(app, dossier, pdf: bytes):
    """A document sealed by the platform (development PKI) for ``dossier``."""
    from core.sealing.services import issue_document

    doc = issue_document(pdf, dossier=dossier, version=dossier.versions[-1] if dossier.versions else None,
                         kind="livret2", title="Livret 2 déposé", filename="livret2.pdf", commit=False)
    return doc


def decided(app, org_id, *, sealed_at: datetime, pdf: bytes | None = None, user=None, retake_until: date | None = None,
            session_status="closed", fee_paid_at: datetime | None = None):
    """A dossier decided by a jury (PV sealed at ``sealed_at``) with annexes, a sealed document and a fee."""
    from core.dossiers.models import DossierStatus
    from core.extensions import db
    from core.fees.models import FeeRequest, FeeState
    from core.jury.models import JuryDecision, JurySession, SessionCandidate, SessionStatus

    user = user or candidate("juge", "Dominique", "Bernard")
    dossier, keys = submitted(app, org_id, user, status=DossierStatus.DECIDED, when=sealed_at)
    doc = sealed_document(app, dossier, pdf) if pdf is not None else None
    manager = candidate("manager")
    session = JurySession(organisation_id=org_id, certification_code=dossier.certification_code, title="Session",
                          starts_at=sealed_at - timedelta(days=2), status=SessionStatus(session_status),
                          manager_id=manager.id, closed_at=sealed_at if session_status == "closed" else None)
    db.session.add(session)
    db.session.flush()
    seat = SessionCandidate(session_id=session.id, dossier_id=dossier.id)
    db.session.add(seat)
    db.session.flush()
    db.session.add(JuryDecision(candidate_id=seat.id, outcome="ok", recorded_by_id=manager.id,
                                recorded_at=sealed_at - timedelta(days=1), sealed_at=sealed_at,
                                retake_until=retake_until))
    fee = FeeRequest(dossier_id=dossier.id, amount_cents=30000, label="Frais", state=FeeState.PAID,
                     transfer_reference=f"REF-{uuid.uuid4().hex[:10]}", payer_email="payeur@example.org",
                     payer_name="Employeur SA", payer_address="1 rue du Payeur, Lyon", purchase_order="BC-42",
                     payment_note="virement reçu", paid_at=fee_paid_at or sealed_at - timedelta(days=60),
                     created_at=(fee_paid_at or sealed_at) - timedelta(days=90))
    db.session.add(fee)
    db.session.flush()
    return Decided(dossier.id, user.id, keys, doc and doc.id, doc and doc.storage_key, doc and doc.sha256, fee.id,
                   {"reference": dossier.reference})


def inadmissible(app, org_id, *, declared_at: datetime, monkeypatch):
    """A dossier declared inadmissible at ``declared_at`` (its audit event carries that date)."""
    from core.audit import services as audit
    from core.dossiers.models import DossierStatus

    user = candidate("irrecevable", "Sacha", "Petit")
    dossier, keys = submitted(app, org_id, user, status=DossierStatus.INADMISSIBLE, when=declared_at)
    with monkeypatch.context() as patch:
        patch.setattr(audit, "utcnow", lambda: declared_at)
        audit.record("dossier.inadmissible", "dossier", dossier.id, actor_id=None, payload={"version": 1})
    return dossier, keys


def login_session(user_id, *, last_seen: datetime, revoked: datetime | None = None):
    from core.auth.models import LoginSession
    from core.extensions import db

    row = LoginSession(user_id=user_id, sid_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                       created_at=last_seen - timedelta(days=1), last_seen_at=last_seen, revoked_at=revoked,
                       ip_address="192.0.2.1", user_agent="Navigateur")
    db.session.add(row)
    db.session.flush()
    return row.id


def build_world(app, org_id: int, pdf: bytes, monkeypatch) -> dict:
    """One dossier (or session) of each case the run meets; returns their ids and storage keys."""
    from core.extensions import db

    w: dict = {}
    d, w["reminder_keys"] = draft(app, org_id, last=months_ago(7))
    w["to_remind"] = d.id
    d, w["deleted_keys"] = draft(app, org_id, last=months_ago(13), reminded=NOW - timedelta(days=40), annexes=2)
    w["to_delete"] = d.id
    d, _ = draft(app, org_id, last=months_ago(13), reminded=NOW - timedelta(days=10))
    w["reminded_recently"] = d.id
    d, _ = draft(app, org_id, last=months_ago(13), reminded=NOW - timedelta(days=40))
    from core.dossiers.models import SectionDraft

    db.session.add(SectionDraft(dossier_id=d.id, key="situation", data={}, updated_at=NOW - timedelta(days=5)))
    w["saved_after_reminder"] = d.id
    d, _ = draft(app, org_id, last=months_ago(1))
    w["new_draft"] = d.id
    w["decided_old"] = decided(app, org_id, sealed_at=months_ago(13), pdf=pdf)
    w["decided_recent"] = decided(app, org_id, sealed_at=months_ago(2), pdf=pdf)
    w["decided_retake"] = decided(app, org_id, sealed_at=months_ago(13), pdf=pdf,
                                  retake_until=(NOW - timedelta(days=90)).date())
    w["decided_ancient"] = decided(app, org_id, sealed_at=months_ago(11 * 12), pdf=pdf,
                                   fee_paid_at=months_ago(11 * 12 + 2))
    d, w["inadmissible_keys"] = inadmissible(app, org_id, declared_at=months_ago(13), monkeypatch=monkeypatch)
    w["inadmissible_old"] = d.id
    w["inadmissible_old_candidate"] = d.candidate_id
    d, _ = inadmissible(app, org_id, declared_at=months_ago(3), monkeypatch=monkeypatch)
    w["inadmissible_recent"] = d.id
    someone = candidate("connexion")
    w["login_old"] = login_session(someone.id, last_seen=months_ago(7))
    w["login_recent"] = login_session(someone.id, last_seen=months_ago(1))
    w["login_revoked_recently"] = login_session(someone.id, last_seen=months_ago(8), revoked=months_ago(2))
    db.session.commit()
    return w


@pytest.fixture
def token_headers(app):
    """``token_headers(user)``: the Authorization header of a fresh API token of ``user``."""
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    def make(user):
        with app.app_context():
            secret, _token = issue_token(db.session.get(User, user.id), name="tests")
            db.session.commit()
            return {"Authorization": f"Bearer {secret}"}

    return make
