"""One world per database for the policy matrix: two organisations delivering RNCP37827, their people,
dossiers, documents and jury sessions, every persona signed in, and a pristine copy to go back to.

Built through the real services where that is practical (accounts, dossier creation, annex storage, sealed
documents, fee payment and its sealed invoice, the admissibility decision and its sealed letter, the PV
generation), with rows elsewhere (submitted versions, sessions and their members, grids, decisions).

- **org S** (« Simplon Test ») is the certifier of RNCP37827; **org I** (« Inkréa Test ») is a habilitated
  centre for RNCP37827 and the certifier of RS6776.
- **candidate A**: dossier ``A`` opened with S, submitted then admissible (annex 1; documents Livret 2,
  receipt, fee invoice ``receipt_fee``, admissibility letter) and a draft ``A_draft`` with S (annex 1;
  RNCP37827 too, so that the draft has a fee: rows, the service allows one open dossier per certification).
- **candidate B**: dossier ``B`` opened with I, submitted (annex 1, Livret 2, a fee request to be paid by a
  third party, an OPCO, through the signed link ``payer_token``).
- **sessions**: ``S_open`` (S, open: candidate A, juror J1 with declarations), ``S_draft`` (S, planned:
  candidate A, juror J2) and ``I_open`` (I, open: candidate B, juror J2, attendance, grid and decision
  recorded, PV and grid generated and awaiting signatures).
- **personas**: anonymous, candidates A and B, jurors J1 and J2, session managers, staff and admins of S and I,
  a platform admin. Each signs in once through the real sign-in form (its own client address: rate limits
  count per address, as for real people), keeps the CSRF token its pages render, and holds two API tokens
  (one to call the API, a spare one for the revocation endpoints).
- an online payment provider (:class:`CardProvider`; none is shipped) so that the online payment routes reach
  their object.

:meth:`World.restore` puts the database (a file copy on SQLite; on PostgreSQL, the tables copied back from a
schema holding their pristine rows, sequences included) and the stored objects back as they were once
everybody had signed in; each persona's cookies are put back too (a sign-out empties them).
"""
from __future__ import annotations

import functools
import io
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time as clock, timedelta, timezone
from typing import Any

PASSWORD = "motdepasse-solide-2026"
CODE = "RNCP37827"
OTHER_CODE = "RS6776"

# audit events a read writes on purpose (who downloaded what, exports): not a change of state
READ_EVENTS = ("document.read", "jury_document.read", "annex.downloaded", "annex.download_refused",
               "dossiers.exported", "account.exported")
# the register row of a person's export of their own data (an « accès » request, recorded done): a read too
READ_TABLE_ROWS = {"privacy_requests": "kind <> 'access'"}

ONLINE_PROVIDER = "carte_test"

PERSONAS = ("anonymous", "candidate_a", "candidate_b", "juror_1", "juror_2", "manager_s", "manager_i",
            "staff_s", "staff_i", "admin_s", "admin_i", "platform")


@dataclass
class Persona:
    name: str
    user_id: int | None
    email: str | None
    client: Any  # PageClient with the signed-in cookie session
    api: Any  # PageClient without cookies: bearer token only
    headers: dict[str, str]
    csrf: str = ""
    token_id: int | None = None  # the token in ``headers``
    spare_token_id: int | None = None  # another token of the same person (revocation endpoints)
    cookies: dict[Any, Any] = field(default_factory=dict)

    def save_cookies(self) -> None:
        self.cookies = dict(self.client._cookies)  # werkzeug's cookie jar: immutable Cookie values

    def restore_cookies(self) -> None:
        self.client._cookies = dict(self.cookies)


