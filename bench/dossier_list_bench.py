"""Benchmark: the staff dossier list (page and API) with 100 000 and with 1 000 dossiers.

Creates its own PostgreSQL database (``--pg``, default 127.0.0.1:5432, user
postgres), builds the schema, bulk-loads candidates and dossiers of one
certification with COPY, signs in as the certifier's staff with the Flask test
client and measures the p95 latency of the first, a middle and the last page
of ``/certificateur/dossiers`` and of ``GET /api/v1/backoffice/dossiers``
(default sort: latest submission first). The middle and last pages are
reached by the cursor of the row just before them, as a client following
``next`` links would send it. Then the same with 1 000 dossiers; prints the
p95s and the ratios (targets: p95 < 150 ms, ratio <= 1.5). The database is
dropped at the end.

    .venv/bin/python bench/dossier_list_bench.py [--rounds 30] [--sizes 100000 1000]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

CODE = "RNCP37827"
PASSWORD = "motdepasse-solide-bench"
WARM_UP = 10
LAST_NAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
              "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
              "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Müller", "Lefebvre", "Faure",
              "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand"]
FIRST_NAMES = ["Claire", "Paul", "Léa", "Hugo", "Chloé", "Louis", "Inès", "Jules", "Manon", "Adam", "Éloïse"]
STATUSES = ["submitted"] * 4 + ["corrections_requested", "admissible", "admissible", "inadmissible", "scheduled",
                                "evaluated", "decided", "closed"]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def load(conninfo: str, n: int, first_user_id: int, organisation_id: int) -> None:
    """``n`` candidates and ``n`` dossiers (plus 2 % drafts) of CODE, opened with ``organisation_id``, by COPY."""
    rnd = random.Random(n)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    drafts = n // 50
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy("COPY users (id, email, password_hash, first_name, last_name, role, active, "
                      "password_changed_at, created_at) FROM STDIN") as copy:
            for i in range(n + drafts):
                uid = first_user_id + i
                copy.write_row((uid, f"candidat{uid}@exemple.fr", "x", rnd.choice(FIRST_NAMES),
                                f"{rnd.choice(LAST_NAMES)}-{rnd.randrange(10_000)}", "candidate", True, now, now))
        with cur.copy("COPY dossiers (id, reference, candidate_id, certification_code, organisation_id, status, "
                      "created_at, updated_at, submitted_at) FROM STDIN") as copy:
            for i in range(n + drafts):
                did = i + 1
                draft = i >= n
                submitted = None if draft else start + timedelta(seconds=rnd.randrange(60 * 60 * 24 * 700))
                copy.write_row((did, f"{CODE}-2026-{did:06d}", first_user_id + i, CODE, organisation_id,
                                "draft" if draft else rnd.choice(STATUSES), now, now, submitted))
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        cur.execute("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT max(id) FROM dossiers))")
        conn.commit()
        cur.execute("ANALYZE")


def measure(admin_conninfo: str, n: int, rounds: int) -> dict[str, float]:
    from core import create_app
    from core.api.services import issue_token
    from core.auth.models import Organisation, OrganisationCertification
    from core.auth.services import create_user
    from core.backoffice import services
    from core.dossiers.models import Dossier, DossierStatus
    from core.extensions import db

    name = f"livret_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    conninfo = psycopg.conninfo.make_conninfo(admin_conninfo, dbname=name)
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    url = (f"postgresql+psycopg://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}:"
           f"{params.get('port', 5432)}/{name}")
    instance = tempfile.mkdtemp(prefix="livret-bench-")
    try:
        # protections on (CSRF, rate limits), as served: the staff member signs in through the page
        app = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32,
                          "BASE_URL": "http://localhost"})
        with app.app_context():
            db.create_all()
            org = Organisation(name="Simplon", slug="simplon")
            org.certifications.append(OrganisationCertification(certification_code=CODE))
            db.session.add(org)
            staff = create_user(email="staff@exemple.fr", password=PASSWORD, role="certifier_staff",
                                organisation=org, verified=True)
            db.session.commit()
            secret, _token = issue_token(staff, name="bench")
            db.session.commit()
            staff_email, organisation_id = staff.email, org.id
        t0 = time.perf_counter()
        load(conninfo, n, first_user_id=1000, organisation_id=organisation_id)
        print(f"  loaded {n} dossiers (+{n // 50} drafts) in {time.perf_counter() - t0:.1f} s")

        with app.app_context():
            # cursors of the rows just before the middle and the last page, in the default order
            order = (select(Dossier.id, Dossier.submitted_at).where(
                Dossier.certification_code == CODE, Dossier.status != DossierStatus.DRAFT)
                .order_by(Dossier.submitted_at.desc(), Dossier.id.desc()))
            total = db.session.scalar(text("SELECT count(*) FROM dossiers WHERE status <> 'draft'"))
            last_start = (total - 1) // services.PAGE_SIZE * services.PAGE_SIZE
            middle_start = (total // 2) // services.PAGE_SIZE * services.PAGE_SIZE
            cursors = {"first": None}
            for label, position in (("middle", middle_start), ("last", last_start)):
                row = db.session.execute(order.offset(position - 1).limit(1)).one()
                cursors[label] = services.Cursor("submitted_at", "desc", row.submitted_at.isoformat(), row.id).encode()

        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/connexion").get_data(as_text=True))
        response = client.post("/connexion", data={"email": staff_email, "password": PASSWORD,
                                                   "csrf_token": token.group(1)})
        assert response.status_code in (302, 303), response.status_code
        headers = {"Authorization": f"Bearer {secret}"}
        results: dict[str, float] = {}
        for label, cursor in cursors.items():
            query = {"cursor": cursor} if cursor else {}
            for kind, url_, hdrs in (("page", "/certificateur/dossiers", {}),
                                     ("api", "/api/v1/backoffice/dossiers", headers)):
                samples = []
                for i in range(rounds + WARM_UP):
                    t = time.perf_counter()
                    response = client.get(url_, query_string=query, headers=hdrs)
                    elapsed = (time.perf_counter() - t) * 1000
                    assert response.status_code == 200, (url_, response.status_code)
                    if i >= WARM_UP:  # templates compiled, connections pooled, plans cached
                        samples.append(elapsed)
                rows = (len(response.get_json()["items"]) if kind == "api"
                        else response.get_data(as_text=True).count('<th scope="row">'))
                expected = total - last_start if label == "last" else services.PAGE_SIZE
                assert rows == expected, (label, kind, rows, expected)
                results[f"{kind}:{label}"] = p95(samples)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return results
    finally:
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                        help="libpq connection string of a role that may create databases")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 1_000], metavar=("LARGE", "SMALL"))
    args = parser.parse_args()
    large, small = args.sizes
    figures = {}
    for n in (large, small):
        print(f"{n} dossiers:")
        figures[n] = measure(args.pg, n, args.rounds)
    print(f"\np95 latency (ms) over {args.rounds} requests, target < 150 ms; ratio {large}/{small}, target <= 1.5")
    print(f"{'':14}{large:>10}{small:>10}{'ratio':>8}")
    ok = True
    for key in figures[large]:
        a, b = figures[large][key], figures[small][key]
        ratio = a / b
        ok = ok and a < 150 and ratio <= 1.5
        print(f"{key:14}{a:10.1f}{b:10.1f}{ratio:8.2f}")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