@dataclass
class World:
    app: Any
    kind: str
    database_url: str
    storage_path: str
    ids: dict[str, Any] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    pristine: str = ""
    pristine_storage: str = ""
    restores: int = 0
    restore_seconds: float = 0.0
    build_seconds: float = 0.0
    _admin_conninfo: str = ""
    _database_name: str = ""

    def __repr__(self) -> str:
        return f"<World {self.kind}>"

    # -- fingerprint ---------------------------------------------------------------------------------

    def fingerprint(self) -> dict[str, int]:
        """Row counts of every table (audit events and register rows of reads left out: reading is recorded on
        purpose)."""
        from sqlalchemy import text

        from core.extensions import db

        tables = [t.name for t in db.metadata.sorted_tables]
        quoted = ", ".join(f"'{e}'" for e in READ_EVENTS)
        parts = [f"SELECT '{name}' AS t, COUNT(*) AS n FROM \"{name}\""
                 + (f" WHERE {READ_TABLE_ROWS[name]}" if name in READ_TABLE_ROWS else "")
                 for name in tables if name != "audit_events"]
        parts.append(f"SELECT 'audit_events' AS t, COUNT(*) AS n FROM audit_events WHERE action NOT IN ({quoted})")
        with self.app.app_context():
            rows = db.session.execute(text(" UNION ALL ".join(parts))).all()
            db.session.remove()
        return {t: int(n) for t, n in rows}

    def _storage_listing(self) -> set[tuple[str, int]]:
        found = set()
        for root, _dirs, files in os.walk(self.storage_path):
            for name in files:
                path = os.path.join(root, name)
                found.add((os.path.relpath(path, self.storage_path), os.path.getsize(path)))
        return found

    # -- snapshot and restore ------------------------------------------------------------------------

    def _dispose(self) -> None:
        from core.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def snapshot(self) -> None:
        for persona in self.personas.values():
            persona.save_cookies()
        self._dispose()
        self.pristine_storage = self.storage_path + ".pristine"
        shutil.rmtree(self.pristine_storage, ignore_errors=True)
        shutil.copytree(self.storage_path, self.pristine_storage)
        self._storage_pristine = self._storage_listing()
        if self.kind == "sqlite":
            path = self.database_url.removeprefix("sqlite:///")
            self.pristine = path + ".pristine"
            shutil.copyfile(path, self.pristine)
        else:
            self._pg_snapshot()

    def restore(self) -> None:
        """The database, the stored objects and every persona's cookies as they were at :meth:`snapshot`."""
        started = time.perf_counter()
        if self.kind == "sqlite":
            self._dispose()
            path = self.database_url.removeprefix("sqlite:///")
            for extra in (path + "-wal", path + "-shm"):
                if os.path.exists(extra):
                    os.remove(extra)
            shutil.copyfile(self.pristine, path)
        else:
            self._pg_restore()
        if self._storage_listing() != self._storage_pristine:
            shutil.rmtree(self.storage_path)
            shutil.copytree(self.pristine_storage, self.storage_path)
        for persona in self.personas.values():
            persona.restore_cookies()
        self.restores += 1
        self.restore_seconds += time.perf_counter() - started

    def drop(self) -> None:
        self._dispose()
        if self.kind == "postgresql":
            import psycopg

            with psycopg.connect(self._admin_conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._database_name}" WITH (FORCE)')

    # PostgreSQL: a copy of every table in a schema of the same database, copied back in one transaction
    # (faster than CREATE DATABASE ... TEMPLATE, which checkpoints)

    PRISTINE_SCHEMA = "policy_pristine"

    def _pg_snapshot(self) -> None:
        from sqlalchemy import text

        from core.extensions import db

        schema = self.PRISTINE_SCHEMA
        with self.app.app_context(), db.engine.begin() as conn:
            self._tables = [t.name for t in db.metadata.sorted_tables]
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            for name in self._tables:
                conn.execute(text(f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM public."{name}"'))
            sequences = conn.execute(text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = 'public'")).scalars().all()
            self._sequences = {seq: tuple(conn.execute(text(f'SELECT last_value, is_called FROM public."{seq}"')).one())
                               for seq in sequences}
        self.pristine = schema

    def _pg_restore(self) -> None:
        from sqlalchemy import text

        from core.extensions import db

        schema = self.PRISTINE_SCHEMA
        with self.app.app_context(), db.engine.begin() as conn:
            for name in reversed(self._tables):  # DELETE: much faster than TRUNCATE on tables this small
                conn.execute(text(f'DELETE FROM public."{name}"'))
            for name in self._tables:
                conn.execute(text(f'INSERT INTO public."{name}" SELECT * FROM "{schema}"."{name}"'))
            for seq, (value, called) in self._sequences.items():
                conn.execute(text(f"SELECT setval('public.\"{seq}\"', :v, :c)"), {"v": value, "c": called})

    # -- helpers -------------------------------------------------------------------------------------

    def user(self, persona: str):
        from core.auth.models import User
        from core.extensions import db

        user_id = self.personas[persona].user_id
        return db.session.get(User, user_id) if user_id is not None else None


# ---------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------

class CardProvider:
    """An online payment provider (none is shipped): the payment routes ``/frais/…/payer/<key>`` and
    ``/frais/notifications/<key>`` need one. Unsigned notifications are ignored, as a real one would."""

    key = ONLINE_PROVIDER
    label = "Carte bancaire (test)"

    def available_for(self, fee_request):
        return True

    def instructions(self, fee_request):
        return {"Paiement": "par carte, sur la page du prestataire"}

    def start(self, fee_request, return_url):
        return f"https://paiement.example.org/session?ref={fee_request.transfer_reference}"

    def handle_notification(self, request):
        return None


class CardPlugin:
    __name__ = "policy_card_provider"

    from core.hookspecs import hookimpl as _hookimpl

    @_hookimpl
    def livret_payment_providers(self, certification):
        return [CardProvider()]


def make_app(kind: str, base: str, signing_env: dict[str, Any]):
    """The app of the world and its database (a file on SQLite, a database of its own on PostgreSQL)."""
    from core import create_app
    from core.extensions import db

    admin_conninfo, name = "", ""
    if kind == "sqlite":
        url = "sqlite:///" + os.path.join(base, "world.sqlite3")
    elif kind == "postgresql":
        import psycopg
        from sqlalchemy.engine import make_url

        from core.testing import DEFAULT_PG_ADMIN_URL

        admin_url = os.environ.get("LIVRET_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN_URL)
        name = f"livret_policy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin_conninfo = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    else:
        raise ValueError(kind)
    app = create_app({"INSTANCE_PATH": os.path.join(base, "instance"), "DATABASE_URL": url,
                      "SECRET_KEY": "test-secret-key-not-for-production", "TESTING": True,
                      "BASE_URL": "http://localhost", "EXTRA_PLUGINS": (CardPlugin(),), **signing_env})
    with app.app_context():
        db.create_all()
        storage_path = app.config.get("STORAGE_PATH") or os.path.join(app.instance_path, "storage")
    os.makedirs(storage_path, exist_ok=True)
    world = World(app=app, kind=kind, database_url=url, storage_path=storage_path)
    world._admin_conninfo, world._database_name = admin_conninfo, name
    return world


@functools.lru_cache(maxsize=None)
def _pdf(title: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f'<html lang="fr"><body><h1>{title}</h1><p>Document de test de la matrice.</p>'
                       f'</body></html>').write_pdf()


def _store_annex(app, dossier, user_id: int, number: int = 1):
    from core.dossiers.models import Annex, AnnexCompetency, ScanState
    from core.extensions import db
    from storage import new_key

    content = _pdf(f"Preuve {number}")
    stored = app.extensions["livret"].storage.put(new_key("annexes", dossier.id), io.BytesIO(content),
                                                  content_type="application/pdf")
    annex = Annex(dossier_id=dossier.id, number=number, title=f"Preuve {number}", filename=f"preuve-{number}.pdf",
                  media_type="application/pdf", size=stored.size, sha256=stored.sha256, storage_key=stored.key,
                  scan_state=ScanState.CLEAN, uploaded_by_id=user_id,
                  competencies=[AnnexCompetency(competency_code="C1")])
    db.session.add(annex)
    db.session.flush()
    return annex


def _submitted_version(dossier, user_id: int):
    """Rows of a submission (the Livret 2 of RNCP37827 is long to fill in): version 1, status submitted."""
    from core.auth.models import utcnow
    from core.dossiers.models import DossierStatus, DossierVersion
    from core.dossiers.services import active_annexes, manifest_of, section_data
    from core.extensions import db

    now = utcnow() - timedelta(days=20)
    version = DossierVersion(dossier_id=dossier.id, number=1, content=section_data(dossier),
                             manifest=manifest_of(active_annexes(dossier)), submitted_at=now,
                             submitted_by_id=user_id)
    db.session.add(version)
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = now
    db.session.flush()
    db.session.refresh(dossier)
    return version


def _issue(dossier, version, kind: str, title: str, actor_id: int):
    from core.sealing.services import issue_document

    return issue_document(_pdf(title), dossier=dossier, version=version, kind=kind, title=title,
                          filename=f"{kind}-{dossier.reference}.pdf", actor_id=actor_id, commit=False)


def build(world: World) -> World:
    app = world.app
    with app.app_context():
        _build_rows(world)
    _sign_in_everybody(world)
    return world


def _build_rows(world: World) -> None:
    from core.auth.models import DeliveryRole, Organisation, OrganisationCertification, User
    from core.auth.services import create_user, make_reset_token, make_verification_token
    from core.dossiers.models import Dossier, DossierStatus, SectionDraft
    from core.dossiers.services import create_dossier
    from core.extensions import db
    from core.fees.services import ensure_request, payer_token, queue_receipt, record_payment
    from core.review.services import declare_admissible

    ids = world.ids
    org_s = Organisation(name="Simplon Test", slug="simplon-test", siret="73282932000074",
                         address="55 rue de Vincennes, 93100 Montreuil", contact_email="contact@simplon.example.org")
    org_i = Organisation(name="Inkréa Test", slug="inkrea-test", siret="52120577800042",
                         address="3 rue de la République, 69001 Lyon", contact_email="contact@inkrea.example.org")
    db.session.add_all([org_s, org_i])
    db.session.flush()
    db.session.add_all([
        OrganisationCertification(organisation_id=org_s.id, certification_code=CODE, role=DeliveryRole.CERTIFIER),
        OrganisationCertification(organisation_id=org_i.id, certification_code=CODE, role=DeliveryRole.CENTRE),
        OrganisationCertification(organisation_id=org_i.id, certification_code=OTHER_CODE,
                                  role=DeliveryRole.CERTIFIER),
    ])
    db.session.flush()
    ids["org_S"], ids["org_I"] = org_s.id, org_i.id

    people = {
        "candidate_a": ("candidate", None, "Camille", "Martin"),
        "candidate_b": ("candidate", None, "Sacha", "Bernard"),
        "juror_1": ("juror", None, "Jules", "Premier"),
        "juror_2": ("juror", None, "Julie", "Seconde"),
        "manager_s": ("session_manager", org_s, "Léa", "Richard"),
        "manager_i": ("session_manager", org_i, "Inès", "Robert"),
        "staff_s": ("certifier_staff", org_s, "Sam", "Durand"),
        "staff_i": ("certifier_staff", org_i, "Noa", "Petit"),
        "admin_s": ("certifier_admin", org_s, "Alex", "Moreau"),
        "admin_i": ("certifier_admin", org_i, "Lou", "Fournier"),
        "platform": ("platform_admin", None, "Dominique", "Plateforme"),
    }
    users: dict[str, User] = {}
    for name, (role, org, first, last) in people.items():
        users[name] = create_user(email=f"{name.replace('_', '.')}@policy.example.org", password=PASSWORD, role=role,
                                  first_name=first, last_name=last, organisation=org, verified=True)
    unverified = create_user(email="pas.encore.confirme@policy.example.org", password=PASSWORD, role="candidate",
                             first_name="Pat", last_name="Attente", verified=False)
    db.session.flush()
    world.ids["users"] = {name: u.id for name, u in users.items()}
    world.personas = {name: Persona(name, users[name].id, users[name].email, None, None, {}) for name in users}
    a, b = users["candidate_a"], users["candidate_b"]

    # -- candidate A: dossier with S, submitted, fee paid (sealed invoice), admissible (sealed letter) --
    da = create_dossier(a, CODE, org_s.id)
    db.session.add(SectionDraft(dossier=da, key="financement", data={"mode": "individuel"}, complete=True))
    annex = _store_annex(world.app, da, a.id)
    version = _submitted_version(da, a.id)
    livret = _issue(da, version, "livret2", "Livret 2", a.id)
    receipt = _issue(da, version, "receipt", "Accusé de dépôt", a.id)
    fee = ensure_request(da, actor=a)
    db.session.commit()
    record_payment(fee, actor=users["staff_s"], amount_cents=fee.amount_cents, note="virement reçu")
    db.session.commit()
    queue_receipt(fee)  # inline jobs: the sealed invoice is issued now
    db.session.refresh(fee)
    assert fee.receipt_document_id is not None, "the fee invoice was not issued"
    letter = declare_admissible(da, actor=db.session.get(User, users["staff_s"].id), password=PASSWORD)
    db.session.refresh(da)
    assert da.status is DossierStatus.ADMISSIBLE
    ids["dossiers"] = {"A": da.id}
    ids["annexes"] = {"A": annex.number}
    ids["documents"] = {"A livret2": livret.id, "A receipt": receipt.id, "A receipt_fee": fee.receipt_document_id,
                        "A admissibility_letter": letter.id}

    # -- candidate A: a draft with S (rows: the service keeps one open dossier per certification) --
    draft = Dossier(candidate_id=a.id, certification_code=CODE, status=DossierStatus.DRAFT,
                    organisation_id=org_s.id)
    db.session.add(draft)
    db.session.flush()
    draft.reference = f"{CODE}-{datetime.now(timezone.utc):%Y}-{draft.id:06d}"
    draft_annex = _store_annex(world.app, draft, a.id)
    ids["dossiers"]["A_draft"], ids["annexes"]["A_draft"] = draft.id, draft_annex.number

    # -- candidate B: dossier with I, submitted, fee requested from a third party (signed payer link) --
    dbb = create_dossier(b, CODE, org_i.id)
    db.session.add(SectionDraft(dossier=dbb, key="financement", data={"mode": "opco"}, complete=True))
    b_annex = _store_annex(world.app, dbb, b.id)
    b_version = _submitted_version(dbb, b.id)
    b_livret = _issue(dbb, b_version, "livret2", "Livret 2", b.id)
    b_fee = ensure_request(dbb, actor=b)
    b_fee.payer_email, b_fee.payer_name = "financeur@opco.example.org", "OPCO Test"
    db.session.commit()
    ids["dossiers"]["B"], ids["annexes"]["B"] = dbb.id, b_annex.number
    ids["documents"]["B livret2"] = b_livret.id
    ids["payer_token"] = payer_token(b_fee)
    ids["reset_token"] = make_reset_token(b)
    ids["verification_token"] = make_verification_token(unverified)

    _build_sessions(world, users, org_s, org_i, da, dbb)

    from core.webhooks.models import WebhookEndpoint

    hooks = {}
    for label, org, admin in (("S", org_s, users["admin_s"]), ("I", org_i, users["admin_i"])):
        hook = WebhookEndpoint(organisation_id=org.id, url=f"https://receiver-{label.lower()}.invalid/livret",
                               secret=WebhookEndpoint.generate_secret(), events=["fee.paid"],
                               created_by_id=admin.id)
        db.session.add(hook)
        db.session.flush()
        hooks[label] = hook.id
    ids["webhooks"] = hooks

    from core.privacy.models import PrivacyRequest, RequestKind
    from core.privacy.register import due_date

    requests = {}  # the register of rights requests: one per organisation, one of no organisation (platform)
    for label, org, subject in (("S", org_s, a), ("I", org_i, b), ("none", None, None)):
        now = datetime.now(timezone.utc)
        row = PrivacyRequest(organisation_id=org.id if org else None, kind=RequestKind.RECTIFICATION,
                             subject_id=subject.id if subject else None, subject_label="" if subject else "Personne",
                             channel="letter", received_at=now, due_at=due_date(now))
        db.session.add(row)
        db.session.flush()
        requests[label] = row.id
    ids["privacy_requests"] = requests
    db.session.commit()


def _build_sessions(world: World, users, org_s, org_i, da, dbb) -> None:
    from core.auth.models import User
    from core.certifications.services import get_certification
    from core.extensions import db
    from core.jury.models import (
        Attendance,
        EvaluationGrid,
        GridStatus,
        JurorDeclaration,
        JuryDecision,
        JurySession,
        SessionCandidate,
        SessionJuror,
        SessionStatus,
        SignedDocument,
    )
    from core.jury.services import consolidate, consolidation_dict
    from core.pv.generation import generate
    from tests.deliberation.deliberation_support import rncp_grid

    cert = get_certification(CODE)
    steps = [{"title": s.title, "minutes": s.duration_minutes, "with_candidate": s.with_candidate}
             for s in cert.scheme.schedule]

    def session(label, org, manager, status, jurors, dossiers, days_ahead):
        day = (datetime.now(timezone.utc) + timedelta(days=days_ahead)).date()
        starts = datetime.combine(day, clock(9, 0), tzinfo=timezone.utc)
        row = JurySession(organisation_id=org.id, certification_code=CODE, title=f"Session {label}",
                          starts_at=starts, ends_on=day, centre=f"Centre {org.name}",
                          address="1 rue de la Paix, 75002 Paris", schedule=steps, status=status,
                          manager_id=manager.id, manager_position="Responsable pédagogique",
                          observations="Session sans incident.")
        if status is not SessionStatus.DRAFT:
            row.opened_at = datetime.now(timezone.utc) - timedelta(days=1)
        db.session.add(row)
        for juror in jurors:
            row.jurors.append(SessionJuror(user_id=juror.id, position="Ingénieur·e IA", company="Entreprise extérieure",
                                           professional=True, experience_years=5, external=True))
        for i, dossier in enumerate(dossiers):
            row.candidates.append(SessionCandidate(dossier_id=dossier.id, position=i,
                                                   starts_at=starts + timedelta(minutes=row.slot_minutes * i)))
        db.session.flush()
        if status is not SessionStatus.DRAFT:
            for candidate in row.candidates:
                for juror in jurors:
                    db.session.add(JurorDeclaration(candidate_id=candidate.id, juror_id=juror.id, no_link=True,
                                                    no_training=True))
        db.session.flush()
        return row

    s_open = session("S ouverte", org_s, users["manager_s"], SessionStatus.OPEN, [users["juror_1"]], [da], 1)
    s_draft = session("S en préparation", org_s, users["manager_s"], SessionStatus.DRAFT, [users["juror_2"]],
                      [da], 40)
    i_open = session("I ouverte", org_i, users["manager_i"], SessionStatus.OPEN, [users["juror_2"]], [dbb], -1)
    candidate = i_open.candidates[0]
    candidate.attendance = Attendance.PRESENT
    db.session.add(EvaluationGrid(candidate_id=candidate.id, juror_id=users["juror_2"].id, data=rncp_grid(),
                                  status=GridStatus.COMPLETED, completed_at=datetime.now(timezone.utc)))
    db.session.flush()
    db.session.refresh(candidate)
    db.session.add(JuryDecision(candidate_id=candidate.id, outcome="admis", validated_blocks=["BC01", "BC02", "BC03"],
                                computed_outcome="admis", recorded_by_id=users["juror_2"].id,
                                consolidation=consolidation_dict(consolidate(candidate))))
    db.session.commit()
    pv, grids = generate(db.session.get(JurySession, i_open.id), db.session.get(User, users["manager_i"].id))
    world.ids["sessions"] = {"S_open": s_open.id, "S_draft": s_draft.id, "I_open": i_open.id}
    world.ids["session_candidates"] = {"S_open": s_open.candidates[0].id, "S_draft": s_draft.candidates[0].id,
                                       "I_open": i_open.candidates[0].id}
    world.ids["session_jurors"] = {"S_open": s_open.jurors[0].id, "S_draft": s_draft.jurors[0].id,
                                   "I_open": i_open.jurors[0].id}
    world.ids["session_annexes"] = {"S_open": 1, "S_draft": 1, "I_open": 1}
    world.ids["pvs"] = {"I_open": pv.id}
    world.ids["session_documents"] = {"I_open": [pv.id, *[g.id for g in grids]]}
    assert all(isinstance(d, SignedDocument) for d in [pv, *grids])


def _sign_in_everybody(world: World) -> None:
    from core.api.services import issue_token
    from core.auth.models import User
    from core.extensions import db

    app = world.app
    for n, name in enumerate(PERSONAS, start=10):
        address = f"10.12.0.{n}"
        persona = world.personas.get(name) or Persona(name, None, None, None, None, {})
        world.personas[name] = persona
        persona.client = app.test_client()
        persona.client.environ_base["REMOTE_ADDR"] = address
        persona.api = app.test_client(use_cookies=False)
        persona.api.environ_base["REMOTE_ADDR"] = address
        if persona.user_id is not None:
            answer = persona.client.post("/connexion", data={"email": persona.email, "password": PASSWORD})
            assert answer.status_code in (302, 303), f"{name} could not sign in: {answer.status_code}"
            with app.app_context():
                user = db.session.get(User, persona.user_id)
                secret, token = issue_token(user, name="matrice")
                _spare, spare = issue_token(user, name="matrice (révocation)")
                db.session.commit()
                persona.headers = {"Authorization": f"Bearer {secret}"}
                persona.token_id, persona.spare_token_id = token.id, spare.id
        # the session's token, from the language form every page carries
        persona.csrf = persona.client.csrf_token_for("/langue", page="/")
